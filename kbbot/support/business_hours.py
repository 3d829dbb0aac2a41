"""When people are at work to answer handoffs.

A schedule is written as in a shop window, e.g. `mon-fri 09:00-17:30; sat
10:00-14:00` (or `24/7`), in one time zone (KBBOT_TIMEZONE). Outside those
hours a handoff still lands in the queue; the customer is told when a person
will reply, and where: by email when kbbot can send it, else in the chat. Pure functions.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(
    r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$"
)


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    # One list of (opens, closes) local times per weekday, Monday first; None means always open.
    hours: tuple[tuple[tuple[time, time], ...], ...] | None


def _days(spec):
    days = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown day in {part!r}; use {', '.join(DAYS)}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.extend(
            DAYS.index(day)
            for day in (DAYS[start : end + 1] if start <= end else DAYS[start:] + DAYS[: end + 1])
        )
    return days


def parse(spec, zone_name="UTC"):
    """A `Schedule` from "mon-fri 09:00-17:00; sat 10:00-14:00"; ValueError saying what is wrong."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone {zone_name!r}") from e
    spec = spec.strip().lower()
    if spec in ("24/7", "always"):
        return Schedule(zone, None)
    hours = [[] for _ in DAYS]
    for rule in filter(None, (part.strip() for part in spec.split(";"))):
        match = _RULE.match(rule)
        if not match:
            raise ValueError(f"cannot read business hours {rule!r}; write e.g. 'mon-fri 09:00-17:00'")
        try:
            opens, closes = time.fromisoformat(match["start"]), time.fromisoformat(match["end"])
        except ValueError as e:
            raise ValueError(f"bad time in {rule!r}") from e
        if closes <= opens:
            raise ValueError(f"closing time must be after opening time in {rule!r}")
        for day in _days(match["days"]):
            hours[day].append((opens, closes))
    return Schedule(zone, tuple(tuple(sorted(day)) for day in hours))


def is_open(schedule: Schedule, now: datetime):
    if schedule.hours is None:
        return True
    local = now.astimezone(schedule.zone)
    return any(opens <= local.time() < closes for opens, closes in schedule.hours[local.weekday()])


def next_opening(schedule: Schedule, now: datetime):
    """When people are next at work (aware datetime): `now` if open, None if the schedule is empty."""
    if is_open(schedule, now):
        return now
    local = now.astimezone(schedule.zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for opens, _ in schedule.hours[day.weekday()]:
            candidate = datetime.combine(day, opens, tzinfo=schedule.zone)
            if candidate > local:
                return candidate
    return None


def availability(schedule: Schedule, now: datetime, by_email=False):
    """Whether people answer now, when they are next at work, and what the handoff form says.

    `by_email`: replies are emailed too (kbbot/support/mail.py), so a customer who leaves still gets one;
    otherwise the reply waits in the chat, which the widget keeps for a returning customer.
    """
    channel = "email" if by_email else "chat"
    if is_open(schedule, now):
        notice = "A person from our support team will reply here shortly" + (
            ", and by email if you have left."
            if by_email
            else ". If you leave, come back to this page to read it."
        )
        return {
            "agents_available": True,
            "next_available_at": now,
            "reply_channel": channel,
            "notice": notice,
        }
    next_at = next_opening(schedule, now)
    when = next_at.strftime("%A %H:%M") + f" ({schedule.zone.key})" if next_at else "as soon as possible"
    how = "by email" if by_email else "here (come back to this page to read it)"
    return {
        "agents_available": False,
        "next_available_at": next_at,
        "reply_channel": channel,
        "notice": f"Our team is away right now. A person will reply {how} when we are back, from {when}.",
    }


def _open_periods(schedule: Schedule, start: datetime):
    """The open periods from `start` on, as (opens, closes) aware UTC datetimes, the first cut at `start`.

    Computed in UTC so that a change of clocks (DST) counts the hours that really pass.
    """
    start = start.astimezone(UTC)
    day = start.astimezone(schedule.zone).date()
    while True:
        for opens, closes in schedule.hours[day.weekday()]:
            begin = datetime.combine(day, opens, tzinfo=schedule.zone).astimezone(UTC)
            end = datetime.combine(day, closes, tzinfo=schedule.zone).astimezone(UTC)
            if end > start:
                yield max(begin, start), end
        day += timedelta(days=1)


def add_business_time(schedule: Schedule, start: datetime, duration: timedelta):
    """The moment `duration` of open time has passed since `start` (aware), counting only business
    hours: 1 h from Friday 16:30 with mon-fri 09:00-17:00 is Monday 09:30. None if never open."""
    if schedule.hours is None:
        return start + duration
    if not any(schedule.hours):
        return None
    left = duration
    for opens, closes in _open_periods(schedule, start):
        if closes - opens >= left:
            return opens + left
        left -= closes - opens


def business_seconds_between(schedule: Schedule, start: datetime, end: datetime):
    """Seconds of open time in [start, end) (aware datetimes); 0 when `end` is not after `start`."""
    if end <= start:
        return 0.0
    if schedule.hours is None:
        return (end - start).total_seconds()
    if not any(schedule.hours):
        return 0.0
    seconds = 0.0
    for opens, closes in _open_periods(schedule, start):
        if opens >= end:
            break
        seconds += (min(closes, end) - opens).total_seconds()
    return seconds
