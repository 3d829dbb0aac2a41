"""Survey figures: CSAT, CES and NPS (definitions: docs/metrics.md)."""

from collections import Counter
from dataclasses import dataclass

from ..models import CES_CHOICES
from .kinds import NpsScore, Rate, Score
from .rates import mean, ratio

CSAT_SCALE = range(1, 6)
NPS_SCALE = range(11)


@dataclass(frozen=True)
class Csat:
    responses: int
    average: Score  # on the 1-5 scale
    distribution: dict[str, int]  # "1".."5" -> responses
    satisfied_rate: Rate  # share of 4 and 5, in [0, 1]: the "CSAT %"


@dataclass(frozen=True)
class Ces:
    responses: int
    distribution: dict[str, int]  # "easy" | "neither" | "difficult" -> responses


@dataclass(frozen=True)
class Nps:
    responses: int
    promoters: int  # 9-10
    passives: int  # 7-8
    detractors: int  # 0-6
    score: NpsScore  # % promoters - % detractors, in [-100, 100]


def csat_summary(scores):
    """CSAT of 1-5 scores (others are ignored): average, distribution, share of 4 and 5."""
    scores = [score for score in scores if score in CSAT_SCALE]
    distribution = Counter(scores)
    return Csat(
        responses=len(scores),
        average=mean(scores),
        distribution={str(value): distribution[value] for value in CSAT_SCALE},
        satisfied_rate=ratio(distribution[4] + distribution[5], len(scores)),
    )


def ces_summary(choices):
    """CES distribution over "easy" / "neither" / "difficult" (other choices are ignored)."""
    choices = [choice for choice in choices if choice in CES_CHOICES]
    distribution = Counter(choices)
    return Ces(responses=len(choices), distribution={choice: distribution[choice] for choice in CES_CHOICES})


def nps_summary(scores):
    """NPS of 0-10 scores (others are ignored): % promoters (9-10) - % detractors (0-6)."""
    scores = [score for score in scores if score in NPS_SCALE]
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return Nps(
        responses=len(scores),
        promoters=promoters,
        passives=len(scores) - promoters - detractors,
        detractors=detractors,
        score=100 * (promoters - detractors) / len(scores) if scores else None,
    )
