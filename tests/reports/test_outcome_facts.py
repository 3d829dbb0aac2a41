"""Each conversation's stored outcome facts: written by the real chat, votes and handoffs as they
happen, equal to what the definitions work out from the full records, rebuilt by the migration,
and gone with the conversation they describe."""

import json
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import select, update

from kbbot import db, reports
from kbbot.accounts import users
from kbbot.models import Conversation, Feedback, OutcomeFacts
from kbbot.support import handoffs, privacy
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import (
    ask,
    offer_choices,
    outcome_facts_from_messages,
    report_from_messages,
    request_handoff,
    stored_outcome_facts,
)

PLAN_SECTIONS = (("Prices", "section-prices"), ("Change your plan", "section-change-your-plan"))


def vote(client, reply, helpful):
    response = client.post("/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": helpful})
    assert response.status_code == 201


def pick(app, client, conversation_id, anchor):
    """The bot offers the plans article's sections; the customer picks the one at `anchor`."""
    offer_choices(app, conversation_id, "plans", "Plans and prices", PLAN_SECTIONS)
    return ask(client, "", conversation_id=conversation_id, choice={"slug": "plans", "anchor": anchor})


def chat_through_the_api(app):
    """Varied conversations through the chat API and the staff side; returns the agent's token."""
    with app.app_context():
        session = get_session()
        agent = users.create_user(session, "agent@example.com", ["agent"])
        token, _ = users.create_token(session, agent, "t")
    staff = {"Authorization": f"Bearer {token}"}
    thankful = app.test_client()
    first = ask(thankful, "can I get my money back")
    ask(thankful, "great, thanks!", conversation_id=first["conversation_id"])
    ask(thankful, "can I get my money back?")  # the same visitor, the same question, a new conversation
    unhappy = app.test_client()
    answered = ask(unhappy, "how do I connect stripe")
    vote(unhappy, answered, False)
    ask(unhappy, "it still fails", conversation_id=answered["conversation_id"])
    handoff = request_handoff(unhappy, answered["conversation_id"]).get_json()
    unhappy_handoff = f"/api/v1/staff/handoffs/{handoff['id']}"
    app.test_client().post(f"{unhappy_handoff}/replies", json={"text": "On it"}, headers=staff)
    resolved = app.test_client().post(
        f"{unhappy_handoff}/resolve",
        json={"reason": "article_missing", "gap_question": "stripe webhooks fail"},
        headers=staff,
    )
    assert resolved.status_code == 200, resolved.get_json()
    picker = app.test_client()
    kept = ask(picker, "how much does each plan cost")
    pick(app, picker, kept["conversation_id"], "section-change-your-plan")
    failed_pick = app.test_client()
    conversation_id = ask(failed_pick, "plans for my team")["conversation_id"]
    pick(app, failed_pick, conversation_id, "section-prices")
    ask(failed_pick, "that didn't work", conversation_id=conversation_id)
    helped = app.test_client()
    vote(helped, ask(helped, "I forgot my password"), True)
    ask(app.test_client(), "do you sell garden furniture")
    ask(app.test_client(), "hi")
    person = app.test_client()
    asked_for_one = ask(person, "agent please")
    request_handoff(person, asked_for_one["conversation_id"])
    return staff


def test_facts_written_by_the_chat_equal_the_definitions_over_the_whole_transcripts(table_app):
    chat_through_the_api(table_app)
    with table_app.app_context():
        session = get_session()
        stored = stored_outcome_facts(session)
        assert len(stored) == session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))
        assert stored == outcome_facts_from_messages(session)
        confirmed = {json.loads(text)[3] for _, text in stored.values()}  # `facts.stored`'s order
        assert confirmed == {0, 1}  # the scripted conversations are varied


def test_every_figure_read_from_the_facts_equals_the_figures_judged_from_every_message(table_app):
    chat_through_the_api(table_app)
    with table_app.app_context():
        session = get_session()
        settings = reports.ReportSettings.from_config(table_app.config)
        today = datetime.now(UTC).date()
        since, until = reports.days(today - timedelta(days=1), today)
        encode = get_engine().encoder.encode
        from_facts = reports.build_report(session, since, until, settings, encode).as_dict()
        assert from_facts == report_from_messages(session, since, until, settings, encode).as_dict()
        assert from_facts["conversations"] == 9 and from_facts["outcomes"]["deflected_confirmed"] >= 3
        assert "stripe webhooks fail" in [
            text for gap in from_facts["content_gaps"] for text in (gap["label"], *gap["examples"])
        ]


def test_the_migration_backfills_the_facts_of_existing_conversations(table_app):
    chat_through_the_api(table_app)
    with table_app.app_context():
        written = stored_outcome_facts(get_session())
    engine = table_app.extensions["kbbot.engine"]
    command.downgrade(db.alembic_config(engine), "0019")  # the database as it was before the facts
    db.upgrade(engine)
    with table_app.app_context():
        assert stored_outcome_facts(get_session()) == written


def test_a_vote_changed_and_a_message_after_the_resolve_rewrite_the_facts(table_app):
    chat_through_the_api(table_app)
    customer = table_app.test_client()
    reply = ask(customer, "can I get my money back")
    vote(customer, reply, True)
    vote(customer, reply, False)  # a second vote replaces the first
    request_handoff(customer, reply["conversation_id"])
    with table_app.app_context():
        session = get_session()
        for handoff in handoffs.queue(session, status="open"):
            handoffs.resolve(session, handoff, "article_missing")
    ask(customer, "it still fails, I was charged twice", conversation_id=reply["conversation_id"])
    with table_app.app_context():
        session = get_session()
        stored = stored_outcome_facts(session)
        voted = session.scalar(
            select(Conversation.id).where(Conversation.public_id == reply["conversation_id"])
        )
        assert json.loads(stored[voted][1])[2] == [0]  # its votes on answers: one, not helpful
        assert stored == outcome_facts_from_messages(session)


def test_erasing_a_visitor_deletes_their_facts_and_purging_votes_rewrites_them(table_app):
    chat_through_the_api(table_app)
    with table_app.app_context():
        session = get_session()
        voted = session.scalars(select(Feedback).where(Feedback.message_id.is_not(None))).all()
        erased = voted[0].visitor_id
        old = datetime.now(UTC) - timedelta(days=400)
        session.execute(update(Feedback).where(Feedback.id == voted[1].id).values(created_at=old))
        session.commit()
        erased_ids = set(session.scalars(select(Conversation.id).where(Conversation.visitor_id == erased)))
        privacy.erase_visitors(session, [erased])
        privacy.purge_before(session, old + timedelta(days=1))  # the old vote goes, its conversation stays
        session.commit()
        stored = stored_outcome_facts(session)
        assert erased_ids and not erased_ids & stored.keys()
        assert not session.scalars(
            select(OutcomeFacts).where(OutcomeFacts.conversation_id.in_(erased_ids))
        ).all()
        assert stored == outcome_facts_from_messages(session)
