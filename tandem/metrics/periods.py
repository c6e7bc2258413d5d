"""Calendar buckets in UTC: days, ISO weeks (Monday to Sunday) and months.

A ticket belongs to the period in which it was opened, so each period is a cohort of tickets and every
metric of a period describes the same tickets (those still open simply have no outcome yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypeVar, get_args

from tandem.metrics.facts import TicketFactsLike, as_utc

Granularity = Literal["day", "week", "month"]
GRANULARITIES: tuple[str, ...] = get_args(Granularity)

T = TypeVar("T", bound=TicketFactsLike)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # inclusive, UTC midnight
    end: datetime  # exclusive
    label: str  # "2025-03-04", "2025-W10" or "2025-03"


def period_of(at: datetime, granularity: Granularity) -> Period:
    """The period that contains `at`."""
    at = as_utc(at)
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "day":
        return Period(day, day + timedelta(days=1), f"{day:%Y-%m-%d}")
    if granularity == "week":
        start = day - timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Period(start, start + timedelta(days=7), f"{year}-W{week:02d}")
    if granularity == "month":
        start = day.replace(day=1)
        end = (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
        return Period(start, end, f"{start:%Y-%m}")
    raise ValueError(f"unknown granularity {granularity!r} (one of {', '.join(GRANULARITIES)})")


def period_range(first: datetime, last: datetime, granularity: Granularity) -> list[Period]:
    """Every period from the one containing `first` to the one containing `last`, gaps included."""
    periods = [period_of(first, granularity)]
    stop = period_of(last, granularity)
    while periods[-1].start < stop.start:
        periods.append(period_of(periods[-1].end, granularity))
    return periods


def bucket(
    facts: Iterable[T],
    granularity: Granularity,
    *,
    now: datetime,
    since: datetime | None = None,
) -> list[tuple[Period, list[T]]]:
    """Tickets grouped by the period they were opened in, in time order.

    The periods run without gaps from the one containing `since` (or the first ticket) to the one
    containing `now`, so charts show empty periods as such. No tickets and no `since`: no periods.
    """
    items: Sequence[T] = list(facts)
    if since is None and not items:
        return []
    first = since if since is not None else min(as_utc(t.opened_at) for t in items)
    periods = period_range(first, max(as_utc(now), as_utc(first)), granularity)
    groups: dict[datetime, list[T]] = {p.start: [] for p in periods}
    for t in items:
        start = period_of(t.opened_at, granularity).start
        if start in groups:
            groups[start].append(t)
    return [(p, groups[p.start]) for p in periods]
