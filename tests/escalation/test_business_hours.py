"""Business hours: parsing, opening times and a pickup clock that only runs while people are at work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tandem.escalation.business_hours import (
    add_business_time,
    describe,
    is_open,
    next_opening,
    parse_business_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = parse_business_hours("Mon-Fri 09:00-17:00 Europe/Berlin")


def _berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)  # 2026-11-23 is a Monday


def test_parses_days_times_and_zone() -> None:
    assert HOURS.weekdays == [0, 1, 2, 3, 4] and HOURS.timezone == "Europe/Berlin"
    assert describe(HOURS) == "Mon-Fri 09:00-17:00 (Europe/Berlin)"
    assert parse_business_hours("Fri-Mon 10:00-14:00 UTC").weekdays == [4, 5, 6, 0]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("weekdays 9-5", "expected e.g."),
        ("Mon-Fun 09:00-17:00 UTC", "unknown day 'fun'"),
        ("Mon-Fri 09:00-17:00 Mars/Olympus", "unknown time zone"),
        ("Mon-Fri 17:00-09:00 UTC", "closing time must be after"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_business_hours(spec)


def test_open_and_next_opening() -> None:
    assert is_open(HOURS, _berlin(23, 10))
    assert not is_open(HOURS, _berlin(23, 18))
    assert next_opening(HOURS, _berlin(23, 10)) == _berlin(23, 10)
    assert next_opening(HOURS, _berlin(23, 18)) == _berlin(24, 9)
    assert next_opening(HOURS, _berlin(27, 18)) == _berlin(30, 9)  # Friday evening -> Monday morning


def test_pickup_clock_counts_business_time_only() -> None:
    assert add_business_time(HOURS, _berlin(23, 10), timedelta(minutes=30)) == _berlin(23, 10, 30)
    assert add_business_time(HOURS, _berlin(23, 16, 50), timedelta(minutes=30)) == _berlin(24, 9, 20)
    assert add_business_time(HOURS, _berlin(28, 12), timedelta(minutes=5)) == _berlin(30, 9, 5)  # Saturday
