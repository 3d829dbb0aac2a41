"""Business hours: parsing a schedule, whether people are at work, and when they are back."""

from datetime import datetime, timezone

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
