"""`tandem report`: the support metrics over a time range, as a terminal table and an offline HTML page.

`build_report` is plain Python over ticket facts (see `tandem.metrics` for the definitions); the
renderers only format a `Report`.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tandem.metrics import (
    Granularity,
    Metrics,
    Period,
    TargetCheck,
    Targets,
    TicketFactsLike,
    TrendCheck,
    bucket,
    check_targets,
    compute_metrics,
    containment_csat_trend,
    metrics_by,
)
from tandem.metrics.facts import as_utc
from tandem.reporting.page import render_html
from tandem.reporting.text import render_text
from tandem.reporting.verdicts import ReviewLike, ReviewSummary, summarize

__all__ = [
    "PeriodMetrics",
    "Report",
    "build_report",
    "parse_since",
    "render_html",
    "render_text",
    "run_report",
]


@dataclass(frozen=True, slots=True)
class PeriodMetrics:
    period: Period
    metrics: Metrics


@dataclass(frozen=True, slots=True)
class Report:
    generated_at: datetime
    since: datetime | None
    product: str | None
    granularity: Granularity
    targets: Targets
    overall: Metrics
    periods: list[PeriodMetrics]
    by_product: dict[str, Metrics]
    by_category: dict[str, Metrics]
    checks: list[TargetCheck]
    trend: TrendCheck
    reviews: ReviewSummary = field(default_factory=ReviewSummary)  # verdicts on the report's tickets

    @property
    def warnings(self) -> list[str]:
        return [self.trend.message] if self.trend.warn else []


def build_report(
    facts: Iterable[TicketFactsLike],
    now: datetime,
    since: datetime | None = None,
    product: str | None = None,
    *,
    granularity: Granularity = "week",
    targets: Targets | None = None,
    reviews: Iterable[ReviewLike] = (),
) -> Report:
    """Metrics over the tickets opened from `since` (all time if None) up to `now`, for one product or all."""
    now = as_utc(now)
    since = as_utc(since) if since is not None else None
    chosen = [
        t
        for t in facts
        if (product is None or t.product == product)
        and (since is None or as_utc(t.opened_at) >= since)
        and as_utc(t.opened_at) <= now
    ]
    targets = targets or Targets()
    periods = [
        PeriodMetrics(period, compute_metrics(group, now))
        for period, group in bucket(chosen, granularity, now=now, since=since)
    ]
    recent = [(p.period.label, p.metrics) for p in periods[-2:]]
    previous, latest = recent if len(recent) == 2 else (None, None)
    overall = compute_metrics(chosen, now)
    return Report(
        generated_at=now,
        since=since,
        product=product,
        granularity=granularity,
        targets=targets,
        overall=overall,
        periods=periods,
        by_product=metrics_by(chosen, lambda t: t.product, now),
        by_category=metrics_by(chosen, lambda t: t.category, now),
        checks=check_targets(overall, targets),
        trend=containment_csat_trend(previous, latest, min_sample=targets.min_sample),
        reviews=summarize(reviews, [t.ticket_id for t in chosen]),
    )


def run_report(
    store: Any,
    since: datetime | None = None,
    product: str | None = None,
    html_path: Path | str | None = None,
    *,
    granularity: Granularity = "week",
    now: datetime | None = None,
    include_simulated: bool = False,
) -> int:
    """Print the report for the CLI and write the HTML page when `html_path` is given; the exit code.

    `store` is anything with `ticket_facts(since=..., product=...)`, i.e. the `TicketStore`.
    """
    now = now or datetime.now(UTC)
    facts = store.ticket_facts(since=since, product=product, include_simulated=include_simulated)
    reviews = store.reviews() if hasattr(store, "reviews") else ()
    report = build_report(facts, now, since=since, product=product, granularity=granularity, reviews=reviews)
    print(render_text(report))
    if html_path is not None:
        path = Path(html_path)
        path.write_text(render_html(report), encoding="utf-8")
        print(f"\nHTML report written to {path}")
    return 0


_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def span(text: str) -> timedelta | None:
    """A span written as hours, days or weeks ("12h", "30d", "8w"), or None."""
    relative = _RELATIVE.match(text)
    return int(relative.group(1)) * _UNITS[relative.group(2).lower()] if relative else None


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`--since`: an ISO date or datetime (UTC unless it says so), or a span back from now (12h, 30d, 8w).

    Raises argparse.ArgumentTypeError, so it can serve as an argparse `type=`.
    """
    if (back := span(text)) is not None:
        return as_utc(now or datetime.now(UTC)) - back
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid --since {text!r}: use a date (2025-03-01), a datetime, or a span such as 30d, 8w, 12h"
        ) from None
