"""Support: conversations and their messages, handoffs to a person with notes and emailed replies,
votes, surveys, and `Event`, the append-only log that reports read."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .staff import User


class HandoffStatus(StrEnum):
    """Where a handoff stands (stored as its value)."""

    OPEN = "open"  # waiting for an agent
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


class HandoffReason(StrEnum):
    """Why a conversation went to a person (stored as its value); the bot offers one for the first three."""

    CUSTOMER_REQUEST = "customer_request"  # the customer asked for a person, or took the offer
    LOW_CONFIDENCE = "low_confidence"  # the help center does not answer the question
    REPEATED_UNHELPFUL = "repeated_unhelpful"  # two replies in a row did not help
    NEGATIVE_FEEDBACK = "negative_feedback"  # the customer voted an answer unhelpful


class Priority(StrEnum):
    """How urgent an agent judges a handoff (stored as its value); it orders nothing by itself."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Awaited(StrEnum):
    """The reply a waiting customer is owed (stored as its value): each has its SLA target."""

    FIRST_REPLY = "first_reply"  # no agent has replied yet
    NEXT_REPLY = "next_reply"  # the customer wrote again after an agent's reply


class EmailStatus(StrEnum):
    """Where an agent's reply queued for email stands (stored as its value)."""

    PENDING = "pending"  # to be tried (again)
    SENT = "sent"
    FAILED = "failed"  # refused for good, or still failing after every retry


class InboundStatus(StrEnum):
    """What became of a mail read from the support mailbox (stored as its value)."""

    ATTACHED = "attached"  # added to a conversation as the customer's message
    TRIAGE = "triage"  # matched no conversation for sure: waits for an agent to attach or discard it
    IGNORED = "ignored"  # an auto-reply or a bounce: kept, never added to a conversation
    DISCARDED = "discarded"  # an agent looked at it and threw it away


HANDOFF_STATUSES = tuple(status.value for status in HandoffStatus)
EMAIL_STATUSES = tuple(status.value for status in EmailStatus)
INBOUND_STATUSES = tuple(status.value for status in InboundStatus)
HANDOFF_REASONS = tuple(reason.value for reason in HandoffReason)
PRIORITIES = tuple(priority.value for priority in Priority)
RESOLUTION_REASONS = ("answered", "existing_article", "article_missing", "bug", "other")
SURVEY_KINDS = ("csat", "ces", "nps")
CES_CHOICES = ("easy", "neither", "difficult")


class Conversation(Base):
    """One chat between a visitor and kbbot (and, after a handoff, an agent)."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    visitor_id: Mapped[str] = mapped_column(String(64), index=True)
    page_url: Mapped[str | None] = mapped_column(String(2000))
    locale: Mapped[str | None] = mapped_column(String(35))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Indexed: a report reads the conversations that began before its period and went on into it.
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    messages: Mapped[list["Message"]] = relationship(
        back_populates="conversation",
        order_by="Message.id",
        cascade="all, delete-orphan",
    )
    handoff: Mapped["Handoff | None"] = relationship(back_populates="conversation", uselist=False)


class Message(Base):
    """A turn in a conversation, by the customer, the bot or an agent.

    A bot message keeps its whole decision: the action, the confidence, the
    articles it offered and the exact revision of the article it cited, so a
    later edit can show which answers relied on the old text.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))  # "customer" | "bot" | "agent"
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bot messages: the question answered, the query retrieval ran (with context), the decision.
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    query: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float | None] = mapped_column(Float)
    sources: Mapped[list[dict]] = mapped_column(JSON, default=list)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"), index=True)
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", ondelete="SET NULL"), index=True
    )
    handoff_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    offer_reason: Mapped[str | None] = mapped_column(String(40))
    # An answer's section (its heading, "" for the introduction, and anchor) and the confidence in it.
    section: Mapped[str | None] = mapped_column(String(500))
    anchor: Mapped[str | None] = mapped_column(String(300))
    section_confidence: Mapped[float | None] = mapped_column(Float)
    # A suggestion's choices: [{"slug", "title", "section", "anchor", "url", "probability"}], best first.
    choices: Mapped[list[dict] | None] = mapped_column(JSON)
    # Customer messages that picked one of those choices: {"slug", "anchor"}.
    choice: Mapped[dict | None] = mapped_column(JSON)
    # Agent messages: who wrote it.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class Handoff(Base):
    """A conversation passed to a person: one per conversation, with a lifecycle.

    open -> assigned -> resolved, and back to open when the customer writes
    again. The page, locale and user agent are kept as they were at the handoff.
    """

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default=HandoffStatus.OPEN.value, index=True)
    reason: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    page_url: Mapped[str | None] = mapped_column(String(2000))
    locale: Mapped[str | None] = mapped_column(String(35))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    priority: Mapped[str] = mapped_column(
        String(10), default=Priority.NORMAL.value, server_default=Priority.NORMAL.value, index=True
    )
    # The customer's current wait for an agent (kbbot/support/sla.py): since when, for which reply, and
    # when the SLA target falls due; all None while nobody waits on the agents (or, due, without a target).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    awaited: Mapped[str | None] = mapped_column(String(20))
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    conversation: Mapped[Conversation] = relationship(back_populates="handoff")
    assignee: Mapped[User | None] = relationship()
    tags: Mapped[list["Tag"]] = relationship(secondary="handoff_tags", order_by="Tag.name")
    notes: Mapped[list["Note"]] = relationship(
        back_populates="handoff",
        order_by="Note.id",
        cascade="all, delete-orphan",
    )


