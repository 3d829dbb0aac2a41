"""The customer's earlier conversations: the same visitor's, or handed off with the same email address.

An agent sees at once that the customer wrote before, what about, and how it ended.
"""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import Conversation, Handoff, Message

MAX_EARLIER = 10


def earlier_conversations(session: Session, handoff: Handoff, limit=MAX_EARLIER):
    """The conversations started before `handoff`'s by the same visitor or handed off with the same
    email address (case aside), the latest first, at most `limit`; those without a customer message
    are left out. Each: `started_at`, `question` (the customer's first message), `handoff_id`,
    `status` and `resolution_reason` (None without a handoff)."""
    conversation = handoff.conversation
    first_message = (
        select(Message.text)
        .where(Message.conversation_id == Conversation.id, Message.role == "customer")
        .order_by(Message.id)
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Conversation.started_at, first_message, Handoff.id, Handoff.status, Handoff.resolution_reason)
        .outerjoin(Handoff, Handoff.conversation_id == Conversation.id)
        .where(
            Conversation.id != conversation.id,
            Conversation.started_at < conversation.started_at,
            or_(
                Conversation.visitor_id == conversation.visitor_id,
                func.lower(Handoff.email) == handoff.email.lower(),
            ),
            first_message.is_not(None),
        )
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return [
        {
            "started_at": started_at,
            "question": question,
            "handoff_id": handoff_id,
            "status": status,
            "resolution_reason": resolution,
        }
        for started_at, question, handoff_id, status, resolution in rows
    ]
