"""Report periods: the days a period may name, whole UTC days, and the days or weeks a trend is cut into."""

from datetime import UTC, date, datetime, time, timedelta

GRANULARITIES = ("day", "week")
# A report's period unless told (`kbbot report`, the dashboard): the last 30 days, today included.
DEFAULT_PERIOD_DAYS = 30
# The days a period may name: Python's dates run from 0001-01-01 to 9999-12-31, and a period's
# default start (30 days before its end), its Monday-to-Sunday weeks and the report's windows
# after its last day must fit inside.
EARLIEST_DAY, LATEST_DAY = date(2, 1, 1), date(9998, 12, 31)
# Up to this many days a trend is drawn day by day; a longer period week by week.
DAILY_TREND_MAX_DAYS = 31


def day_out_of_range(day):
    """Why `day` cannot bound a report period, or None when it can."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return f"{day} is out of range; choose a day from {EARLIEST_DAY} to {LATEST_DAY}"


def days(first, last):
    """The period [since, until) of the whole UTC days `first` to `last` (dates), both included."""
    return (
        datetime.combine(first, time(), UTC),
        datetime.combine(last + timedelta(days=1), time(), UTC),
    )


def as_utc(moment):
    """`moment` in UTC; a naive datetime is taken to be UTC already.

    Only for the period's bounds, which callers pass in: timestamps read from the
    database are timezone-aware already (models.UTCDateTime).
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def trend_periods(since, until, granularity):
    """[since, until) cut at UTC midnights ("day") or at Mondays 00:00 UTC ("week").

    The first and last week may be partial: every period lies inside [since, until).
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}, not {granularity!r}")
    since, until = as_utc(since), as_utc(until)
    start = datetime.combine(since.date(), time(), UTC)
    if granularity == "week":
        start -= timedelta(days=start.weekday())
    step = timedelta(days=1 if granularity == "day" else 7)
    periods = []
    while start < until:
        periods.append((max(start, since), min(start + step, until)))
        start += step
    return periods


def default_granularity(since, until):
    """Daily for periods up to `DAILY_TREND_MAX_DAYS` days, weekly for longer ones."""
    return "day" if until - since <= timedelta(days=DAILY_TREND_MAX_DAYS) else "week"
