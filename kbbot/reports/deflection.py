"""Conversation outcomes (deflected, handed off, abandoned), repeat contacts, resolution and
help-center sessions (definitions: docs/metrics.md)."""

import itertools
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from ..models import HandoffStatus
from ..search.confidence import Action
from ..support.decisions import reports_failure
from ..support.small_talk import social_kind


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
    """Counted in [since, until): started in the period, with at least one customer message."""
    return since <= conversation.started_at < until and bool(conversation.questions)


def came_back_with_same_question(conversation, visitor_conversations, window):
    """Whether the visitor asked one of its answered questions again in another conversation.

    "The same question" is a question the customer typed (not a pick of the
    bot's choices) whose bot reply has the same top article as one of this
    conversation's answers, asked after its last message and at most `window` later.
    """
    answered = {answer.article_id for answer in conversation.answers if answer.article_id is not None}
    if not answered:
        return False
    deadline = conversation.last_message_at + window
    return any(
        question.reply is not None
        and not question.picked
        and question.reply.article_id in answered
        and conversation.last_message_at < question.asked_at <= deadline
        for other in visitor_conversations
        if other.id != conversation.id
        for question in other.questions
    )


def outcome(conversation, visitor_conversations, deflection_window, as_of=None):
    """The conversation's `Outcome`; DEFLECTION_PENDING while its window is still open at `as_of`.

    `visitor_conversations`: the visitor's other conversations (this one may be among them).
    """
    if conversation.handoff is not None:
        return Outcome.HANDED_OFF
    votes = [vote for answer in conversation.answers for vote in answer.votes]
    if True in votes or thanked_for_an_answer(conversation) or any(kept_picks(conversation)):
        return Outcome.DEFLECTED_CONFIRMED
    if (
        conversation.answers
        and False not in votes
        and not said_an_answer_failed(conversation)
        and not came_back_with_same_question(conversation, visitor_conversations, deflection_window)
    ):
        window_open = as_of is not None and conversation.last_message_at + deflection_window > as_of
        return Outcome.DEFLECTION_PENDING if window_open else Outcome.DEFLECTED_ASSUMED
    return Outcome.ABANDONED


def replies_to_answers(conversation):
    """The customer's messages that came right after a bot answer: what they said of it.

    A pick of one of the bot's choices says nothing of the answer before it in words.
    """
    after_answer = False
    for question in conversation.questions:
        if after_answer and not question.picked:
            yield question.text
        after_answer = question.reply is not None and question.reply.action == Action.ANSWER


def kept_picks(conversation):
    """The customer's picks of the bot's choices that the bot answered and the customer kept: no
    "helpful: no" vote on that answer, and their next message does not say it failed."""
    questions = conversation.questions
    for question, following in zip(questions, (*questions[1:], None), strict=True):
        answer = question.reply
        if not question.picked or answer is None or answer.action != Action.ANSWER or False in answer.votes:
            continue
        if following is None or following.picked or not reports_failure(following.text):
            yield question


def said_an_answer_failed(conversation):
    """Whether the customer replied to a bot answer that it did not work ("it still fails"): a "no" in words."""
    return any(reports_failure(text) for text in replies_to_answers(conversation))


def thanked_for_an_answer(conversation):
    """Whether the customer replied to a bot answer with thanks ("great, thanks!"): a "yes" in words."""
    return any(social_kind(text) == "thanks" for text in replies_to_answers(conversation))


def followed_by_repeat_contact(conversation, visitor_conversations, repeat_window):
    """Whether the visitor started a later conversation on one of its topics within `repeat_window`."""
    deadline = conversation.started_at + repeat_window
    return any(
        (other.started_at, other.id) > (conversation.started_at, conversation.id)
        and other.started_at <= deadline
        and other.topics & conversation.topics
        for other in visitor_conversations
    )


def is_resolved(conversation, conversation_outcome):
    """Deflected, or handed off and the handoff is resolved."""
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
