"""Read marks: how far each agent has read each handoff's conversation.

A high-water mark per agent and handoff, the id of the last message they had on screen: messages are
numbered in the order they were written, so everything after it is new to them.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class ReadMark(Base):
    """The last message of a handoff's conversation that an agent had on screen, and when."""

    __tablename__ = "read_marks"

    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Not a foreign key: a mark, not a link; it stays meaningful when the message itself is erased.
    message_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
