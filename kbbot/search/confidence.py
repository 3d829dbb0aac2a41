"""Confidence in [0, 1] that the top article answers the question, and the decision.

The confidence is a logistic model over four pieces of retrieval evidence
(see `Evidence`). Its weights were fitted by
`bench/calibrate.py` on development questions only (BANKING77 train queries
and the sample help center's dev set), so that it reads as a probability
that the question is covered; docs/calibration.md records the fit. The
answer and suggest thresholds are configuration (KBBOT_ANSWER_THRESHOLD,
KBBOT_SUGGEST_THRESHOLD), chosen from the same measurements.
"""

import math
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What the bot does with a question (stored as its value)."""

    ANSWER = "answer"  # quotes the section that answers
    SUGGEST = "suggest"  # "Which of these?": sections or articles to pick from
    HANDOFF = "handoff"  # offers a person


FEATURE_NAMES = ("dense_max", "margin", "known_share", "names_code")
# Fitted by bench/calibrate.py; regenerate with `python bench/calibrate.py`.
WEIGHTS = (6.0881, 4.6064, 2.2023, 4.7441)
BIAS = -5.5635
# Chosen by bench/calibrate.py (its cost model); the defaults of KBBOT_ANSWER_THRESHOLD,
# KBBOT_SECTION_THRESHOLD and KBBOT_SUGGEST_THRESHOLD.
ANSWER_THRESHOLD = 0.825
SECTION_THRESHOLD = 0.9
SUGGEST_THRESHOLD = 0.5
# Chosen by bench/search_floor.py: help-center search leaves out results below it (KBBOT_SEARCH_FLOOR).
SEARCH_FLOOR = 0.53
# An article below this best-entry similarity is not offered as a source at all.
MIN_SOURCE_SIMILARITY = 0.2


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for one question.

    `known_share` is what catches in-domain questions the knowledge base does
    not cover: they tend to name things it never mentions ("hubspot",
    "peppol"), while their embedding still lands near related articles.
    `names_code` is the opposite case: an exact error code is certain
    evidence, however little else of the wording matches.
    """

    dense_max: float  # cosine of the top article's best entry, in [-1, 1]
    margin: float  # gap between the two highest fused scores, >= 0 (how clearly one article stands out)
    known_share: float  # share of the question's terms that occur anywhere in the knowledge base
    names_code: float  # 1.0 when the top article contains an error code the question names, else 0.0

    def as_tuple(self):
        return tuple(getattr(self, name) for name in FEATURE_NAMES)


def evidence(hits, query_terms, vocabulary):
    """The `Evidence` for the top hit, or None when nothing was retrieved."""
    if not hits:
        return None
    top = hits[0]
    # By score, not by rank: an exact error-code match may rank an article first with a lower score.
    scores = sorted((hit.score for hit in hits), reverse=True)
    margin = scores[0] - scores[1] if len(scores) > 1 else scores[0]
    return Evidence(top.dense_max, margin, _known_share(query_terms, vocabulary), float(top.names_code))


def _known_share(query_terms, vocabulary):
    return sum(1 for term in query_terms if term in vocabulary) / len(query_terms) if query_terms else 0.0


def hit_confidences(hits, query_terms, vocabulary):
    """Probability in [0, 1] for each of `hits` (aligned with them) that it is the article that answers.

    The `confidence` of each hit's own evidence, its margin being its fused score less the best
    score of the other hits: for the best-scoring hit that is `evidence`'s margin, for the others
    it is negative. So a clear match keeps only its close rivals, and a question the knowledge
    base does not cover keeps none: what the help center's search floor cuts on.
    """
    if not hits:
        return []
    scores = sorted((hit.score for hit in hits), reverse=True)
    best, runner_up = scores[0], (scores[1] if len(scores) > 1 else 0.0)
    known = _known_share(query_terms, vocabulary)
    return [
        confidence(
            Evidence(
                hit.dense_max,
                hit.score - (runner_up if hit.score == best else best),
                known,
                float(hit.names_code),
            )
        )
        for hit in hits
    ]


def confidence(found: Evidence | None, weights=WEIGHTS, bias=BIAS):
    """Probability in [0, 1] that the top article answers the question."""
    if found is None:
        return 0.0
    z = bias + sum(w * x for w, x in zip(weights, found.as_tuple()))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def is_relevant(hit):
    """Whether an article is worth showing as a source at all."""
    return hit.dense_max >= MIN_SOURCE_SIMILARITY


@dataclass(frozen=True)
class Thresholds:
    """Where the decision changes, each a confidence in [0, 1] (configuration, chosen on dev data)."""

    answer: float  # the article's confidence an answer needs
    section: float  # the section's confidence an answer needs besides
    suggest: float  # under this the bot offers no articles, only a person


def decide(article_confidence, section_confidence, thresholds):
    """`answer` when sure of the article and of its section; `suggest` (choices: the article's
    sections, or the likeliest articles) when sure of one but not the other, or only fairly sure
    of the article; else `handoff`."""
    if article_confidence >= thresholds.answer:
        return Action.ANSWER if section_confidence >= thresholds.section else Action.SUGGEST
    if article_confidence >= thresholds.suggest:
        return Action.SUGGEST
    return Action.HANDOFF
