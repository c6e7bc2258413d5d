"""Business hours: when people are at work, and clocks that only run while they are.

Plain functions over the `BusinessHours` contract so the workflow can compute deadlines deterministically.
Settings take a compact form, e.g. "Mon-Fri 09:00-17:00 Europe/Berlin".
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tandem.contracts import BusinessHours

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPEC = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})"
    r"\s+(?P<tz>\S+)\s*$",
    re.I,
)
_MAX_DAYS_AHEAD = 14


def parse_business_hours(spec: str) -> BusinessHours:
    """'Mon-Fri 09:00-17:00 Europe/Berlin' -> BusinessHours; a clear error names what is wrong."""
    match = _SPEC.match(spec)
    if not match:
        raise ValueError(f"business hours {spec!r}: expected e.g. 'Mon-Fri 09:00-17:00 Europe/Berlin'")
    first, last = match["first"].lower(), (match["last"] or match["first"]).lower()
    for day in (first, last):
        if day not in _DAYS:
            raise ValueError(f"business hours {spec!r}: unknown day {day!r}")
    try:
        ZoneInfo(match["tz"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"business hours {spec!r}: unknown time zone {match['tz']!r}") from None
    start, end = _DAYS.index(first), _DAYS.index(last)
    days = list(range(start, end + 1)) if start <= end else [*range(start, 7), *range(0, end + 1)]
    opens, closes = time.fromisoformat(match["open"].zfill(5)), time.fromisoformat(match["close"].zfill(5))
    if closes <= opens:
        raise ValueError(f"business hours {spec!r}: closing time must be after opening time")
    return BusinessHours(weekdays=days, opens=opens, closes=closes, timezone=match["tz"])


def zone(hours: BusinessHours) -> ZoneInfo:
    return ZoneInfo(hours.timezone)


def is_open(hours: BusinessHours, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(hours.timezone))
    return local.weekday() in hours.weekdays and hours.opens <= local.time() < hours.closes


def next_opening(hours: BusinessHours, at: datetime) -> datetime:
    """`at` itself when open, else the next moment the team is at work."""
    if is_open(hours, at):
        return at
    zone = ZoneInfo(hours.timezone)
    local = at.astimezone(zone)
    for offset in range(_MAX_DAYS_AHEAD):
        day = (local + timedelta(days=offset)).date()
        opening = datetime.combine(day, hours.opens, tzinfo=zone)
        if day.weekday() in hours.weekdays and opening > local:
            return opening.astimezone(at.tzinfo)
    raise ValueError("business hours have no opening in the next two weeks")


def add_business_time(hours: BusinessHours, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of working time has passed after `start` (a pickup clock in business time)."""
    zone = ZoneInfo(hours.timezone)
    moment = next_opening(hours, start)
    remaining = duration
    for _ in range(_MAX_DAYS_AHEAD * 2):
        local = moment.astimezone(zone)
        closing = datetime.combine(local.date(), hours.closes, tzinfo=zone)
        available = closing - local
        if remaining <= available:
            return (local + remaining).astimezone(start.tzinfo)
        remaining -= available
        moment = next_opening(hours, closing.astimezone(start.tzinfo))
    raise ValueError("business-time deadline is more than four weeks away")


def describe(hours: BusinessHours) -> str:
    days = [_DAYS[d].capitalize() for d in hours.weekdays]
    span = f"{days[0]}-{days[-1]}" if len(days) > 1 else days[0]
    return f"{span} {hours.opens:%H:%M}-{hours.closes:%H:%M} ({hours.timezone})"
