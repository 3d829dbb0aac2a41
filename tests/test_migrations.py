"""The migrations build exactly the schema the models describe, and carry the data over, on both back ends."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from kbbot import db
from kbbot.models import Base


def database_url(backend, tmp_path, request):
    return (
        f"sqlite:///{tmp_path / 'kbbot.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )


def engine_at(revision, backend, tmp_path, request):
    """An engine on a new database of `backend`, migrated up to `revision`."""
    engine = db.make_engine(database_url(backend, tmp_path, request))
    command.upgrade(db.alembic_config(engine), revision)
    return engine


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
    engine = engine_at("0004", backend, tmp_path, request)
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


MESSAGES = sa.table(
    "messages",
    *(sa.column(name) for name in ("id", "conversation_id", "role", "text", "action", "article_id")),
    sa.column("sources", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("handoff_offered", sa.Boolean),
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_stored_replies_keep_only_the_sources_the_customer_was_shown(backend, tmp_path, request):
    """Before 0006 a reply stored every source found; the widget hid weak ones and all of a handoff's."""
    engine = engine_at("0005", backend, tmp_path, request)
    found = [{"slug": slug, "score": score} for slug, score in (("a", 1.0), ("b", 0.7), ("c", 0.3))]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO conversations (public_id, visitor_id, started_at, last_message_at)"
                " VALUES ('c1', 'v1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conversation_id = connection.execute(text("SELECT id FROM conversations")).scalar_one()
        connection.execute(
            MESSAGES.insert(),
            [
                {
                    "conversation_id": conversation_id,
                    "role": "bot",
                    "text": action,
                    "action": action,
                    "sources": found,
                    "created_at": datetime.now(UTC),
                    "handoff_offered": False,
                }
                for action in ("answer", "suggest", "handoff")
            ],
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(MESSAGES.c.action, MESSAGES.c.sources, MESSAGES.c.article_id).order_by(MESSAGES.c.id)
        ).all()
    engine.dispose()
    shown = {action: [source["slug"] for source in sources] for action, sources, _ in rows}
    assert shown == {"answer": ["a", "b"], "suggest": ["a", "b", "c"], "handoff": []}
    assert all(article_id is None for _, _, article_id in rows)


def with_lists(name):
    return sa.table(name, sa.column("id"), sa.column("tags", sa.JSON), sa.column("questions", sa.JSON))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_lone_surrogates_stored_before_fields_were_checked_become_replacement_characters(
    backend, tmp_path, request
):
    """A tag stored as "\\udc80" made the article's editor page fail: no page can encode it as UTF-8."""
    articles, revisions = with_lists("articles"), with_lists("revisions")
    engine = engine_at("0007", backend, tmp_path, request)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO categories (slug, name) VALUES ('billing', 'Billing')"))
        for slug in ("bad", "fine"):
            connection.execute(ARTICLE_BEFORE_0005, {"slug": slug, "filed_under": "billing"})
            connection.execute(REVISION_BEFORE_0005, {"slug": slug, "category": "Billing"})
        connection.execute(
            articles.update().where(articles.c.id == 1).values(tags=["ok", "vat\udc80"], questions=["\ud800"])
        )
        connection.execute(
            articles.update().where(articles.c.id == 2).values(tags=["emoji 😀"], questions=["why?"])
        )
        connection.execute(revisions.update().values(tags=["x\udc00y"]))
    db.upgrade(engine)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.select(articles.c.tags, articles.c.questions).order_by(articles.c.id)
        ).all()
        revised = connection.execute(sa.select(revisions.c.tags)).scalars().all()
    engine.dispose()
    assert [tuple(row) for row in stored] == [(["ok", "vat\ufffd"], ["\ufffd"]), (["emoji 😀"], ["why?"])]
    assert revised == [["x\ufffdy"], ["x\ufffdy"]]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_articles_saved_before_0018_get_their_summary(backend, tmp_path, request):
    engine = engine_at("0017", backend, tmp_path, request)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (slug, title, body, tags, questions, locale, status, content_hash,"
                " created_at, updated_at) VALUES ('a', 'A', :body, '[]', '[]', 'en', 'published', 'h',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"body": "Refunds take **5 days**.\n\n## Steps\n\nAsk billing."},
        )
    db.upgrade(engine)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT summary FROM articles")).scalar_one()
    engine.dispose()
    assert stored == "Refunds take 5 days."
