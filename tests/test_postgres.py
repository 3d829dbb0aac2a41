"""The same code on PostgreSQL: migrations, sync, revisions, indexing, answers, conversations, handoffs, editing."""

import pytest
from alembic import command
from sqlalchemy import select

from kbbot import db
from kbbot.accounts import users
from kbbot.articles import editing
from kbbot.articles.source import ArticleSource
from kbbot.articles.sync import sync_directory
from kbbot.models import Article, Revision
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import (
    SUPPORT_ARTICLES,
    TABLE_ARTICLES,
    MailDesk,
    build_support_app,
    chat_varied_conversations,
    csrf_token,
    make_app,
    outcome_facts_from_messages,
    reports_from_facts_and_from_messages,
    stored_outcome_facts,
    write_article,
)


def test_sync_and_ask_on_postgresql(tmp_path, postgres_url, articles_dir):
    write_article(articles_dir, "billing/refunds.md", "Annual plans get a full refund within 14 days.",
                  title="Refund policy", questions=["can I get my money back"])
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    with app.app_context():
        session = get_session()
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
        session = get_session()
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


def test_two_editors_saving_the_same_revision_on_postgresql_let_only_one_through(tmp_path, postgres_url):
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    with app.app_context():
        session = get_session()
        editor = users.create_user(session, "editor@example.com", ["editor"])
        article = editing.create(session, ArticleSource("refunds", "Refunds", "Within 14 days."), editor)
        other_session = app.extensions["kbbot.sessionmaker"]()
        try:
            other_copy = editing.get(other_session, article.id)
            assert len(other_copy.revisions) == 1  # both start from revision 1
            mine = editing.get(session, article.id, lock=True)
            editing.update(session, mine, ArticleSource("refunds", "Refunds", "Mine."), 1, editor)
            theirs = editing.get(other_session, article.id, lock=True)
            other_session.refresh(theirs)
            with pytest.raises(editing.StaleRevision):
                editing.update(other_session, theirs, ArticleSource("refunds", "Refunds", "Theirs."), 1, editor)
        finally:
            other_session.close()
        session.expire_all()
        assert session.get(Article, article.id).body == "Mine."
        assert [r.number for r in session.get(Article, article.id).revisions] == [1, 2]


def test_article_fields_with_nul_lone_surrogates_or_a_long_category_on_postgresql(tmp_path, postgres_url):
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    client = app.test_client()
    with app.app_context():
        session = get_session()
        token, _ = users.create_token(session, users.create_user(session, "e@example.com", ["editor"]), "t")
    headers = {"Authorization": f"Bearer {token}"}
    article = {"title": "Paying by PayPal", "slug": "paypal", "status": "draft"}
    for fields, field in (({"title": "QA\u0000nul"}, "title"), ({"tags": ["\udc00"]}, "tags"),
                          ({"note": "a\u0000"}, "note")):  # fmt: skip
        refused = client.post("/api/v1/staff/articles", json={**article, **fields}, headers=headers)
        assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == field
    created = client.post(
        "/api/v1/staff/articles", json={**article, "category": "Щ" * 200, "body": "a\u0000b"}, headers=headers
    )
    assert created.status_code == 201 and created.get_json()["body"] == "ab"
    with app.app_context():
        category = get_session().execute(select(Article)).scalar_one().category
        assert category.name == "Щ" * 200 and len(category.slug) == 200


def test_nul_characters_and_ids_beyond_its_integer_range_are_4xx_on_postgresql(tmp_path, postgres_url):
    """PostgreSQL text cannot hold NUL and its integer is 32 bits: such input is refused before any query."""
    app = build_support_app(tmp_path, DATABASE_URL=postgres_url, BUSINESS_HOURS="24/7")
    with app.app_context():
        session = get_session()
        token, _ = users.create_token(session, users.create_user(session, "e@example.com", ["editor"]), "t")
    client = app.test_client()
    editor = {"Authorization": f"Bearer {token}"}
    conversation_id = client.post("/api/v1/chat", json={"message": "refund"}).get_json()["conversation_id"]
    sign_in = {"csrf_token": csrf_token(client), "email": "a\x00@example.com", "password": "x"}
    huge = 2**31
    expected = [
        (client.get("/articles/%00"), 400),
        (client.get("/categories/%00"), 400),
        (client.get("/api/v1/articles/%00"), 400),
        (client.get("/api/v1/conversations/%00"), 400),
        (client.get("/api/v1/staff/articles", query_string={"q": "\x00"}, headers=editor), 400),
        (client.post("/api/v1/chat", json={"message": "hello"}, headers={"User-Agent": "x\x00"}), 400),
        (client.post("/staff/login", data=sign_in), 400),
        (client.post("/api/v1/chat", json={"message": "hi", "conversation_id": "\x00"}), 422),
        (client.post("/api/v1/chat", json={"message": "hi", "page_url": "https://x.example/\x00"}), 422),
        (client.post("/api/v1/feedback", json={"article": "\x00", "helpful": True}), 422),
        (client.post("/api/v1/surveys", json={"conversation_id": "\x00", "kind": "csat", "score": 3}), 422),
        (client.post("/api/v1/feedback", json={"message_id": huge, "helpful": True}), 422),
        (client.get(f"/api/v1/conversations/{conversation_id}", query_string={"after": huge}), 422),
        (client.post(f"/api/v1/views/{huge}", json={"seconds": 5}), 404),
        (client.get(f"/api/v1/staff/articles/{huge}", headers=editor), 404),
    ]
    assert [response.status_code for response, _ in expected] == [status for _, status in expected]


def test_an_answer_by_email_on_postgresql(tmp_path, postgres_url, mail_server, mailbox):
    desk = MailDesk.build(tmp_path, mail_server, mailbox, DATABASE_URL=postgres_url)
    try:
        conversation_id, handoff_id = desk.handoff()
        reply = desk.agent_reply(handoff_id)
        answer = desk.customer_answer(reply)
        mailbox.deliver(answer)
        mailbox.deliver(answer)  # twice: added once
        stranger = "x" * 300 + "@example.com"  # an address near its column's length, in triage
        mailbox.deliver(desk.customer_answer(reply, sender=stranger))
        assert "1 attached, 1 in triage, 0 ignored (auto-replies, bounces), 1 read before" in desk.fetch()
        assert [m["text"] for m in desk.transcript(conversation_id)].count("Thanks, the refund arrived.") == 1
    finally:
        desk.close()


def test_outcome_facts_and_the_report_from_them_on_postgresql(tmp_path, postgres_url):
    """Facts written by the chat, votes and handoffs on PostgreSQL equal the definitions over the full
    transcripts, and so does every report figure; the migration's backfill rebuilds them."""
    app = build_support_app(
        tmp_path, {**SUPPORT_ARTICLES, **TABLE_ARTICLES}, DATABASE_URL=postgres_url, BUSINESS_HOURS="24/7"
    )
    chat_varied_conversations(app)
    with app.app_context():
        session = get_session()
        written = stored_outcome_facts(session)
        assert len(written) == 9 and written == outcome_facts_from_messages(session)
        from_facts, from_messages = reports_from_facts_and_from_messages(app, session)
        assert from_facts == from_messages
    engine = app.extensions["kbbot.engine"]
    command.downgrade(db.alembic_config(engine), "0019")
    db.upgrade(engine)
    with app.app_context():
        assert stored_outcome_facts(get_session()) == written
