"""Support metrics over a list of ticket facts: plain Python, no store.

Definitions (every rate keeps its numerator and denominator; an empty denominator has no value):

- closed: the ticket's state is CLOSED. abandoned: closed with resolution `abandoned` (the customer
  went quiet); shown on its own as a share of closed tickets.
- escalated: escalated at any point (see `facts.was_escalated`). Paths: AI-only (never escalated),
  escalated (the AI sent at least one message, then a person took over), human-only (escalated with zero
  AI messages: AI off, shadow mode, or taken by a person from the start).
- containment = contained / (closed - abandoned), contained = closed, never escalated, and resolved by the
  AI or closed by the customer. Human-only tickets count as not contained.
- escalation rate = escalated / all tickets (open ones included: an escalation happens before close).
  Reasons: per escalation code, the number of escalated tickets that carry it (once per ticket).
- resolution time = closed_at - opened_at for closed, not abandoned tickets, per path: median and p90
  (linear interpolation between the closest ranks).
- CSAT per path and overall, over rated tickets: mean rating (1-5) and the share of ratings 4-5.
- reopen rate = tickets reopened at least once / tickets ever closed (closed now, or reopened since).
- durable resolution = closed, not abandoned tickets whose close is at least 7 days before `now` and that
  were never reopened / those tickets. Reopening is only possible inside the survey window after a close
  (`csat_window`, 24 h by default), so "never reopened" equals "not reopened within 7 days of close".
  The store clears `closed_at` on reopen, so a ticket reopened and closed again counts from its last
  close, and counts as not durable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tandem.evaluation.metrics import percentile
from tandem.metrics.facts import (
    SupportPath,
    TicketFactsLike,
    as_utc,
    ever_closed,
    is_abandoned,
    is_closed,
    is_contained,
    support_path,
    was_escalated,
)

DURABLE_AFTER = timedelta(days=7)
NO_VALUE = "(none)"  # the group of tickets without a product or category


@dataclass(frozen=True, slots=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, slots=True)
class Spread:
    """Durations in seconds."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(0, None, None)
        return cls(len(values), percentile(values, 50), percentile(values, 90))


@dataclass(frozen=True, slots=True)
class Csat:
    count: int
    mean: float | None
    satisfied: Rate  # ratings of 4 or 5 among the rated

    @classmethod
    def of(cls, ratings: Sequence[int]) -> Csat:
        mean = sum(ratings) / len(ratings) if ratings else None
        return cls(len(ratings), mean, Rate(sum(1 for r in ratings if r >= 4), len(ratings)))


@dataclass(frozen=True, slots=True)
class Metrics:
    tickets: int
    closed: int
    abandoned: Rate  # of closed tickets
    containment: Rate
    escalation: Rate
    escalation_reasons: dict[str, int]  # code -> tickets, most frequent first
    resolution_time: dict[SupportPath, Spread]
    csat: dict[SupportPath, Csat]
    csat_overall: Csat
    reopen: Rate
    durable: Rate
    durable_cutoff: datetime  # tickets closed at or before this count for durable resolution
    paths: dict[SupportPath, int] = field(default_factory=dict)  # tickets per path


def compute_metrics(
    facts: Iterable[TicketFactsLike], now: datetime, *, durable_after: timedelta = DURABLE_AFTER
) -> Metrics:
    """Every metric over `facts` (see the module docstring for the definitions)."""
    items = list(facts)
    closed = [t for t in items if is_closed(t)]
    abandoned = [t for t in closed if is_abandoned(t)]
    settled = [t for t in closed if not is_abandoned(t)]
    escalated = [t for t in items if was_escalated(t)]
    cutoff = as_utc(now) - durable_after

    reasons = Counter(code for t in escalated for code in set(t.escalation_codes))
    durations: dict[SupportPath, list[float]] = {p: [] for p in SupportPath}
    for t in settled:
        if t.closed_at is not None:
            seconds = (as_utc(t.closed_at) - as_utc(t.opened_at)).total_seconds()
            durations[support_path(t)].append(max(seconds, 0.0))
    ratings: dict[SupportPath, list[int]] = {p: [] for p in SupportPath}
    for t in items:
        if t.csat_rating is not None:
            ratings[support_path(t)].append(t.csat_rating)
    once_closed = [t for t in items if ever_closed(t)]
    eligible = [t for t in settled if t.closed_at is not None and as_utc(t.closed_at) <= cutoff]

    return Metrics(
        tickets=len(items),
        closed=len(closed),
        abandoned=Rate(len(abandoned), len(closed)),
        containment=Rate(sum(1 for t in settled if is_contained(t)), len(settled)),
        escalation=Rate(len(escalated), len(items)),
        escalation_reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        resolution_time={p: Spread.of(v) for p, v in durations.items()},
        csat={p: Csat.of(v) for p, v in ratings.items()},
        csat_overall=Csat.of([r for v in ratings.values() for r in v]),
        reopen=Rate(sum(1 for t in once_closed if t.reopen_count > 0), len(once_closed)),
        durable=Rate(sum(1 for t in eligible if t.reopen_count == 0), len(eligible)),
        durable_cutoff=cutoff,
        paths=dict(Counter(support_path(t) for t in items)),
    )


def metrics_by(
    facts: Iterable[TicketFactsLike],
    key: Callable[[TicketFactsLike], str | None],
    now: datetime,
) -> dict[str, Metrics]:
    """Metrics per group (e.g. product or category), largest group first; None goes to "(none)"."""
    groups: dict[str, list[TicketFactsLike]] = {}
    for t in facts:
        groups.setdefault(key(t) or NO_VALUE, []).append(t)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {name: compute_metrics(group, now) for name, group in ordered}
