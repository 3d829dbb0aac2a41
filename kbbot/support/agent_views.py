"""What an agent reads, as plain data (dicts, lists, datetimes): the queue's lines and a handoff's
whole context.

`handoff_context` is the transcript with every bot decision, the help-center articles the visitor
read and the searches they ran before and during the conversation, and where they were. It is built
from append-only records (messages and events), so it shows exactly what happened up to the handoff
and everything since.
"""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..articles.rendering import render_bot_message
from ..models import (
    EmailStatus,
    Event,
    Feedback,
    Handoff,
    HandoffReason,
    Message,
    Note,
    OutboundEmail,
    utcnow,
)
from ..search.confidence import Action
from . import transcripts
from .decisions import question_behind_handoff
from .sla import due_state
from .small_talk import social_kind

# How far back before the conversation the visitor's help-center activity is shown.
CONTEXT_LOOKBACK = timedelta(days=7)


def queue_entries(session: Session, found, now):
    """The queue's lines for the handoffs `found`, as plain data; `waiting_seconds` runs until the first
    agent reply. Each line's `question` is what the customer handed off with (`gap_guesses`), else their
    first message that is not small talk, else their first message."""
    guesses, first_questions = _questions(session, found)
    return [
        _queue_entry(
            handoff,
            now,
            guesses.get(handoff.id) or first_questions.get(handoff.conversation_id),
        )
        for handoff in found
    ]


def gap_guesses(session: Session, found):
    """{handoff id: the question the customer handed off with} for the handoffs `found`, where there is
    one: the question behind the handoff (`decisions.question_behind_handoff`: never one the bot
    answered to the customer's satisfaction), else the message the customer wrote with the handoff.
    It is the best guess at the content gap of a handoff resolved as `article_missing`."""
    return _questions(session, found)[0]


def _questions(session: Session, found):
    """(`gap_guesses`, {conversation id: the customer's first message that is not small talk, else
    their first message}) of the handoffs `found`, from one query over their conversations."""
    by_conversation = {handoff.conversation_id: handoff for handoff in found}
    messages = transcripts.turns(session, by_conversation)
    votes = dict(
        session.execute(
            select(Feedback.message_id, Feedback.helpful)
            .join(Message, Message.id == Feedback.message_id)
            .where(Message.conversation_id.in_(by_conversation), Message.role == "bot")
            .order_by(Feedback.id)
        ).all()
    )
    helped = {m.in_reply_to_id for m in messages if m.action == Action.ANSWER and votes.get(m.id) is True}
    said, turns = defaultdict(list), defaultdict(list)
    for m in messages:
        if m.role != "customer":
            continue
        said[m.conversation_id].append(m.text)
        if m.created_at <= by_conversation[m.conversation_id].created_at:
            turns[m.conversation_id].append((m.text, m.text, m.choice is not None, m.id in helped))
    first_questions = {
        conversation_id: next((text for text in texts if social_kind(text) is None), texts[0])
        for conversation_id, texts in said.items()
    }
    guesses = {}
    for conversation_id, handoff in by_conversation.items():
        guess = question_behind_handoff(turns[conversation_id]) or handoff.message.strip()
        if guess:
            guesses[handoff.id] = guess
    return guesses, first_questions


def triage_entry(handoff: Handoff, now):
    """A handoff's tags, priority and SLA state: `reply_due_at` (None: nothing due), `breached` (None
    then) and `due_seconds`, how long until it is due or, breached, since it was."""
    breached, seconds = due_state(handoff.reply_due_at, now)
    return {
        "tags": [tag.name for tag in handoff.tags],
        "priority": handoff.priority,
        "awaited": handoff.awaited,
        "waiting_since": handoff.waiting_since,
        "reply_due_at": handoff.reply_due_at,
        "breached": breached,
        "due_seconds": seconds,
    }


def _queue_entry(handoff: Handoff, now, question):
    waited_until = handoff.first_reply_at or now
    return {
        **triage_entry(handoff, now),
        "id": handoff.id,
        "status": handoff.status,
        "reason": handoff.reason,
        "conversation_id": handoff.conversation.public_id,
        "email": handoff.email,
        "name": handoff.name,
        "question": question,
        "created_at": handoff.created_at,
        "first_reply_at": handoff.first_reply_at,
        "waiting_seconds": round((waited_until - handoff.created_at).total_seconds(), 1),
        "assignee": handoff.assignee.email if handoff.assignee else None,
    }


def _transcript_entry(message: Message, helpful=None, email=None):
    entry = {"id": message.id, "role": message.role, "text": message.text, "at": message.created_at}
    if message.role == "bot":
        # Asked for a person, the customer gave the bot nothing to judge: its confidence in the
        # articles it searched with their words means nothing, the reason says it all.
        judged = message.offer_reason != HandoffReason.CUSTOMER_REQUEST
        entry.update(
            helpful=helpful,
            html=render_bot_message(message),
            action=message.action,
            confidence=message.confidence if judged else None,
            section_confidence=message.section_confidence if judged else None,
            section=message.section,
            sources=message.sources,
            choices=message.choices or [],
            cited_revision_id=message.revision_id,
            handoff_offered=message.handoff_offered,
            offer_reason=message.offer_reason,
        )
    elif message.role == "customer":
        entry["choice"] = message.choice
    elif message.role == "agent":
        entry["author"] = _name(message.author)
        if email is not None:
            entry["email"] = {
                "status": email.status,
                "attempts": email.attempts,
                "sent_at": email.sent_at,
                "next_attempt_at": email.next_attempt_at if email.status == EmailStatus.PENDING else None,
            }
    return entry


