"""Each conversation's outcome facts, kept as its turns, votes and handoff happen, for the reports."""

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class OutcomeFacts(Base):
    """What the report definitions need of one conversation, worked out from its messages, votes and
    handoff (`kbbot.reports.facts.conversation_facts`) whenever those change, in the same transaction
    (`kbbot.support.outcome_facts`): a report reads one small row per conversation instead of every
    message. Derived data: `kbbot.support.outcome_facts.backfill` rebuilds it from the messages.

    `customer_messages`: how many messages the customer wrote (a report counts a conversation with at
    least one); `facts`: the rest, as `kbbot.reports.facts.stored` writes it (compact JSON text, decoded by
    the report's own code: one is read per conversation of a report).
    """

    __tablename__ = "conversation_facts"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    customer_messages: Mapped[int] = mapped_column(Integer)
    facts: Mapped[str] = mapped_column(Text)
