"""The append-only event log that deflection and content reports are computed from.

Views call `record(...)` while handling a request; the events are written after
the response's own data was committed, in a transaction of their own
(`flush`), so a failing log write can neither undo nor delay an answer by
more than one insert. A failed write is logged as an error and counted
(`failure_count`, shown by /healthz), never silently dropped.
"""

import logging

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError

from .models import Event, utcnow

logger = logging.getLogger(__name__)

TYPES = (
    "search",  # data: query, results (count), source ("help_center" | "widget" | "api"), top [{slug, title}]
    "article_view",  # article_id; data: ref (one of help_center.REFERRER_KINDS), slug, title
    "article_read",  # article_id; data: view_event_id, seconds (time on the page, reported by the browser)
    "chat_question",  # conversation_id, message_id (the customer's message)
    "bot_decision",  # message_id (the bot's); article_id (top article); data: action, confidence
    "choice_picked",  # message_id (the bot's answer to the pick); article_id; data: section (its heading)
    "feedback",  # message_id or article_id; data: helpful
    "handoff_offered",  # message_id; data: reason
    "handoff_requested",  # handoff_id; data: reason
    "handoff_assigned",  # handoff_id; data: assignee_id
    "agent_reply",  # handoff_id, message_id
    "reply_emailed",  # handoff_id, message_id (the agent's reply, sent to the customer by email)
    "reply_email_failed",  # handoff_id, message_id (refused for good, or still failing after every retry)
    "handoff_resolved",  # handoff_id; data: resolution_reason
    "handoff_reopened",  # handoff_id
    "survey",  # conversation_id; data: kind, score or choice
    "conversation_end",  # conversation_id
)


def record(
    type_, *, visitor_id=None, conversation_id=None, message_id=None, handoff_id=None, article_id=None, **data
):
    """Queue one event for this request; it is written by `flush` after the response's data."""
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
    g.setdefault("kbbot_events", []).append(event)
    return event


def record_in(conversation, type_, **fields):
    """`record` an event of `conversation` (its visitor and id filled in)."""
    return record(type_, visitor_id=conversation.visitor_id, conversation_id=conversation.id, **fields)


SEARCH_RESULTS_KEPT = 3  # a search's best results kept with it, for the agent who later reads the log


def record_search(visitor_id, query, results, source):
    """Log a search with its result count and its first results (`results`: (slug, title) pairs)."""
    top = [{"slug": slug, "title": title} for slug, title in results[:SEARCH_RESULTS_KEPT]]
    return record("search", visitor_id=visitor_id, query=query, results=len(results), source=source, top=top)


def record_article_view(article, visitor_id, ref):
    """Log a view of `article` and write it at once: the page reports reading time against its id."""
    view = record(
        "article_view",
        visitor_id=visitor_id,
        article_id=article.id,
        slug=article.slug,
        title=article.title,
        ref=ref,
    )
    flush()
    return view


def flush():
    """Write the queued events in their own transaction; report, never raise, on failure."""
    queued = g.pop("kbbot_events", [])
    if not queued:
        return
    session = current_app.extensions["kbbot.sessionmaker"]()
    try:
        session.add_all(queued)
        session.commit()
    except SQLAlchemyError as e:
        session.rollback()
        failures = current_app.extensions.get("kbbot.event_failures", 0) + len(queued)
        current_app.extensions["kbbot.event_failures"] = failures
        logger.error(
            "event log write failed, %d event(s) not recorded (%s): %s",
            len(queued),
            ", ".join(sorted({event.type for event in queued})),
            e.__class__.__name__,
        )
    finally:
        session.close()


def failure_count(app):
    return app.extensions.get("kbbot.event_failures", 0)


def init_app(app):
    app.extensions["kbbot.event_failures"] = 0

    @app.after_request
    def _write_events(response):
        flush()
        return response
