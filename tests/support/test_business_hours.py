"""Business hours: parsing a schedule, whether people are at work, and when they are back."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kbbot.support import business_hours

BERLIN = "mon-fri 09:00-17:30; sat 10:00-14:00"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_open_and_closed_in_the_schedules_own_time_zone():
    schedule = business_hours.parse(BERLIN, "Europe/Berlin")
    assert business_hours.is_open(schedule, utc(2026, 11, 23, 8, 0))  # Monday 09:00 in Berlin (UTC+1)
    assert not business_hours.is_open(schedule, utc(2026, 11, 23, 7, 59))
    assert not business_hours.is_open(schedule, utc(2026, 11, 23, 16, 30))  # 17:30 Berlin: closed
    assert not business_hours.is_open(schedule, utc(2026, 11, 29, 11, 0))  # Sunday


def test_next_opening_skips_closed_days():
    schedule = business_hours.parse(BERLIN, "Europe/Berlin")
    saturday_evening = utc(2026, 11, 28, 18, 0)
    opening = business_hours.next_opening(schedule, saturday_evening)
    assert opening.isoformat() == "2026-11-30T09:00:00+01:00"  # Monday morning
    friday_evening = utc(2026, 11, 27, 20, 0)
    assert business_hours.next_opening(schedule, friday_evening).isoformat() == "2026-11-28T10:00:00+01:00"
    now = utc(2026, 11, 23, 10, 0)
    assert business_hours.next_opening(schedule, now) == now


def test_always_open_and_day_ranges_that_wrap():
    assert business_hours.is_open(business_hours.parse("24/7"), utc(2026, 11, 29, 3, 0))
    weekend_nights = business_hours.parse("fri-mon 20:00-23:00")
    assert [day for day in range(7) if weekend_nights.hours[day]] == [0, 4, 5, 6]


@pytest.mark.parametrize(
    "spec, zone, message",
    [
        ("mon-fri 9-5", "UTC", "cannot read business hours"),
        ("mon-fry 09:00-17:00", "UTC", "unknown day"),
        ("mon 17:00-09:00", "UTC", "closing time must be after"),
        ("mon 09:00-17:00", "Mars/Olympus", "unknown time zone"),
        ("mon 25:00-26:00", "UTC", "bad time"),
    ],
)
def test_bad_schedules_say_what_is_wrong(spec, zone, message):
    with pytest.raises(ValueError, match=message):
        business_hours.parse(spec, zone)


# -- business time (SLA targets) ---------------------------------------------------

HOUR = timedelta(hours=1)


def test_business_time_runs_only_while_open():
    schedule = business_hours.parse("mon-fri 09:00-17:00")
    add = business_hours.add_business_time
    assert add(schedule, utc(2026, 11, 23, 10, 0), HOUR) == utc(2026, 11, 23, 11, 0)  # Monday, open
    assert add(schedule, utc(2026, 11, 23, 16, 30), HOUR) == utc(2026, 11, 24, 9, 30)  # over the night
    assert add(schedule, utc(2026, 11, 27, 16, 30), HOUR) == utc(2026, 11, 30, 9, 30)  # over the weekend
    assert add(schedule, utc(2026, 11, 28, 12, 0), HOUR) == utc(2026, 11, 30, 10, 0)  # asked on Saturday
    assert add(schedule, utc(2026, 11, 23, 6, 0), 4 * HOUR) == utc(2026, 11, 23, 13, 0)  # before opening
    assert add(schedule, utc(2026, 11, 23, 9, 0), 8 * HOUR) == utc(2026, 11, 23, 17, 0)  # the whole day
    assert add(schedule, utc(2026, 11, 23, 9, 0), 24 * HOUR) == utc(2026, 11, 25, 17, 0)  # three days


def test_business_time_with_split_days_and_the_schedules_time_zone():
    schedule = business_hours.parse("mon-fri 09:00-12:00; mon-fri 13:00-17:00", "Asia/Tokyo")
    # Monday 11:30 in Tokyo (02:30 UTC): 30 min before lunch, the other 30 after it.
    monday = utc(2026, 11, 23, 2, 30)
    assert business_hours.add_business_time(schedule, monday, HOUR) == utc(2026, 11, 23, 4, 30)


def test_business_time_counts_the_hours_that_pass_over_a_change_of_clocks():
    schedule = business_hours.parse("24/7", "Europe/Berlin")
    before = utc(2026, 3, 29, 0, 30)  # 01:30 in Berlin; at 02:00 the clocks go to 03:00
    assert business_hours.add_business_time(schedule, before, HOUR) == utc(2026, 3, 29, 1, 30)
    nights = business_hours.parse("sun 00:00-06:00", "Europe/Berlin")
    # Sunday 00:00-06:00 local is only 5 hours that day: the 6th hour is the next Sunday's first.
    opening = datetime(2026, 3, 29, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert business_hours.add_business_time(nights, opening, 5 * HOUR) == utc(2026, 3, 29, 4, 0)
    assert business_hours.add_business_time(nights, opening, 6 * HOUR) == utc(2026, 4, 4, 23, 0)


def test_business_time_never_comes_without_hours():
    closed = business_hours.parse("")
    assert business_hours.add_business_time(closed, utc(2026, 11, 23, 10, 0), HOUR) is None
    assert business_hours.business_seconds_between(closed, utc(2026, 11, 23), utc(2026, 11, 30)) == 0


def test_business_seconds_between_two_moments():
    schedule = business_hours.parse("mon-fri 09:00-17:00", "America/New_York")
    between = business_hours.business_seconds_between
    friday_4pm, monday_10am = utc(2026, 11, 27, 21, 0), utc(2026, 11, 30, 15, 0)  # New York times
    assert between(schedule, friday_4pm, monday_10am) == 2 * 3600
    assert between(schedule, monday_10am, friday_4pm) == 0
    assert between(business_hours.parse("24/7"), friday_4pm, monday_10am) == 66 * 3600
    # The inverse of add_business_time.
    later = business_hours.add_business_time(schedule, friday_4pm, 5 * HOUR)
    assert between(schedule, friday_4pm, later) == 5 * 3600