class Tag(Base):
    """A label agents put on handoffs, normalized (kbbot/support/tags.py): "billing", "bug-report"."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


handoff_tags = Table(
    "handoff_tags",
    Base.metadata,
    Column("handoff_id", ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ReplyTarget(Base):
    """One SLA target that ended: met by an agent's reply in time, or breached (a late reply, or the
    handoff resolved after the target passed). Targets resolved in time without a reply are not kept."""

    __tablename__ = "reply_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), index=True)
    awaited: Mapped[str] = mapped_column(String(20))
    waiting_since: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The agent whose reply ended it; None when resolving did.
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    met: Mapped[bool] = mapped_column(Boolean)


class Note(Base):
    """An agent's internal note on a handoff: seen by staff only, never by the customer."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    handoff: Mapped[Handoff] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class OutboundEmail(Base):
    """An agent reply to email to the customer, kept until the mail server takes it.

    `mail.deliver` tries it at once and again, with growing delays, while the server cannot take
    it; the email itself is composed from the reply at each try, so no address or text is copied.
    """

    __tablename__ = "outbound_emails"
    __table_args__ = (Index("ix_outbound_emails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=EmailStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The kind of the last failure (an exception name or SMTP code), never an address or text.
    last_error: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The email's Message-ID header, chosen at the first try and kept for the retries, so that the
    # customer's answer (In-Reply-To, References) finds its conversation.
    email_message_id: Mapped[str | None] = mapped_column(String(255), unique=True)

    message: Mapped[Message] = relationship()


class InboundEmail(Base):
    """A mail read from the support mailbox (kbbot/support/inbound_mail.py), kept whatever became of it:
    attached to a conversation, waiting in triage, or ignored (auto-replies, bounces), with the reason.

    `message_id` (the mail's Message-ID header, or one made from its content when it has none) is
    unique: a mail read twice, by two processes or after a crash, is recorded once.
    """

    __tablename__ = "inbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    sender: Mapped[str] = mapped_column(String(320), default="")  # the From address
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")  # To, Delivered-To..., comma-separated
    subject: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)  # bytes, as the mailbox reported it
    # The mail's readable text (quoted mail included, capped), and its new text with its attachments
    # noted: what is added to the conversation.
    text: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    chat_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))

    conversation: Mapped[Conversation | None] = relationship()


class Feedback(Base):
    """A "was this helpful?" vote on a bot answer or on an article; one per visitor and target."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("visitor_id", "message_id"),
        UniqueConstraint("visitor_id", "article_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[str] = mapped_column(String(64), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SurveyResponse(Base):
    """A CSAT (1-5), CES (easy/neither/difficult) or NPS (0-10) answer; one per kind per conversation."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("conversation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    score: Mapped[int | None] = mapped_column(Integer)  # CSAT and NPS
    choice: Mapped[str | None] = mapped_column(String(20))  # CES
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Event(Base):
    """One entry of the append-only event log that reports are computed from.

    `type` is one of `events.TYPES`; `data` holds what is specific to it
    (a search's query and result count, a view's referrer kind...).
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    visitor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Indexed, as every key of the log: the reports look entries up by them, and deleting a conversation
    # (`privacy`) clears them in its log entries without reading the whole log.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
