"""The customer's and the bot's messages of a set of conversations, read in one query: the turns that
the agents' queue and the reports both judge with `decisions` (agent replies are not turns)."""

from sqlalchemy import select

from ..models import Message

# What each row has, whoever reads the turns.
TURN_COLUMNS = (
    Message.id,
    Message.conversation_id,
    Message.role,
    Message.text,
    Message.created_at,
    Message.in_reply_to_id,
    Message.action,
    Message.choice,
)


def turns(session, conversation_ids, *columns):
    """Rows of the customer's and the bot's messages of the conversations `conversation_ids` (ids or a
    subquery), in order: `TURN_COLUMNS`, then `columns`."""
    return session.execute(
        select(*TURN_COLUMNS, *columns)
        .where(Message.conversation_id.in_(conversation_ids), Message.role.in_(("customer", "bot")))
        .order_by(Message.id)
    ).all()
