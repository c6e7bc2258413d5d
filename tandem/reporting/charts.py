"""Small inline SVG charts, written by hand: they render offline with no script and no download.

The SVG goes straight into an HTML5 page, which needs no XML namespace declaration, so the page holds
no URL at all. Hovering a point or bar shows its value (SVG <title>, no JavaScript).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#2563eb", "#d97706", "#059669", "#7c3aed", "#dc2626", "#0891b2")
AXIS = "#6b7280"
GRID = "#e5e7eb"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'  # on the <svg>; the text inherits it

Format = Callable[[float], str]


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded horizontal target band."""

    low: float
    high: float
    color: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class _Frame:
    width: int
    height: int
    left: int = 56
    right: int = 32
    top: int = 40
    bottom: int = 44

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float, y_max: float) -> float:
        return self.top + self.plot_height * (1 - (value / y_max if y_max else 0))


def nice_axis(value: float) -> tuple[float, int]:
    """A round top for an axis reaching `value` and its number of steps (at most 5 of 1, 2 or 5 x 10^k)."""
    if value <= 0:
        return 1.0, 4
    power = 10 ** math.floor(math.log10(value))
    for step in (0.2 * power, 0.5 * power, power, 2 * power, 5 * power):
        steps = math.ceil(value / step - 1e-9)
        if steps <= 5:
            return step * steps, max(steps, 1)
    return 10 * power, 1  # pragma: no cover - 5 x power always fits


def _open(title: str, frame: _Frame, chart_id: str) -> list[str]:
    return [
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="{frame.width}" height="{frame.height}" role="img" aria-label="{escape(title)}" {FONT}>',
        f"<title>{escape(title)}</title>",
        f'<text x="{frame.left}" y="16" font-size="13" font-weight="600" fill="#111827">'
        f"{escape(title)}</text>",
    ]


def _legend(series: Sequence[Series], frame: _Frame) -> list[str]:
    parts, x = [], float(frame.left)
    for s in series:
        parts.append(f'<rect x="{x:.1f}" y="24" width="10" height="10" fill="{s.color}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="33" fill="#374151">{escape(s.name)}</text>')
        x += 24 + 6.5 * len(s.name)
    return parts


def _y_axis(frame: _Frame, y_max: float, fmt: Format, ticks: int) -> list[str]:
    parts = []
    for i in range(ticks + 1):
        value = y_max * i / ticks
        y = frame.y(value, y_max)
        parts.append(
            f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}">'
            f"{escape(fmt(value))}</text>"
        )
    return parts


