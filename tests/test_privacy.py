"""Erasing a customer's data on request and purging old conversations, through the CLI, on both back ends."""

from datetime import timedelta

import pytest
from conftest import build_support_app, staff_headers
from sqlalchemy import text, update
from test_chat_api import ask

from kbbot import db, users
from kbbot.models import Conversation, Event, Feedback, utcnow

TABLES = ("conversations", "messages", "handoffs", "notes", "survey_responses", "feedback", "events")


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    """A support app on each back end, with an agent's API headers."""
    settings = {"BUSINESS_HOURS": "24/7"}
    if request.param == "postgresql":
        settings["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    app = build_support_app(tmp_path, **settings)
    with app.app_context():
        session = db.get_session()
        token, _ = users.create_token(session, users.create_user(session, "alex@example.com", ["agent"]), "t")
    return app, staff_headers(token)


def customer_with_handoff(app, headers, email):
    """A customer who searched, read, asked, voted, handed off (an agent replied and noted), and rated."""
    client = app.test_client()
    client.get("/search?q=refund")
    client.get("/articles/refunds?ref=search")
    answer = ask(client, "can I get my money back")
    client.post("/api/v1/feedback", json={"message_id": answer["message_id"], "helpful": False})
    client.post("/api/v1/feedback", json={"article": "refunds", "helpful": False})
    conversation_id = answer["conversation_id"]
    handoff = client.post(
        f"/api/v1/conversations/{conversation_id}/handoff", json={"email": email}
    ).get_json()
    client.post(
        f"/api/v1/staff/handoffs/{handoff['id']}/replies", json={"text": "Refunded."}, headers=headers
    )
    client.post(
        f"/api/v1/staff/handoffs/{handoff['id']}/notes", json={"text": "Card ends 4242"}, headers=headers
    )
    client.post("/api/v1/surveys", json={"conversation_id": conversation_id, "kind": "csat", "score": 2})
    return client, handoff


def another_customer(app):
    client = app.test_client()
    client.get("/articles/export?ref=search")
    ask(client, "how do I export my invoices to Excel")
    return client


def rows(app):
    with app.app_context():
        session = db.get_session()
        return {
            table: session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in TABLES
        }


def test_erasing_a_customer_deletes_all_they_left_and_nothing_of_anyone_else(site):
    app, headers = site
    customer_with_handoff(app, headers, "Dana@Example.com")
    before_other = rows(app)
    another_customer(app)
    with_both = rows(app)
    others = {table: with_both[table] - before_other[table] for table in TABLES}
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["erase", "--email", "dana@example.com", "--dry-run"])
    assert dry.exit_code == 0 and "would delete 1 conversations" in dry.output
    assert rows(app) == with_both  # a dry run deletes nothing

    erased = runner.invoke(args=["erase", "--email", "dana@example.com"])
    assert erased.exit_code == 0 and "deleted 1 conversations" in erased.output, erased.output
    assert rows(app) == others  # all of Dana's rows are gone, all of the other customer's remain
    with app.app_context():
        leftovers = db.get_session().execute(
            text("SELECT COUNT(*) FROM events WHERE CAST(data AS TEXT) LIKE '%refund%'")
        )
        assert leftovers.scalar_one() == 0  # what she searched and read is gone with her
    report = runner.invoke(args=["report", "--json"])
    assert report.exit_code == 0 and '"conversations": 1' in report.output


def test_erasing_needs_a_customer_and_says_when_no_handoff_had_the_address(site):
    app, _ = site
    runner = app.test_cli_runner()
    assert runner.invoke(args=["erase"]).exit_code != 0
    unknown = runner.invoke(args=["erase", "--email", "nobody@example.com"])
    assert unknown.exit_code == 0 and "No handoff was left with nobody@example.com" in unknown.output


def test_purging_deletes_what_is_older_than_the_retention_but_unresolved_handoffs(site):
    app, headers = site
    customer_with_handoff(app, headers, "dana@example.com")  # the agent replied: assigned, not resolved
    another_customer(app)
    with app.app_context():
        session = db.get_session()
        long_ago = utcnow() - timedelta(days=400)
        for model, column in (
            (Conversation, "last_message_at"),
            (Event, "occurred_at"),
            (Feedback, "created_at"),
        ):
            session.execute(update(model).values({column: long_ago}))
        session.commit()
    ask(app.test_client(), "how do I export my invoices to Excel")  # a conversation of today
    before = rows(app)
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "365"])
    assert result.exit_code == 0, result.output
    after = rows(app)
    # Dana's conversation waits on its handoff: kept, with its handoff and notes; the other old one goes.
    assert (before["conversations"], after["conversations"]) == (3, 2)
    assert after["handoffs"] == before["handoffs"] == 1 and after["notes"] == 1
    assert after["feedback"] == 0  # the old votes
    with app.app_context():
        kept = db.get_session().execute(text("SELECT MIN(occurred_at) FROM events")).scalar_one()
    assert kept is not None  # today's events stay
    assert app.test_cli_runner().invoke(args=["purge", "--older-than", "0"]).exit_code != 0
