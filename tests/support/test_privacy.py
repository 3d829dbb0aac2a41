"""Erasing a customer's data on request and purging old conversations, through the CLI, on both back ends."""

from datetime import timedelta

import pytest
from sqlalchemy import text, update

from kbbot.accounts import users
from kbbot.models import Conversation, Event, Feedback, utcnow
from kbbot.web.session import get_session
from tests.helpers import ask, build_support_app, staff_headers

TABLES = (
    "conversations",
    "conversation_facts",
    "messages",
    "handoffs",
    "notes",
    "survey_responses",
    "feedback",
    "events",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    """A support app on each back end, with an agent's API headers."""
    settings = {"BUSINESS_HOURS": "24/7"}
    if request.param == "postgresql":
        settings["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    app = build_support_app(tmp_path, **settings)
    with app.app_context():
        session = get_session()
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
    client.post("/api/v1/feedback", json={"article": "export", "helpful": True})
    return client


def rows(app):
    with app.app_context():
        session = get_session()
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
        leftovers = get_session().execute(
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


def events_of(app, visitor_id):
    with app.app_context():
        query = text("SELECT COUNT(*) FROM events WHERE visitor_id = :visitor")
        return get_session().execute(query, {"visitor": visitor_id}).scalar_one()


def test_purging_deletes_what_is_older_than_the_retention_but_a_waiting_customers(site):
    app, headers = site
    customer_with_handoff(app, headers, "dana@example.com")  # the agent replied: assigned, not resolved
    another_customer(app)
    with app.app_context():
        session = get_session()
        dana, other = session.execute(text("SELECT visitor_id FROM conversations ORDER BY id")).scalars()
        long_ago = utcnow() - timedelta(days=400)
        for model, column in (
            (Conversation, "last_message_at"),
            (Event, "occurred_at"),
            (Feedback, "created_at"),
        ):
            session.execute(update(model).values({column: long_ago}))
        session.commit()
    ask(app.test_client(), "how do I export my invoices to Excel")  # a conversation of today
    before, dana_events = rows(app), events_of(app, dana)

    dry = app.test_cli_runner().invoke(args=["purge", "--older-than", "365", "--dry-run"])
    assert dry.exit_code == 0 and "would delete 1 conversations" in dry.output and rows(app) == before
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "365"])
    assert result.exit_code == 0 and "deleted 1 conversations" in result.output, result.output
    after = rows(app)
    # Dana still waits on her handoff: everything of hers stays. The other old conversation goes.
    assert (before["conversations"], after["conversations"]) == (3, 2)
    assert (after["handoffs"], after["notes"], after["survey_responses"]) == (1, 1, 1)
    assert (before["feedback"], after["feedback"]) == (3, 2)  # the other customer's old vote
    assert events_of(app, dana) == dana_events > 0 and events_of(app, other) == 0
    assert after["events"] > dana_events  # today's conversation's events stay
    assert app.test_cli_runner().invoke(args=["purge", "--older-than", "0"]).exit_code != 0
