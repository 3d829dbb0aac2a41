"""How far each agent has read each handoff: where its page opens, and which queue rows are unread.

A mark is the id of the last message of the conversation the agent had on screen (`ReadMark`). A
message is new to an agent when it comes after their mark and they did not write it themselves: the
customer's, the bot's, another agent's.
"""

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Handoff, Message, ReadMark, utcnow


def last_read(session: Session, handoff: Handoff, agent):
    """The id of the last message of `handoff` that `agent` had on screen; None before they opened it."""
    return session.scalar(
        select(ReadMark.message_id).where(ReadMark.handoff_id == handoff.id, ReadMark.user_id == agent.id)
    )


def _new_to(agent, after):
    """The condition on `Message` of a message new to `agent` after the message id `after`."""
    return and_(Message.id > after, or_(Message.author_id.is_(None), Message.author_id != agent.id))


def first_unread(session: Session, handoff: Handoff, agent, last_read_id):
    """The id of the first message of `handoff` new to `agent` after `last_read_id`; None when nothing
    is, or before they ever opened it (`last_read_id` None: the whole conversation is new, read from
    its start)."""
    if last_read_id is None:
        return None
    return session.scalar(
        select(func.min(Message.id)).where(
            Message.conversation_id == handoff.conversation_id, _new_to(agent, last_read_id)
        )
    )


def mark_read(session: Session, handoff: Handoff, agent, message_id=None):
    """Move `agent`'s mark on `handoff` to `message_id` (default: the conversation's latest message),
    never back: a page polled in one tab does not undo what another tab showed. Commits.

    Raises NotFound when `message_id` is not a message of the handoff's conversation."""
    latest = select(func.max(Message.id)).where(Message.conversation_id == handoff.conversation_id)
    if message_id is not None:
        latest = latest.where(Message.id == message_id)
    message_id = session.scalar(latest)
    if message_id is None:
        raise NotFound("message not found in this conversation")
    moved = session.execute(
        update(ReadMark)
        .where(
            ReadMark.handoff_id == handoff.id,
            ReadMark.user_id == agent.id,
            ReadMark.message_id < message_id,
        )
        .values(message_id=message_id, read_at=utcnow())
    ).rowcount
    if not moved and last_read(session, handoff, agent) is None:
        session.add(ReadMark(handoff_id=handoff.id, user_id=agent.id, message_id=message_id))
    try:
        session.commit()
    except IntegrityError:  # the agent's other tab marked it first: its mark stands
        session.rollback()
    return message_id


def read_states(session: Session, agent, handoff_ids):
    """{handoff id: (unread, opened)} for `handoff_ids`: whether a message is new to `agent`, and
    whether they have opened the handoff before (a mark to open it at)."""
    mark = (
        select(ReadMark.message_id)
        .where(ReadMark.handoff_id == Handoff.id, ReadMark.user_id == agent.id)
        .scalar_subquery()
    )
    new = exists().where(
        Message.conversation_id == Handoff.conversation_id, _new_to(agent, func.coalesce(mark, 0))
    )
    rows = session.execute(select(Handoff.id, new, mark.is_not(None)).where(Handoff.id.in_(handoff_ids)))
    return {handoff_id: (bool(unread), bool(opened)) for handoff_id, unread, opened in rows}


def with_read_state(session: Session, agent, entries):
    """The queue's lines (`agent_views.queue_entries`) with `unread` and `opened` for `agent`."""
    states = read_states(session, agent, [entry["id"] for entry in entries])
    return [dict(entry, unread=states[entry["id"]][0], opened=states[entry["id"]][1]) for entry in entries]
