"""Each conversation's stored outcome facts: written by the real chat, votes and handoffs as they
happen, equal to what the definitions work out from the full records, rebuilt by the migration,
and gone with the conversation they describe."""

import json
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import select, update

from kbbot import db
from kbbot.articles import editing
from kbbot.models import Article, Conversation, Feedback, OutcomeFacts
from kbbot.support import handoffs, privacy
from kbbot.web.session import get_session
from tests.helpers import (
    ask,
    chat_varied_conversations,
    outcome_facts_from_messages,
    reports_from_facts_and_from_messages,
    request_handoff,
    stored_outcome_facts,
    vote,
)


def test_facts_written_by_the_chat_equal_the_definitions_over_the_whole_transcripts(table_app):
    chat_varied_conversations(table_app)
    with table_app.app_context():
        session = get_session()
        stored = stored_outcome_facts(session)
        assert len(stored) == session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))
        assert stored == outcome_facts_from_messages(session)
        confirmed = {json.loads(text)[3] for _, text in stored.values()}  # `facts.stored`'s order
        assert confirmed == {0, 1}  # the scripted conversations are varied


def test_every_figure_read_from_the_facts_equals_the_figures_judged_from_every_message(table_app):
    chat_varied_conversations(table_app)
    with table_app.app_context():
        session = get_session()
        from_facts, from_messages = reports_from_facts_and_from_messages(table_app, session)
        assert from_facts == from_messages
        assert from_facts["conversations"] == 9 and from_facts["outcomes"]["deflected_confirmed"] >= 3
        assert "stripe webhooks fail" in [
            text for gap in from_facts["content_gaps"] for text in (gap["label"], *gap["examples"])
        ]


def test_an_article_deleted_since_leaves_the_figures_as_the_transcripts_give_them(table_app):
    chat_varied_conversations(table_app)
    with table_app.app_context():
        session = get_session()
        for slug in ("refunds", "plans"):  # an answered article, and one whose sections were picked
            editing.delete(session, session.scalar(select(Article).where(Article.slug == slug)))
        from_facts, from_messages = reports_from_facts_and_from_messages(table_app, session)
        assert from_facts == from_messages
        assert {"refunds", "plans"}.isdisjoint(row["slug"] for row in from_facts["articles"])


def test_the_migration_backfills_the_facts_of_existing_conversations(table_app):
    chat_varied_conversations(table_app)
    with table_app.app_context():
        written = stored_outcome_facts(get_session())
    engine = table_app.extensions["kbbot.engine"]
    command.downgrade(db.alembic_config(engine), "0019")  # the database as it was before the facts
    db.upgrade(engine)
    with table_app.app_context():
        assert stored_outcome_facts(get_session()) == written


def test_a_vote_changed_and_a_message_after_the_resolve_rewrite_the_facts(table_app):
    chat_varied_conversations(table_app)
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
    chat_varied_conversations(table_app)
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
