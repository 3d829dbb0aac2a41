"""What customers asked: the most frequent questions, and the content gaps, the questions the
knowledge base fell short on, grouped into topics (definitions: docs/metrics.md)."""

from collections import Counter
from dataclasses import dataclass, replace

from ..search import topics
from ..text import normalize_question
from .facts import as_facts


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
    return ranked_questions((normalize_question(text) for text in texts), limit)


def ranked_questions(normalized, limit):
    """`top_questions` of questions normalized already (as the stored facts keep them)."""
    if limit <= 0:
        return []
    counts = Counter(normalized)
    counts.pop("", None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [QuestionCount(question, count) for question, count in ranked[:limit]]


def content_gap_questions(conversations):
    """The questions the knowledge base fell short on, as customer texts.

    Questions the bot replied to with a suggestion or a handoff
    (`transcript.question_gaps`), plus, for a conversation whose handoff was
    resolved as `article_missing`, the question the agent named as the gap,
    else the best guess: the question behind the handoff
    (`transcript.question_behind`, never one the bot answered to the
    customer's satisfaction), else what the customer wrote with the handoff.
    Each message once. `conversations`: `ConversationFacts` or full records.
    """
    texts = {}
    for conversation in map(as_facts, conversations):
        texts.update(conversation.question_gaps)
        handoff = conversation.handoff
        if handoff is not None and handoff.resolution_reason == "article_missing":
            behind = conversation.behind
            # The agent's question stands in for the guess: one handoff, one gap.
            key = behind[0] if behind is not None else ("handoff", conversation.id)
            gap = handoff.gap_question or (behind[1] if behind is not None else handoff.message.strip())
            if gap:
                texts[key] = gap
    return list(texts.values())


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
