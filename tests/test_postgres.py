"""The same code on PostgreSQL: migrations, sync, revisions, indexing and answers."""

from sqlalchemy import select

from kbbot import db
from kbbot.models import Revision
from kbbot.services import get_engine
from kbbot.sync import sync_directory
from conftest import make_app, write_article


def test_sync_and_ask_on_postgresql(tmp_path, postgres_url, articles_dir):
    write_article(articles_dir, "billing/refunds.md", "Annual plans get a full refund within 14 days.",
                  title="Refund policy", questions=["can I get my money back"])
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    with app.app_context():
        session = db.get_session()
        assert sync_directory(session, articles_dir, 512 * 1024).created == ["refunds"]
        write_article(articles_dir, "billing/refunds.md", "Annual plans get a full refund within 30 days.",
                      title="Refund policy", questions=["can I get my money back"])
        assert sync_directory(session, articles_dir, 512 * 1024).updated == ["refunds"]
        assert len(session.execute(select(Revision)).scalars().all()) == 2
        answer = get_engine().ask(session, "how do I get my money back")
        assert answer.sources[0].slug == "refunds"
        assert "30 days" in answer.sources[0].snippet
        assert db.generation(session) == 2
