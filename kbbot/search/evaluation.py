"""Answer-quality metrics over a labelled question set.

A question set is JSON Lines: `{"query": "...", "expected": ["slug", ...]}`;
`expected: []` marks a question the knowledge base does not cover. A covered
question may also list `"answer": ["phrase", ...]`: phrases of the expected
article, any one of which shows the customer the fact asked for, and
`"section": ["heading", ...]`: the sections of its first expected article
that answer it (by heading; "" for the introduction). A right article with
the wrong section (the yearly price asked, the extra-user price shown; "Turn
off 2FA" for turning it on) still leaves the customer without an answer, or
misinformed; the phrases and sections measure that. Metric functions are
pure; `evaluate` runs the engine over a set.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import KbbotError
from .chunking import plain
from .confidence import Action


@dataclass(frozen=True)
class LabelledQuestion:
    query: str
    expected: tuple[str, ...]
    answer: tuple[str, ...] = ()  # phrases, any one of which answers it
    sections: tuple[str, ...] = ()  # headings of the sections of expected[0] that answer it

    def is_right_section(self, slug, section):
        """Whether `section` of article `slug` answers the question (when its sections are labelled)."""
        return (
            slug == self.expected[0] and section in self.sections if self.sections else slug in self.expected
        )


@dataclass(frozen=True)
class Outcome:
    """What the engine did with one labelled question."""

    question: LabelledQuestion
    ranked_slugs: tuple[str, ...]
    action: str
    confidence: float
    latency_ms: float
    answer_text: str = ""  # Markdown
    sections: tuple[str, ...] = ()  # the headings answered from, or the best one's when not answering
    section_confidence: float = 0.0
    choices: tuple[tuple[str, str], ...] = ()  # (slug, section heading) offered with `suggest`

    @property
    def answered_article(self):
        return self.ranked_slugs[0] if self.action == Action.ANSWER and self.ranked_slugs else None

    def shows_the_fact(self):
        """Whether the answer shows one of the question's phrases (False for an uncovered question)."""
        return bool(self.question.answer) and shows_the_fact(self.answer_text, self.question.answer)

    def is_wrong_answer(self):
        """An answer from an article that does not answer the question, or one whose text lacks the fact."""
        if self.action != Action.ANSWER:
            return False
        if self.answered_article not in self.question.expected:
            return True
        return bool(self.question.answer) and not self.shows_the_fact()

    def is_resolved(self):
        """Answered with the fact, or offered the right article and section among the choices."""
        if self.action == Action.ANSWER:
            return not self.is_wrong_answer()
        return self.action == Action.SUGGEST and any(
            self.question.is_right_section(slug, section) for slug, section in self.choices
        )


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
    wrong_answers: float  # of all answers (covered or not), share that are wrong (`Outcome.is_wrong_answer`)
    uncovered_answered: float
    resolved_covered: float  # `Outcome.is_resolved`
    # Of answers from the right article with labelled sections, the share from a right one.
    section_accuracy: float
    suggest_rate_covered: float
    handoff_rate_covered: float
    suggest_rate_uncovered: float
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
                sections = record.get("section", [])
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
            if not isinstance(sections, list) or not all(isinstance(heading, str) for heading in sections):
                raise KbbotError(f"{path}, line {number}: 'section' must be a list of headings")
            if (answer or sections) and not expected:
                raise KbbotError(f"{path}, line {number}: 'answer' and 'section' need an expected article")
            questions.append(LabelledQuestion(query, tuple(expected), tuple(answer), tuple(sections)))
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
    """Whether Markdown `answer_text` says one of `phrases` (as the index reads text: formatting
    aside, table rows as "Header: value"; case and spacing aside)."""
    text = _folded(plain(answer_text))
    return any(_folded(phrase) in text for phrase in phrases)


def _mean(values):
    return float(np.mean(values)) if len(values) else float("nan")


def report(outcomes):
    """The metrics of a list of `Outcome`s."""
    covered = [o for o in outcomes if o.question.expected]
    uncovered = [o for o in outcomes if not o.question.expected]
    latencies = [o.latency_ms for o in outcomes]
    answered_with_phrases = [o for o in covered if o.question.answer and o.action == Action.ANSWER]
    sectioned = [
        o
        for o in covered
        if o.action == Action.ANSWER and o.question.sections and o.answered_article == o.question.expected[0]
    ]
    return Report(
        covered=len(covered),
        uncovered=len(uncovered),
        precision_at_1=_mean(
            [float(o.ranked_slugs[:1] != () and o.ranked_slugs[0] in o.question.expected) for o in covered]
        ),
        mrr_at_10=_mean([reciprocal_rank(o.ranked_slugs, o.question.expected) for o in covered]),
        recall_at_5=_mean([recall_at(o.ranked_slugs, o.question.expected) for o in covered]),
        answer_rate_covered=_mean([float(o.action == Action.ANSWER) for o in covered]),
        handoff_rate_uncovered=_mean([float(o.action == Action.HANDOFF) for o in uncovered]),
        auroc=auroc([o.confidence for o in covered], [o.confidence for o in uncovered]),
        answers_with_the_fact=_mean([float(o.shows_the_fact()) for o in answered_with_phrases]),
        wrong_answers=_mean([float(o.is_wrong_answer()) for o in outcomes if o.action == Action.ANSWER]),
        uncovered_answered=_mean([float(o.action == Action.ANSWER) for o in uncovered]),
        resolved_covered=_mean([float(o.is_resolved()) for o in covered]),
        section_accuracy=_mean([float(bool(set(o.sections) & set(o.question.sections))) for o in sectioned]),
        suggest_rate_covered=_mean([float(o.action == Action.SUGGEST) for o in covered]),
        handoff_rate_covered=_mean([float(o.action == Action.HANDOFF) for o in covered]),
        suggest_rate_uncovered=_mean([float(o.action == Action.SUGGEST) for o in uncovered]),
        latency_p50_ms=float(np.percentile(latencies, 50)) if latencies else float("nan"),
        latency_p95_ms=float(np.percentile(latencies, 95)) if latencies else float("nan"),
    )


def outcome(question, answer):
    """The `Outcome` of an `answers.Answer` to a labelled question."""
    return Outcome(
        question,
        tuple(answer.ranked_slugs),
        answer.action,
        answer.confidence,
        answer.latency_ms,
        answer.answer,
        answer.sections or (answer.section,),
        answer.section_confidence,
        tuple((choice.slug, choice.section) for choice in answer.choices),
    )


def evaluate(engine, session, questions):
    """Ask the engine every question; returns the `Outcome`s."""
    return [outcome(question, engine.ask(session, question.query)) for question in questions]
