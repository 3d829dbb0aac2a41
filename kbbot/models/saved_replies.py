"""Saved replies (macros): texts with placeholders that agents insert into a reply, and their uses."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .staff import User


class SavedReply(Base):
    """A reply an agent inserts by its shortcut ("/refund") or from a menu; `body` holds placeholders
    (support/placeholders.py). Shared with the team when `owner_id` is None, else its owner's own."""

    __tablename__ = "saved_replies"
    # One owner's shortcuts are distinct; shared ones (no owner) are kept distinct by saved_replies.py.
    __table_args__ = (UniqueConstraint("owner_id", "shortcut"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    shortcut: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()

    @property
    def shared(self):
        return self.owner_id is None


class SavedReplyUse(Base):
    """One sent reply that used a saved reply: a log rather than a counter, so uses can be counted by
    period (and by agent), and two agents sending at once never lose an increment. The message goes
    when its conversation is erased or purged; the use stays counted."""

    __tablename__ = "saved_reply_uses"
    __table_args__ = (Index("ix_saved_reply_uses_reply_at", "saved_reply_id", "used_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_reply_id: Mapped[int] = mapped_column(ForeignKey("saved_replies.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
