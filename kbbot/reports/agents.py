"""Per-agent figures of a period: handoffs handled, median first reply, CSAT and SLA met share
(definitions: docs/metrics.md, "Per agent"). Pure functions of the records."""

from collections import defaultdict
from dataclasses import dataclass

from ..models import HandoffStatus
from ..support import business_hours
from .kinds import Duration, Rate, Score
from .rates import mean, median
from .surveys import csat_summary


@dataclass(frozen=True)
class AgentFigures:
    """One agent's figures. Durations in seconds, rates in [0, 1]; None where nothing was measured."""

    agent_id: int
    name: str
    handled: int  # handoffs they replied in, or resolved while assigned to them
    first_replies: int  # of those, the handoffs whose first agent reply was theirs
    median_first_reply_seconds: Duration
    median_first_reply_business_seconds: Duration
    csat_responses: int
    csat_average: Score
    csat_satisfied_rate: Rate
    sla_targets: int  # first- and next-reply targets that ended in the period, theirs
    sla_met: int
    sla_met_rate: Rate


def handlers(handoff):
    """The agents who handled `handoff` (a `HandoffRecord`): those who replied in it, and its assignee
    once it is resolved."""
    agents = set(handoff.repliers)
    if handoff.status == HandoffStatus.RESOLVED and handoff.assignee_id is not None:
        agents.add(handoff.assignee_id)
    return agents


def target_owner(target):
    """The agent a `ReplyTargetRecord` counts for: whose reply ended it, else (resolved after its due
    time) the handoff's assignee; None when nobody was."""
    return target.agent_id if target.agent_id is not None else target.assignee_id


def agent_figures(conversations, surveys, targets, since, until, names, schedule=None) -> list[AgentFigures]:
    """Each agent's figures for [since, until), most handoffs handled first (then by name).

    `conversations`: the counted `ConversationRecord`s (their handoffs are the period's); `surveys`: the
    `SurveyAnswer`s (those of other conversations are ignored); `targets`: `ReplyTargetRecord`s, those ending in the period count;
    `names`: {agent id: name}, every agent named in those records; `schedule`: the business hours
    first replies are timed in (None: around the clock).
    """
    schedule = schedule or business_hours.parse("24/7")
    handled, waits = defaultdict(set), defaultdict(list)
    for conversation in conversations:
        handoff = conversation.handoff
        if handoff is None:
            continue
        for agent_id in handlers(handoff):
            handled[agent_id].add(conversation.id)
        if handoff.first_replier_id is not None and handoff.first_reply_at is not None:
            waits[handoff.first_replier_id].append((handoff.created_at, handoff.first_reply_at))
    met = defaultdict(list)
    for target in targets:
        if (owner := target_owner(target)) is not None and since <= target.ended_at < until:
            met[owner].append(target.met)
    csat = defaultdict(list)
    for answer in surveys:
        if answer.kind == "csat":
            csat[answer.conversation_id].append(answer.score)
    rows = [
        _figures(
            agent_id,
            names.get(agent_id, f"#{agent_id}"),
            handled[agent_id],
            [score for conversation_id in handled[agent_id] for score in csat[conversation_id]],
            waits[agent_id],
            met[agent_id],
            schedule,
        )
        for agent_id in set(handled) | set(waits) | set(met)
    ]
    return sorted(rows, key=lambda row: (-row.handled, row.name.lower(), row.agent_id))


def _figures(agent_id, name, handled, csat_scores, waits, met, schedule):
    """One agent's `AgentFigures`: `handled` the conversation ids of their handoffs, `csat_scores` given
    in them, `waits` (handed off, first replied) of the handoffs they replied to first, `met` whether
    each of their targets was met."""
    wall = [(replied - created).total_seconds() for created, replied in waits]
    business = [business_hours.business_seconds_between(schedule, start, end) for start, end in waits]
    satisfaction = csat_summary(csat_scores)
    return AgentFigures(
        agent_id=agent_id,
        name=name,
        handled=len(handled),
        first_replies=len(waits),
        median_first_reply_seconds=median(wall),
        median_first_reply_business_seconds=median(business),
        csat_responses=satisfaction.responses,
        csat_average=satisfaction.average,
        csat_satisfied_rate=satisfaction.satisfied_rate,
        sla_targets=len(met),
        sla_met=sum(met),
        sla_met_rate=mean(met),
    )
