"""The append-only event log that deflection and content reports are computed from.

Events are queued on the database session that did the work (`record`) and
written after that work was committed, in a transaction of their own (`flush`,
called by the web layer after each response and by the CLI after each
command), so a failing log write can neither undo nor delay an answer by more
than one insert. A failed write is logged as an error and its events counted
by the caller (/healthz shows the count), never silently dropped.
"""

import logging

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, object_session

from .models import Event, utcnow

logger = logging.getLogger(__name__)

TYPES = (
    "search",  # data: query, results (count), source ("help_center" | "widget" | "api"), top [{slug, title}]
    "article_view",  # article_id; data: ref (one of help_center.REFERRER_KINDS), slug, title
    "article_read",  # article_id; data: view_event_id, seconds (time on the page, reported by the browser,
    # capped by `reading_seconds`), reported (what the browser said, only when it was more)
    "chat_question",  # conversation_id, message_id (the customer's message)
    "email_received",  # conversation_id, message_id (the customer's answer by email, added to the chat)
    "bot_decision",  # message_id (the bot's); article_id (top article); data: action, confidence
    "choice_picked",  # message_id (the bot's answer to the pick); article_id; data: section (its heading)
    "feedback",  # message_id or article_id; data: helpful
    "handoff_offered",  # message_id; data: reason
    "handoff_requested",  # handoff_id; data: reason
    "handoff_assigned",  # handoff_id; data: assignee_id, automatic (true when round-robin assigned it)
    "handoff_released",  # handoff_id; data: assignee_id (who went away or offline: back to the queue)
    "agent_reply",  # handoff_id, message_id
    "reply_emailed",  # handoff_id, message_id (the agent's reply, sent to the customer by email)
    "reply_email_failed",  # handoff_id, message_id (refused for good, or still failing after every retry)
    "handoff_resolved",  # handoff_id; data: resolution_reason, gap_question (article_missing: the agent's)
    "handoff_reopened",  # handoff_id
    "handoff_triaged",  # handoff_id; data: priority, tags (as they are after the change), agent_id
    "survey",  # conversation_id; data: kind, score or choice
    "conversation_end",  # conversation_id
)


QUEUE = "kbbot.events"  # the key of a session's queued events in `Session.info`


def record(
    session,
    type_,
    *,
    visitor_id=None,
    conversation_id=None,
    message_id=None,
    handoff_id=None,
    article_id=None,
    **data,
):
    """Queue one event on `session`; `flush` writes it after the session's own data."""
    if type_ not in TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    event = Event(
        type=type_,
        occurred_at=utcnow(),
        visitor_id=visitor_id,
        conversation_id=conversation_id,
        message_id=message_id,
        handoff_id=handoff_id,
        article_id=article_id,
        data=data,
    )
    session.info.setdefault(QUEUE, []).append(event)
    return event


def record_in(conversation, type_, **fields):
    """`record` an event of `conversation` (its visitor and id filled in) on the conversation's session."""
    return record(
        object_session(conversation),
        type_,
        visitor_id=conversation.visitor_id,
        conversation_id=conversation.id,
        **fields,
    )


SEARCH_RESULTS_KEPT = 3  # a search's best results kept with it, for the agent who later reads the log


def record_search(session, visitor_id, query, results, source):
    """Log a search with its result count and its first results (`results`: (slug, title) pairs)."""
    top = [{"slug": slug, "title": title} for slug, title in results[:SEARCH_RESULTS_KEPT]]
    return record(
        session, "search", visitor_id=visitor_id, query=query, results=len(results), source=source, top=top
    )


def record_article_view(session, article, visitor_id, ref):
    """Log a view of `article`; the caller writes it at once (`flush`), as the page reports reading time
    against its id."""
    view = record(
        session,
        "article_view",
        visitor_id=visitor_id,
        article_id=article.id,
        slug=article.slug,
        title=article.title,
        ref=ref,
    )
    return view


def seen_since(session, visitor_id, since):
    """Whether `visitor_id` has any written event at or after `since` (a datetime)."""
    found = session.execute(
        select(Event.id).where(Event.visitor_id == visitor_id, Event.occurred_at >= since).limit(1)
    )
    return found.first() is not None


def recent_view(session, visitor_id, article_id, since):
    """The visitor's latest `article_view` of the article at or after `since` (written events only), or None.

    A view within a short time of another by the same visitor is the same reading (a reload, a
    revisit, a script repeating it): the caller counts it once.
    """
    return session.execute(
        select(Event)
        .where(
            Event.type == "article_view",
            Event.visitor_id == visitor_id,
            Event.article_id == article_id,
            Event.occurred_at >= since,
        )
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(1)
    ).scalar_one_or_none()


READING_WORDS_PER_MINUTE = 50  # a quarter of an average reader's speed: slow, with pauses
READING_SECONDS_BESIDES = 120  # looking at pictures, trying the steps, a very short article
READING_SECONDS_CEILING = 3600  # nobody reads one help article for longer


def longest_reading(words):
    """The most seconds a person could spend reading an article of `words` words (at most an hour)."""
    return min(READING_SECONDS_CEILING, READING_SECONDS_BESIDES + words * 60 / READING_WORDS_PER_MINUTE)


def reading_seconds(reported, words):
    """The reading time counted for a browser's report of `reported` seconds on an article of `words`
    words: no more than a person could spend reading it (`longest_reading`)."""
    return max(0.0, min(reported, longest_reading(words)))


def record_reading_time(session, view, reported, words):
    """Log the time a visitor spent on `view`'s article page (`reading_seconds` of `reported`); the
    article has `words` words. A report above the cap is kept beside it as `reported`."""
    counted = round(reading_seconds(reported, words), 1)
    extra = {"reported": round(reported, 1)} if counted < round(reported, 1) else {}
    return record(
        session,
        "article_read",
        visitor_id=view.visitor_id,
        article_id=view.article_id,
        view_event_id=view.id,
        seconds=counted,
        **extra,
    )


def flush(session):
    """Write the events queued on `session` in a transaction of their own: the number that could not be
    written (0 when all were). Logs, never raises, a failure."""
    queued = session.info.pop(QUEUE, [])
    if not queued:
        return 0
    writer = Session(session.get_bind(), expire_on_commit=False)
    try:
        writer.add_all(queued)
        writer.commit()
        return 0
    except SQLAlchemyError as e:
        writer.rollback()
        logger.error(
            "event log write failed, %d event(s) not recorded (%s): %s",
            len(queued),
            ", ".join(sorted({event.type for event in queued})),
            e.__class__.__name__,
        )
        return len(queued)
    finally:
        writer.close()
