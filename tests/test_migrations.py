"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kbbot import db
from kbbot.models import Base


def schema_differences(url):
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    return differences


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_the_models(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'kbbot.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    assert schema_differences(url) == []
