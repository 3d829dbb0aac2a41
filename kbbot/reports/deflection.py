"""Conversation outcomes (deflected, handed off, abandoned), repeat contacts, resolution and
help-center sessions (definitions: docs/metrics.md)."""

import itertools
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from ..models import HandoffStatus
from .facts import as_facts


class Outcome(StrEnum):
    """How a conversation ended, as the reports count it (`outcome`)."""

    HANDED_OFF = "handed_off"
    DEFLECTED_CONFIRMED = "deflected_confirmed"  # the customer said or showed that an answer helped
    DEFLECTED_ASSUMED = "deflected_assumed"  # answered, and nothing says it failed
    DEFLECTION_PENDING = "deflection_pending"  # answered, and the customer may still come back
    ABANDONED = "abandoned"


OUTCOMES = tuple(outcome.value for outcome in Outcome)
DEFLECTED = (Outcome.DEFLECTED_CONFIRMED, Outcome.DEFLECTED_ASSUMED)


@dataclass(frozen=True)
class Outcomes:
    handed_off: int
    deflected_confirmed: int
    deflected_assumed: int
    deflection_pending: int  # would be assumed, but the visitor may still come back: not counted yet
    abandoned: int


def in_period(conversation, since, until):
    """Counted in [since, until): started in the period, with at least one customer message.

    `conversation`: a `ConversationFacts` or a full `ConversationRecord` (as for every judgement here).
    """
    conversation = as_facts(conversation)
    return since <= conversation.started_at < until and conversation.customer_messages > 0


def came_back_with_same_question(conversation, visitor_conversations, window):
    """Whether the visitor asked one of its answered questions again in another conversation.

    "The same question" is a question the customer typed (not a pick of the
    bot's choices) whose bot reply has the same top article as one of this
    conversation's answers, asked after its last message and at most `window` later.
    """
    conversation = as_facts(conversation)
    answered = conversation.answered
    if not answered:
        return False
    last, deadline = conversation.last_message_at, conversation.last_message_at + window
    return any(
        article_id in answered and last < other.moment(asked_after) <= deadline
        for other in map(as_facts, visitor_conversations)
        if other.id != conversation.id
        for asked_after, article_id in other.asked
    )


def outcome(conversation, visitor_conversations, deflection_window, as_of=None):
    """The conversation's `Outcome`; DEFLECTION_PENDING while its window is still open at `as_of`.

    `visitor_conversations`: the visitor's other conversations (this one may be among them).
    """
    conversation = as_facts(conversation)
    if conversation.handoff is not None:
        return Outcome.HANDED_OFF
    if conversation.confirmed:
        return Outcome.DEFLECTED_CONFIRMED
    if (
        conversation.answers
        and not conversation.said_no
        and not came_back_with_same_question(conversation, visitor_conversations, deflection_window)
    ):
        window_open = as_of is not None and conversation.last_message_at + deflection_window > as_of
        return Outcome.DEFLECTION_PENDING if window_open else Outcome.DEFLECTED_ASSUMED
    return Outcome.ABANDONED


def followed_by_repeat_contact(conversation, visitor_conversations, repeat_window):
    """Whether the visitor started a later conversation on one of its topics within `repeat_window`."""
    conversation = as_facts(conversation)
    deadline = conversation.started_at + repeat_window
    return any(
        (other.started_at, other.id) > (conversation.started_at, conversation.id)
        and other.started_at <= deadline
        and other.topics & conversation.topics
        for other in map(as_facts, visitor_conversations)
    )


def is_resolved(conversation, conversation_outcome):
    """Deflected, or handed off and the handoff is resolved (`conversation`: a record or its facts)."""
    if conversation_outcome in DEFLECTED:
        return True
    return conversation.handoff is not None and conversation.handoff.status == HandoffStatus.RESOLVED


def count_sessions(visits, gap):
    """Help-center sessions: each visitor's runs of visits with no gap longer than `gap`."""
    by_visitor = defaultdict(list)
    for visit in visits:
        by_visitor[visit.visitor_id].append(visit.at)
    sessions = 0
    for times in by_visitor.values():
        times.sort()
        sessions += 1 + sum(1 for before, after in itertools.pairwise(times) if after - before > gap)
    return sessions
