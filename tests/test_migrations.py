"""The migrations build exactly the schema the models describe, and carry the data over, on both back ends."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from kbbot import db
from kbbot.models import Base


def database_url(backend, tmp_path, request):
    return f"sqlite:///{tmp_path / 'kbbot.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")


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
    assert schema_differences(database_url(backend, tmp_path, request)) == []


ARTICLE_BEFORE_0005 = text(
    "INSERT INTO articles (slug, title, body, category_id, tags, questions, locale, status, content_hash,"
    " created_at, updated_at) SELECT :slug, 'T', '', id, '[]', '[]', 'en', 'published', 'h',"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM categories WHERE slug = :filed_under"
)
REVISION_BEFORE_0005 = text(
    "INSERT INTO revisions (article_id, number, title, body, category_name, tags, questions, locale, status,"
    " content_hash, note, created_at) SELECT id, 1, 'T', '', :category, '[]', '[]', 'en', 'published', 'h',"
    " 'sync', CURRENT_TIMESTAMP FROM articles WHERE slug = :slug"
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_category_slugs_are_redone_and_misfiled_articles_go_back(backend, tmp_path, request):
    """Before 0005 every name without a Latin letter had the slug "general": all were one category."""
    engine = db.make_engine(database_url(backend, tmp_path, request))
    command.upgrade(db.alembic_config(engine), "0004")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO categories (slug, name) VALUES ('general', 'Счета'), ('caf', 'Café')")
        )
        for slug, filed_under, category in (
            ("invoice", "general", "Счета"),
            ("payment", "general", "Платежи"),
            ("menu", "caf", "Café"),
        ):
            connection.execute(ARTICLE_BEFORE_0005, {"slug": slug, "filed_under": filed_under})
            connection.execute(REVISION_BEFORE_0005, {"slug": slug, "category": category})
    db.upgrade(engine)
    with engine.connect() as connection:
        filed = connection.execute(
            text("SELECT a.slug, c.slug, c.name FROM articles a JOIN categories c ON c.id = a.category_id")
        ).all()
    engine.dispose()
    assert sorted(tuple(row) for row in filed) == [
        ("invoice", "scheta", "Счета"),
        ("menu", "cafe", "Café"),
        ("payment", "platezhi", "Платежи"),
    ]
