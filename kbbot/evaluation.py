"""Answer-quality metrics over a labelled question set.

A question set is JSON Lines: `{"query": "...", "expected": ["slug", ...]}`;
`expected: []` marks a question the knowledge base does not cover. A covered
question may also list `"answer": ["phrase", ...]`: phrases of the expected
article, any one of which shows the customer the fact asked for. A right
article with the wrong passage (the yearly price asked, the extra-user price
shown) still leaves the customer without an answer; the phrases measure that.
Metric functions are pure; `evaluate` runs the engine over a set.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .errors import KbbotError


@dataclass(frozen=True)
class LabelledQuestion:
    query: str
    expected: tuple[str, ...]
    answer: tuple[str, ...] = ()  # phrases, any one of which answers it


@dataclass(frozen=True)
class Outcome:
    """What the engine did with one labelled question."""

    question: LabelledQuestion
    ranked_slugs: tuple[str, ...]
    action: str
    confidence: float
    latency_ms: float
    answer_text: str = ""


@dataclass
class Report:
    covered: int
    uncovered: int
    precision_at_1: float
    mrr_at_10: float
    recall_at_5: float
    answer_rate_covered: float
    handoff_rate_uncovered: float
    auroc: float
    answers_with_the_fact: float  # of answered questions labelled with phrases, share whose answer shows one
    latency_p50_ms: float
    latency_p95_ms: float

    def as_dict(self):
        """The metrics, an undefined one (no question to measure it on) as None: JSON has no NaN."""
        return {
            name: None if isinstance(value, float) and np.isnan(value) else value
            for name, value in asdict(self).items()
        }


def read_questions(path: Path):
    """Labelled questions from a JSON Lines file; errors name the line."""
    questions = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                query, expected = record["query"], record["expected"]
                answer = record.get("answer", [])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise KbbotError(
                    f'{path}, line {number}: expected {{"query": str, "expected": [slug, ...]}} ({e})'
                ) from e
            if not isinstance(query, str) or not query.strip() or not isinstance(expected, list):
                raise KbbotError(
                    f"{path}, line {number}: 'query' must be a non-empty string and 'expected' a list"
                )
            if not isinstance(answer, list) or not all(
                isinstance(phrase, str) and phrase.strip() for phrase in answer
            ):
                raise KbbotError(f"{path}, line {number}: 'answer' must be a list of non-empty phrases")
            if answer and not expected:
                raise KbbotError(f"{path}, line {number}: 'answer' phrases need an expected article")
            questions.append(LabelledQuestion(query, tuple(expected), tuple(answer)))
    return questions


def reciprocal_rank(ranked, expected, cutoff=10):
    for rank, slug in enumerate(ranked[:cutoff], start=1):
        if slug in expected:
            return 1.0 / rank
    return 0.0


def recall_at(ranked, expected, k=5):
    return len(set(ranked[:k]) & set(expected)) / len(set(expected))


def auroc(positive_scores, negative_scores):
    """Probability that a random positive scores above a random negative (ties count half)."""
    positives = np.asarray(positive_scores, dtype=float)
    negatives = np.asarray(negative_scores, dtype=float)
    if len(positives) == 0 or len(negatives) == 0:
        return float("nan")
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))


def _folded(text):
    return " ".join(text.casefold().split())


def shows_the_fact(answer_text, phrases):
    """Whether `answer_text` contains one of `phrases` (case and spacing aside)."""
    text = _folded(answer_text)
    return any(_folded(phrase) in text for phrase in phrases)


def _mean(values):
    return float(np.mean(values)) if len(values) else float("nan")


def report(outcomes):
    """The metrics of a list of `Outcome`s."""
    covered = [o for o in outcomes if o.question.expected]
    uncovered = [o for o in outcomes if not o.question.expected]
    latencies = [o.latency_ms for o in outcomes]
    answered_with_phrases = [o for o in covered if o.question.answer and o.action == "answer"]
    return Report(
        covered=len(covered),
        uncovered=len(uncovered),
        precision_at_1=_mean(
            [float(o.ranked_slugs[:1] != () and o.ranked_slugs[0] in o.question.expected) for o in covered]
        ),
        mrr_at_10=_mean([reciprocal_rank(o.ranked_slugs, o.question.expected) for o in covered]),
        recall_at_5=_mean([recall_at(o.ranked_slugs, o.question.expected) for o in covered]),
        answer_rate_covered=_mean([float(o.action == "answer") for o in covered]),
        handoff_rate_uncovered=_mean([float(o.action == "handoff") for o in uncovered]),
        auroc=auroc([o.confidence for o in covered], [o.confidence for o in uncovered]),
        answers_with_the_fact=_mean(
            [float(shows_the_fact(o.answer_text, o.question.answer)) for o in answered_with_phrases]
        ),
        latency_p50_ms=float(np.percentile(latencies, 50)) if latencies else float("nan"),
        latency_p95_ms=float(np.percentile(latencies, 95)) if latencies else float("nan"),
    )


def evaluate(engine, session, questions):
    """Ask the engine every question; returns the `Outcome`s."""
    outcomes = []
    for question in questions:
        answer = engine.ask(session, question.query)
        outcomes.append(
            Outcome(
                question,
                tuple(answer.ranked_slugs),
                answer.action,
                answer.confidence,
                answer.latency_ms,
                answer.answer,
            )
        )
    return outcomes
