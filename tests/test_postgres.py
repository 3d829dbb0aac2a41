"""The same code on PostgreSQL: migrations, sync, revisions, indexing, answers, conversations and handoffs."""

from sqlalchemy import select

from conftest import build_support_app, make_app, write_article

from kbbot import db, users
from kbbot.models import Revision
from kbbot.services import get_engine
from kbbot.sync import sync_directory


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


def test_a_conversation_with_handoff_and_agent_reply_on_postgresql(tmp_path, postgres_url):
    app = build_support_app(tmp_path, DATABASE_URL=postgres_url, BUSINESS_HOURS="24/7")
    client = app.test_client()
    with app.app_context():
        session = db.get_session()
        token, _ = users.create_token(session, users.create_user(session, "a@example.com", ["agent"]), "t")
    client.get("/articles/refunds?ref=search")
    reply = client.post("/api/v1/chat", json={"message": "can I get my money back? \x00 😀"}).get_json()
    assert reply["action"] == "answer" and reply["sources"][0]["slug"] == "refunds"
    handoff = client.post(
        f"/api/v1/conversations/{reply['conversation_id']}/handoff", json={"email": "dana@example.com"}
    ).get_json()
    headers = {"Authorization": f"Bearer {token}"}
    client.post(f"/api/v1/staff/handoffs/{handoff['id']}/replies", json={"text": "On it"}, headers=headers)
    context = client.get(f"/api/v1/staff/handoffs/{handoff['id']}", headers=headers).get_json()
    assert [v["slug"] for v in context["viewed_articles"]] == ["refunds"]
    assert [m["role"] for m in context["transcript"]] == ["customer", "bot", "agent"]
    assert client.post("/api/v1/surveys", json={"conversation_id": reply["conversation_id"], "kind": "csat", "score": 5}).status_code == 201
    assert client.post("/api/v1/surveys", json={"conversation_id": reply["conversation_id"], "kind": "csat", "score": 4}).status_code == 409