def _x_labels(labels: Sequence[str], frame: _Frame) -> list[str]:
    n = len(labels)
    every = max(1, math.ceil(n / max(1, int(frame.plot_width // 70))))
    parts = []
    for i, label in enumerate(labels):
        if (n - 1 - i) % every:  # counted from the end: the latest period always has its label
            continue
        x = frame.left + (i + 0.5) * frame.plot_width / n
        y = frame.height - frame.bottom + 16
        parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="{AXIS}">{escape(label)}</text>')
    return parts


def _no_data(frame: _Frame) -> str:
    x, y = frame.width / 2, frame.top + frame.plot_height / 2
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="13" text-anchor="middle" fill="{AXIS}">no data</text>'


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_format: Format,
    y_max: float | None = None,
    y_ticks: int = 4,
    bands: Sequence[Band] = (),
    chart_id: str = "chart",
    width: int = 640,
    height: int = 260,
) -> str:
    """One line per series over `labels`; a None value leaves a gap."""
    frame = _Frame(width, height)
    values = [v for s in series for v in s.values if v is not None]
    top, ticks = (y_max, y_ticks) if y_max is not None else nice_axis(max(values, default=0))
    parts = [*_open(title, frame, chart_id), *_legend(series, frame), *_y_axis(frame, top, y_format, ticks)]
    for band in bands:
        y_high, y_low = frame.y(min(band.high, top), top), frame.y(max(band.low, 0), top)
        parts.append(
            f'<rect x="{frame.left}" y="{y_high:.1f}" width="{frame.plot_width:.1f}" '
            f'height="{max(y_low - y_high, 0):.1f}" fill="{band.color}" fill-opacity="0.12">'
            f"<title>{escape(band.label)}</title></rect>"
        )
    if not values or not labels:
        parts.append(_no_data(frame))
    n = max(len(labels), 1)
    for s in series:
        runs: list[list[tuple[float, float]]] = []
        dots: list[str] = []
        gap = True
        for i, v in enumerate(s.values):
            if v is None:
                gap = True
                continue
            x, y = frame.left + (i + 0.5) * frame.plot_width / n, frame.y(min(v, top), top)
            if gap:
                runs.append([])
            runs[-1].append((x, y))
            gap = False
            label = labels[i] if i < len(labels) else ""
            dots.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{s.color}">'
                f"<title>{escape(f'{s.name} {label}: {y_format(v)}')}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{coords}" fill="none" stroke="{s.color}" stroke-width="2"/>')
        parts.extend(dots)
    parts.extend(_x_labels(labels, frame))
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    y_format: Format,
    y_max: float | None = None,
    y_ticks: int = 4,
    notes: Sequence[str] = (),
    chart_id: str = "chart",
    width: int = 640,
    height: int = 260,
) -> str:
    """Grouped vertical bars: one group per category, one bar per series; `notes` go under the labels."""
    frame = _Frame(width, height, bottom=56 if notes else 44)
    values = [v for s in series for v in s.values if v is not None]
    top, ticks = (y_max, y_ticks) if y_max is not None else nice_axis(max(values, default=0))
    parts = [*_open(title, frame, chart_id), *_legend(series, frame), *_y_axis(frame, top, y_format, ticks)]
    if not values or not categories:
        parts.append(_no_data(frame))
    n, m = max(len(categories), 1), max(len(series), 1)
    group = frame.plot_width / n
    bar = group * 0.7 / m
    base = frame.y(0, top)
    for i, category in enumerate(categories):
        for j, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            x = frame.left + i * group + group * 0.15 + j * bar
            if v is None:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" '
                    f'fill="{AXIS}">n/a</text>'
                )
                continue
            y = frame.y(min(v, top), top)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}" height="{base - y:.1f}" '
                f'fill="{s.color}"><title>{escape(f"{category} {s.name}: {y_format(v)}")}</title></rect>'
            )
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#111827">'
                f"{escape(y_format(v))}</text>"
            )
        cx = frame.left + (i + 0.5) * group
        ly = frame.height - frame.bottom + 16
        parts.append(
            f'<text x="{cx:.1f}" y="{ly}" text-anchor="middle" fill="{AXIS}">{escape(category)}</text>'
        )
        if i < len(notes) and notes[i]:
            parts.append(
                f'<text x="{cx:.1f}" y="{ly + 14}" text-anchor="middle" fill="{AXIS}">'
                f"{escape(notes[i])}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def hbar_chart(
    title: str,
    items: Sequence[tuple[str, float]],
    *,
    value_format: Format,
    color: str = PALETTE[0],
    chart_id: str = "chart",
    width: int = 640,
    empty: str = "no data",
) -> str:
    """Horizontal bars, one row per item, longest first as given."""
    row, label_width = 24, 170
    frame = _Frame(width, 40 + row * max(len(items), 1) + 12, left=label_width, top=32, bottom=12)
    parts = _open(title, frame, chart_id)
    if not items:
        x, y = frame.width / 2, frame.top + row / 2 + 4
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="{AXIS}">{escape(empty)}</text>'
        )
    top = max((v for _, v in items), default=0) or 1
    span = frame.plot_width - 48
    for i, (label, value) in enumerate(items):
        y = frame.top + i * row
        length = span * value / top
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" fill="#374151">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 1):.1f}" height="{row - 8}" '
            f'fill="{color}">'
            f"<title>{escape(f'{label}: {value_format(value)}')}</title></rect>"
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}" fill="#111827">'
            f"{escape(value_format(value))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
