"""Alembic environment: kbbot passes its engine in through `config.attributes`."""

from alembic import context

from kbbot.db import make_engine
from kbbot.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online():
    engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
