"""A customer's personal data erased on request, and conversations kept no longer than needed.

What kbbot holds about a customer is keyed by their anonymous visitor id: their conversations (the
messages, the handoff with the email and name they left, agents' notes on it, survey answers,
reply emails waiting to be sent), the event log of their visits (articles read, what they
searched) and their votes. A handoff ties an email address to the visitor ids it was left from.

`erase_visitors` deletes all of it for some visitors (a customer's right to erasure, GDPR article
17); `visitors_with_email` finds a customer's visitor ids from the address they gave. `purge_before`
keeps a retention period: conversations whose last message is older than a day, and older visit
events and votes, are deleted, but those of a customer still waiting on a handoff. Rows are
deleted, not blanked: reports of those periods no longer count them, which is what erasure and
retention mean. The database cascades each conversation's rows (models.py, ON DELETE CASCADE).
"""

from dataclasses import dataclass

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from ..models import Conversation, Event, Feedback, Handoff, HandoffStatus, Message
from . import outcome_facts


@dataclass(frozen=True)
class Deleted:
    conversations: int
    events: int
    votes: int


def visitors_with_email(session: Session, email):
    """The visitor ids whose conversations have a handoff left with `email` (any case)."""
    return set(
        session.scalars(
            select(Conversation.visitor_id)
            .join(Handoff, Handoff.conversation_id == Conversation.id)
            .where(func.lower(Handoff.email) == email.strip().lower())
        )
    )


def erase_visitors(session: Session, visitor_ids) -> Deleted:
    """Delete everything kept about these visitors; the caller commits (or rolls back a dry run)."""
    visitor_ids = list(visitor_ids)
    conversations = select(Conversation.id).where(Conversation.visitor_id.in_(visitor_ids))
    return _delete(
        session,
        conversations,
        events=or_(Event.visitor_id.in_(visitor_ids), Event.conversation_id.in_(conversations)),
        votes=Feedback.visitor_id.in_(visitor_ids),
    )


def purge_before(session: Session, cutoff) -> Deleted:
    """Delete the conversations whose last message came before `cutoff`, and the events and votes
    from before it; the caller commits. A customer still waiting on a handoff (not resolved) keeps
    everything, so the agent sees all they tried."""
    waiting = (
        select(Conversation.visitor_id)
        .join(Handoff, Handoff.conversation_id == Conversation.id)
        .where(Handoff.status != HandoffStatus.RESOLVED)
    )
    conversations = select(Conversation.id).where(
        Conversation.last_message_at < cutoff, Conversation.visitor_id.not_in(waiting)
    )
    return _delete(
        session,
        conversations,
        events=and_(
            Event.occurred_at < cutoff, or_(Event.visitor_id.is_(None), Event.visitor_id.not_in(waiting))
        ),
        votes=and_(Feedback.created_at < cutoff, Feedback.visitor_id.not_in(waiting)),
    )


def _delete(session, conversations, events, votes):
    """Bulk deletes in SQL (the session holds none of these rows); a conversation's own rows go
    with it by the database's cascades, its outcome facts too. A conversation kept that loses votes
    on its answers gets its facts worked out again (bulk deletes pass the session's bookkeeping by)."""
    options = {"synchronize_session": False}
    voted = session.scalars(
        select(Message.conversation_id).join(Feedback, Feedback.message_id == Message.id).where(votes)
    ).all()
    # Events first: they would only lose their conversation (SET NULL) if it went before them.
    deleted_events = session.execute(delete(Event).where(events), execution_options=options).rowcount
    deleted_votes = session.execute(delete(Feedback).where(votes), execution_options=options).rowcount
    deleted_conversations = session.execute(
        delete(Conversation).where(Conversation.id.in_(conversations)), execution_options=options
    ).rowcount
    outcome_facts.refresh(session, set(voted))
    return Deleted(deleted_conversations, deleted_events, deleted_votes)