def _name(user):
    return (user.name or user.email) if user else None


def note_entry(note: Note):
    return {"id": note.id, "text": note.text, "author": _name(note.author), "at": note.created_at}


def handoff_context(session: Session, handoff: Handoff, now=None):
    """Everything an agent needs to see at once, as plain data (dicts, lists, datetimes).

    Keys: `handoff`, `customer`, `transcript`, `notes` (internal, staff
    only), `viewed_articles` (each with title, slug, when, seconds on the
    page, how the visitor got there, and whether it was before the handoff),
    `searches` (query, result count, the first results when recorded, when),
    `page_url`, `locale`, `user_agent`. The handoff's SLA state is as of `now` (default: now).
    """
    now = now or utcnow()
    conversation = handoff.conversation
    viewed_articles, searches = _help_center_activity(session, conversation, handoff.created_at)
    votes, emails = _votes(session, conversation), _reply_emails(session, conversation)
    return {
        "handoff": {
            "id": handoff.id,
            "status": handoff.status,
            "reason": handoff.reason,
            "resolution_reason": handoff.resolution_reason,
            "created_at": handoff.created_at,
            "first_reply_at": handoff.first_reply_at,
            "resolved_at": handoff.resolved_at,
            "assignee": handoff.assignee.email if handoff.assignee else None,
            "gap_question": recorded_gap_question(session, handoff),
            "gap_guess": gap_guesses(session, [handoff]).get(handoff.id),
            **triage_entry(handoff, now),
        },
        "customer": {"email": handoff.email, "name": handoff.name, "message": handoff.message},
        "conversation_id": conversation.public_id,
        "transcript": [
            _transcript_entry(message, votes.get(message.id), emails.get(message.id))
            for message in conversation.messages
        ],
        "notes": [note_entry(note) for note in handoff.notes],
        "viewed_articles": viewed_articles,
        "searches": searches,
        "page_url": handoff.page_url,
        "locale": handoff.locale,
        "user_agent": handoff.user_agent,
    }


def recorded_gap_question(session: Session, handoff: Handoff):
    """The question the agent named as the content gap when they resolved the handoff as
    `article_missing` (kept in the `handoff_resolved` event), or None."""
    if handoff.resolution_reason != "article_missing":
        return None
    data = session.scalar(
        select(Event.data)
        .where(Event.handoff_id == handoff.id, Event.type == "handoff_resolved")
        .order_by(Event.id.desc())
        .limit(1)
    )
    return (data or {}).get("gap_question")


def _help_center_activity(session: Session, conversation, handed_off_at):
    """(viewed articles, searches) of the conversation's visitor from CONTEXT_LOOKBACK before it on,
    each marked as before the handoff or after."""
    since = conversation.started_at - CONTEXT_LOOKBACK
    activity = session.execute(
        select(Event)
        .where(
            Event.visitor_id == conversation.visitor_id,
            Event.type.in_(("article_view", "article_read", "search")),
            Event.occurred_at >= since,
        )
        .order_by(Event.occurred_at, Event.id)
    ).scalars()
    views, seconds, searches = [], {}, []
    for event in activity:
        at = event.occurred_at
        if event.type == "article_view":
            views.append((event, at))
        elif event.type == "article_read":
            view_id = event.data.get("view_event_id")
            seconds[view_id] = max(seconds.get(view_id, 0), event.data.get("seconds", 0))
        else:
            searches.append(
                {
                    "query": event.data.get("query"),
                    "results": event.data.get("results"),
                    "top_results": event.data.get("top", []),  # not recorded before searches kept them
                    "at": at,
                    "before_handoff": at <= handed_off_at,
                }
            )
    viewed_articles = [
        {
            "slug": event.data.get("slug"),
            "title": event.data.get("title"),
            "at": at,
            "seconds": seconds.get(event.id),
            "via": event.data.get("ref"),
            "during_conversation": at >= conversation.started_at,
            "before_handoff": at <= handed_off_at,
        }
        for event, at in views
    ]
    return viewed_articles, searches


def _votes(session: Session, conversation):
    """{message id: the customer's vote on that bot reply ("Was this helpful?"), the latest when they
    changed it}."""
    return dict(
        session.execute(
            select(Feedback.message_id, Feedback.helpful)
            .join(Message, Message.id == Feedback.message_id)
            .where(Message.conversation_id == conversation.id)
            .order_by(Feedback.id)
        ).all()
    )


def _reply_emails(session: Session, conversation):
    """{message id: the `OutboundEmail` of that agent reply}."""
    return {
        email.message_id: email
        for email in session.scalars(
            select(OutboundEmail)
            .join(Message, Message.id == OutboundEmail.message_id)
            .where(Message.conversation_id == conversation.id)
        )
    }
