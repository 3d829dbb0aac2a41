"""SLA targets: how soon, in business hours, a waiting customer gets an agent's reply.

A customer waits for a first reply from the handoff on, and for a next reply from the first message they
write after an agent replied; while the agents wait on the customer, or the handoff is resolved, nobody
waits and nothing is due. Each wait has a due time: its start plus the target (KBBOT_SLA_FIRST_REPLY,
KBBOT_SLA_NEXT_REPLY) counted in business hours (`business_hours.add_business_time`). A wait ends with an
agent's reply, met in time or breached, or with resolving, which counts as a breach only when the due
time had passed. Priority scales no target (kept simple, as Front does).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import Awaited, Handoff, ReplyTarget
from . import business_hours

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_UNITS = ("days", "hours", "minutes")


def parse_target(text):
    """A target such as `30m`, `4h`, `1h30m` or `1d` (24 hours, of business time like the rest) as a
    timedelta; None for an empty text or `off` (no target). ValueError saying what to write."""
    text = (text or "").strip().lower()
    if text in ("", "off"):
        return None
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        raise ValueError(f"cannot read {text!r}; write a duration such as 30m, 4h, 1h30m or 1d, or off")
    target = timedelta(**{unit: int(value) for unit, value in zip(_UNITS, match.groups()) if value})
    if not target:
        raise ValueError(f"{text!r} is no time at all; write a duration such as 30m, 4h, or off")
    return target


@dataclass(frozen=True)
class Policy:
    """The SLA targets (None: that reply has no target) and the business hours they are counted in."""

    schedule: business_hours.Schedule
    first_reply: timedelta | None = None
    next_reply: timedelta | None = None

    def target(self, awaited):
        return self.first_reply if awaited == Awaited.FIRST_REPLY else self.next_reply


def due_at(policy: Policy | None, awaited, since: datetime):
    """When a reply awaited since `since` falls due; None without a policy or a target for it."""
    target = policy.target(awaited) if policy is not None else None
    return business_hours.add_business_time(policy.schedule, since, target) if target else None


def customer_waits(handoff: Handoff, policy: Policy | None, now: datetime):
    """The customer writes (or asks for a person): a wait starts unless one runs already, whose target
    still counts from its start. A first reply is awaited until an agent has replied once."""
    if handoff.waiting_since is not None:
        return
    handoff.awaited = Awaited.FIRST_REPLY if handoff.first_reply_at is None else Awaited.NEXT_REPLY
    handoff.waiting_since = now
    handoff.reply_due_at = due_at(policy, handoff.awaited, now)


def wait_ends(session, handoff: Handoff, now: datetime, agent=None):
    """An agent replied (`agent`) or the handoff was resolved (no agent): the wait, if any, ends. A
    target that was due is kept as a `ReplyTarget`, met or not; resolving in time keeps none."""
    due = handoff.reply_due_at
    if handoff.waiting_since is not None and due is not None and (agent is not None or now > due):
        session.add(
            ReplyTarget(
                handoff_id=handoff.id,
                awaited=handoff.awaited,
                waiting_since=handoff.waiting_since,
                due_at=due,
                ended_at=now,
                agent_id=agent.id if agent is not None else None,
                met=now <= due,
            )
        )
    handoff.waiting_since = handoff.awaited = handoff.reply_due_at = None


def due_state(reply_due_at, now):
    """(breached, seconds): overdue by, or due in, that many seconds; (None, None) when nothing is due."""
    if reply_due_at is None:
        return None, None
    seconds = (reply_due_at - now).total_seconds()
    return seconds < 0, abs(seconds)


def policy(schedule, first_reply=None, next_reply=None):
    """The `Policy` of targets written as `parse_target` reads them; None when neither is set (no SLA)."""
    first_reply, next_reply = parse_target(first_reply), parse_target(next_reply)
    if first_reply is None and next_reply is None:
        return None
    return Policy(schedule, first_reply, next_reply)
