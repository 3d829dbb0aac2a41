"""The customer is typing: the widget reports it, the agent's handoff page shows it.

The widget sends it at most every 2.5 s while the customer types (with the signed visitor id, from an
allowed origin like every public call); a report costs one conditional write, since the core keeps at
most one per conversation every 2 s (`presence.customer_typed`). Nothing is added to the transcript.
The other way round, an agent typing reaches the widget in its poll's answer (`agent_typing`).
"""

from datetime import datetime, timezone

from flask import Blueprint

from ...support import conversations, presence
from ..session import get_session
from ..visitors import current_visitor_id
from .openapi import documented

bp = Blueprint("presence", __name__)


@bp.post("/conversations/<conversation_id>/typing")
@documented(status=204, errors=(404,))
def customer_typing(conversation_id):
    """The customer is typing a message (agents on the handoff see "Customer is typing…")."""
    session = get_session()
    conversation = conversations.get_for_visitor(session, conversation_id, current_visitor_id(create=False))
    presence.customer_typed(session, conversation, datetime.now(timezone.utc))
    return "", 204
