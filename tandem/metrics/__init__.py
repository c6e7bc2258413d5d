"""Support metrics over ticket facts: containment, escalation, resolution time, CSAT, reopens, durability."""

from tandem.metrics.compute import DURABLE_AFTER, Csat, Metrics, Rate, Spread, compute_metrics, metrics_by
from tandem.metrics.facts import SupportPath, TicketFactsLike, support_path, was_escalated
from tandem.metrics.periods import GRANULARITIES, Granularity, Period, bucket, period_of, period_range
from tandem.metrics.targets import (
    Status,
    TargetCheck,
    Targets,
    TrendCheck,
    check_targets,
    containment_csat_trend,
)

__all__ = [
    "DURABLE_AFTER",
    "GRANULARITIES",
    "Csat",
    "Granularity",
    "Metrics",
    "Period",
    "Rate",
    "Spread",
    "Status",
    "SupportPath",
    "TargetCheck",
    "Targets",
    "TicketFactsLike",
    "TrendCheck",
    "bucket",
    "check_targets",
    "compute_metrics",
    "containment_csat_trend",
    "metrics_by",
    "period_of",
    "period_range",
    "support_path",
    "was_escalated",
]
