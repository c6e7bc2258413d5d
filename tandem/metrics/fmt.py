"""Readable numbers shared by the target checks and the reports."""

from __future__ import annotations

from tandem.metrics.compute import Rate


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def rate_text(rate: Rate) -> str:
    """'66.7% (6/9)', or '- (0/0)' without a denominator."""
    return f"{pct(rate.value)} ({rate.numerator}/{rate.denominator})"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def rating(mean: float | None) -> str:
    return "-" if mean is None else f"{mean:.2f}"
