"""SLA figures: the share of reply targets met, and how long customers waited for a first reply in
business hours (docs/metrics.md). Pure functions of the records."""

from dataclasses import dataclass

from ..models import Awaited
from ..support import business_hours
from .kinds import Duration, Rate
from .rates import mean, median


@dataclass
class SlaFigures:
    """The SLA targets that ended in a period, met or breached, and the median business time to a first
    reply of the period's handoffs. Rates in [0, 1]; None where nothing was measured."""

    first_reply_targets: int = 0
    first_reply_met: int = 0
    first_reply_met_rate: Rate = None
    next_reply_targets: int = 0
    next_reply_met: int = 0
    next_reply_met_rate: Rate = None
    median_first_reply_business_seconds: Duration = None


def sla_figures(targets, handoffs, since, until, schedule=None) -> SlaFigures:
    """The figures of [since, until) from `targets` (`ReplyTargetRecord`s, those ending in the period
    count) and `handoffs` (`HandoffRecord`s of the period's conversations); their first replies are
    timed in `schedule`'s business hours (None: around the clock)."""
    ended = [target for target in targets if since <= target.ended_at < until]
    first = [target.met for target in ended if target.awaited == Awaited.FIRST_REPLY]
    following = [target.met for target in ended if target.awaited == Awaited.NEXT_REPLY]
    schedule = schedule or business_hours.parse("24/7")
    waits = [
        business_hours.business_seconds_between(schedule, handoff.created_at, handoff.first_reply_at)
        for handoff in handoffs
        if handoff.first_reply_at is not None
    ]
    return SlaFigures(
        first_reply_targets=len(first),
        first_reply_met=sum(first),
        first_reply_met_rate=mean(first),
        next_reply_targets=len(following),
        next_reply_met=sum(following),
        next_reply_met_rate=mean(following),
        median_first_reply_business_seconds=median(waits),
    )
