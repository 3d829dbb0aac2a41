"""What customers asked: the most frequent questions, and the content gaps, the questions the
knowledge base fell short on, grouped into topics (definitions: docs/metrics.md)."""

from collections import Counter
from dataclasses import dataclass, replace

from ..models import HandoffReason
from ..search import topics
from ..search.confidence import Action
from ..support.decisions import asks_something, question_behind_handoff
from ..text import normalize_question
from .deflection import kept_picks

# Bot actions that show the knowledge base had no confident answer to a question; a handoff
# because the customer asked for a person shows nothing about the knowledge base.
GAP_ACTIONS = (Action.SUGGEST, Action.HANDOFF)


@dataclass(frozen=True)
class QuestionCount:
    question: str
    count: int


@dataclass(frozen=True)
class Topic:
    """Similar questions: the label (the most asked), how often they were asked, other phrasings."""

    label: str
    count: int
    examples: tuple[str, ...]
    # (slug, title) of the article the bot answers the label from when the report is made: a gap an
    # article has closed since (`with_current_answers`); None: still a gap, or not asked.
    answered_now_by: tuple[str, str] | None = None


def top_questions(texts, limit):
    """The `limit` most frequent questions after `normalize_question`; ties in alphabetical order."""
    if limit <= 0:
        return []
    counts = Counter(normalize_question(text) for text in texts)
    counts.pop("", None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [QuestionCount(question, count) for question, count in ranked[:limit]]


def content_gap_questions(conversations):
    """The questions the knowledge base fell short on, as customer texts.

    Questions the bot replied to with a suggestion or a handoff (except a
    handoff the customer asked for, and a suggestion one of whose choices the
    customer picked and kept: the answer was there), plus, for a conversation
    whose handoff was resolved as `article_missing`, the question the agent
    named as the gap, else the best guess: the question behind the handoff
    (`decisions.question_behind_handoff`, never one the bot answered to the
    customer's satisfaction), else what the customer wrote with the handoff.
    A message that only says the last reply failed ("it still fails"), and a
    pick of one of the bot's choices, count as the question they follow,
    which is what the articles must answer. Each message once.
    """
    texts = {}
    for conversation in conversations:
        handoff = conversation.handoff
        answered_by_pick = {pick.picked_from for pick in kept_picks(conversation)}
        asked = None  # the latest question that asked something
        for question in conversation.questions:
            if asked is None or (not question.picked and asks_something(question.text)):
                asked = question
            reply = question.reply
            if (
                reply is not None
                and reply.action in GAP_ACTIONS
                and reply.offer_reason != HandoffReason.CUSTOMER_REQUEST
                and reply.message_id not in answered_by_pick
            ):
                texts[asked.message_id] = asked.text
        if handoff is not None and handoff.resolution_reason == "article_missing":
            behind = _question_behind(conversation)
            # The agent's question stands in for the guess: one handoff, one gap.
            key = behind.message_id if behind is not None else ("handoff", conversation.id)
            gap = handoff.gap_question or (behind.text if behind is not None else handoff.message.strip())
            if gap:
                texts[key] = gap
    return list(texts.values())


def _question_behind(conversation):
    """The `Question` `conversation`'s handoff is about (`question_behind_handoff`), or None."""
    turns = [
        (question, question.text, question.picked, _helped(question.reply))
        for question in conversation.questions
        if question.asked_at <= conversation.handoff.created_at
    ]
    return question_behind_handoff(turns)


def _helped(reply):
    """Whether the customer's latest vote on the bot's answer `reply` says it helped."""
    return reply is not None and reply.action == Action.ANSWER and bool(reply.votes) and reply.votes[-1]


def with_current_answers(report, answer_article):
    """`report` with each content gap's `answered_now_by`: `answer_article(label)` gives the (slug, title)
    the bot answers it from now, or None. The topics come from the period; the answer from today's articles."""
    if not report.content_gaps:
        return report
    gaps = [replace(topic, answered_now_by=answer_article(topic.label)) for topic in report.content_gaps]
    return replace(report, content_gaps=gaps)


def content_gap_topics(texts, encode, similarity, limit, examples):
    """`texts` grouped into topics (`kbbot.search.topics.group` on their normalized forms), the `limit` largest.

    `encode(list_of_texts)` returns their L2-normalized embeddings, shape (n, d);
    it is only called when there is something to group.
    """
    if limit <= 0:
        return []
    counts = Counter(normalize_question(text) for text in texts)
    counts.pop("", None)
    distinct = sorted(counts)
    if not distinct:
        return []
    groups = topics.group(distinct, encode(distinct), similarity, [counts[text] for text in distinct])
    return [
        Topic(
            label=distinct[grouped.leader],
            count=grouped.count,
            examples=tuple(distinct[i] for i in grouped.members[1 : 1 + examples]),
        )
        for grouped in groups[:limit]
    ]
