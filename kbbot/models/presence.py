"""Presence: which agents are at work and what they have open, and who is typing in a conversation.

Short-lived state, kept apart from the transcript and the event log: a row per agent, overwritten by
each heartbeat of their staff pages, and a row per conversation whose customer typed lately.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

PRESENCE_CHOICES = ("online", "away")  # what an agent sets; "offline" is only ever derived


class AgentPresence(Base):
    """One agent's presence: their choice, their last heartbeat, the handoff they have open.

    `last_assigned_at` is when round-robin last gave them a handoff (the fair rotation's order).
    """

    __tablename__ = "agent_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(10), default="online")
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The handoff page the agent has open (as of `seen_at`), whether its reply box holds unsent text,
    # and when they last pressed a key in it.
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    has_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    typed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CustomerTyping(Base):
    """When the customer of a conversation last typed in the widget (one row per conversation)."""

    __tablename__ = "customer_typing"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    typed_at: Mapped[datetime] = mapped_column(UTCDateTime())
