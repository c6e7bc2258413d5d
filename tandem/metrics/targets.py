"""Targets beside the metrics: each check is inside or outside its band, or has not enough data.

A rate needs `min_sample` tickets in its denominator; a comparison needs `min_sample` on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tandem.metrics.compute import Metrics, Rate
from tandem.metrics.facts import SupportPath
from tandem.metrics.fmt import duration, pct, rate_text


class Status(StrEnum):
    INSIDE = "inside"
    OUTSIDE = "outside"
    NO_DATA = "not enough data"


@dataclass(frozen=True, slots=True)
class Targets:
    containment: tuple[float, float] = (0.60, 0.80)
    escalation: tuple[float, float] = (0.20, 0.40)
    # AI-only median resolution time at most (1 - this) x the escalated median: "at least 50% lower".
    resolution_reduction: float = 0.50
    min_sample: int = 5


@dataclass(frozen=True, slots=True)
class TargetCheck:
    key: str  # containment | escalation | csat | resolution_time
    name: str
    value: str  # the measured value, readable
    target: str  # the band, readable
    status: Status


def _band_check(key: str, name: str, rate: Rate, band: tuple[float, float], min_sample: int) -> TargetCheck:
    low, high = band
    target = f"{low * 100:g}-{high * 100:g}%"
    value = rate.value
    if value is None or rate.denominator < min_sample:
        return TargetCheck(key, name, rate_text(rate), target, Status.NO_DATA)
    status = Status.INSIDE if low <= value <= high else Status.OUTSIDE
    return TargetCheck(key, name, rate_text(rate), target, status)


def check_targets(metrics: Metrics, targets: Targets | None = None) -> list[TargetCheck]:
    t = targets or Targets()
    checks = [
        _band_check("containment", "Containment", metrics.containment, t.containment, t.min_sample),
        _band_check("escalation", "Escalation rate", metrics.escalation, t.escalation, t.min_sample),
    ]

    ai, human = metrics.csat[SupportPath.AI_ONLY], metrics.csat[SupportPath.HUMAN_ONLY]
    target = "AI-only >= human-only"
    if ai.mean is None or human.mean is None or min(ai.count, human.count) < t.min_sample:
        shown = f"{ai.count} vs {human.count} rated"
        checks.append(TargetCheck("csat", "CSAT AI-only vs human-only", shown, target, Status.NO_DATA))
    else:
        status = Status.INSIDE if ai.mean >= human.mean else Status.OUTSIDE
        shown = f"{ai.mean:.2f} vs {human.mean:.2f}"
        checks.append(TargetCheck("csat", "CSAT AI-only vs human-only", shown, target, status))

    fast, slow = metrics.resolution_time[SupportPath.AI_ONLY], metrics.resolution_time[SupportPath.ESCALATED]
    target = f"AI-only median {t.resolution_reduction * 100:g}%+ below escalated"
    name = "Resolution time AI-only vs escalated"
    if fast.median is None or slow.median is None or min(fast.count, slow.count) < t.min_sample:
        shown = f"{fast.count} vs {slow.count} resolved"
        checks.append(TargetCheck("resolution_time", name, shown, target, Status.NO_DATA))
    else:
        inside = fast.median <= (1 - t.resolution_reduction) * slow.median
        lower = 1 - fast.median / slow.median if slow.median else 0.0
        shown = f"{duration(fast.median)} vs {duration(slow.median)} ({lower * 100:.0f}% below)"
        checks.append(
            TargetCheck("resolution_time", name, shown, target, Status.INSIDE if inside else Status.OUTSIDE)
        )
    return checks


@dataclass(frozen=True, slots=True)
class TrendCheck:
    """Containment up while CSAT down between the two most recent periods."""

    warn: bool | None  # None: not enough data in one of the two periods
    message: str


def containment_csat_trend(
    previous: tuple[str, Metrics] | None, latest: tuple[str, Metrics] | None, min_sample: int = 5
) -> TrendCheck:
    """Warn when containment rose while the mean CSAT (all paths) fell from `previous` to `latest`.

    Both periods need `min_sample` tickets in the containment denominator and `min_sample` ratings.
    """
    if previous is None or latest is None:
        return TrendCheck(None, "containment vs CSAT trend: fewer than two periods")
    (before_label, before), (after_label, after) = previous, latest
    span = f"{before_label} -> {after_label}"
    c0, c1 = before.containment.value, after.containment.value
    s0, s1 = before.csat_overall.mean, after.csat_overall.mean
    samples = (before.containment.denominator, after.containment.denominator)
    samples += (before.csat_overall.count, after.csat_overall.count)
    if c0 is None or c1 is None or s0 is None or s1 is None or min(samples) < min_sample:
        return TrendCheck(None, f"containment vs CSAT trend ({span}): not enough data")
    detail = f"containment {pct(c0)} -> {pct(c1)}, CSAT {s0:.2f} -> {s1:.2f}"
    if c1 > c0 and s1 < s0:
        return TrendCheck(True, f"containment rose while CSAT fell ({span}): {detail}")
    return TrendCheck(False, f"containment vs CSAT trend ({span}): {detail}")
