"""The report as one self-contained HTML page: inline CSS and inline SVG charts, no script, no URL."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from tandem.metrics import Status, SupportPath
from tandem.metrics.fmt import duration, pct, rate_text, rating
from tandem.reporting.charts import PALETTE, Band, Series, bar_chart, hbar_chart, line_chart
from tandem.reporting.text import DEFINITIONS, GROUP_HEADERS, PATH_NAMES, group_row, plural
from tandem.reporting.verdicts import summary_line

if TYPE_CHECKING:
    from tandem.reporting.report import Report

CHART_IDS = ("chart-rates", "chart-csat-trend", "chart-csat", "chart-resolution", "chart-reasons")

_STYLE = """
body { font-family: system-ui, sans-serif; color: #111827; margin: 24px auto; max-width: 1100px;
       padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #4b5563; margin: 2px 0; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f9fafb; }
.inside { color: #047857; font-weight: 600; } .outside { color: #b91c1c; font-weight: 600; }
.nodata { color: #6b7280; }
.warning { background: #fef3c7; border: 1px solid #f59e0b; padding: 8px 12px; border-radius: 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { border: 1px solid #e5e7eb; border-radius: 6px; background: #fff; max-width: 100%; height: auto; }
ul.defs { color: #4b5563; font-size: 13px; }
"""

_STATUS_CLASS = {Status.INSIDE: "inside", Status.OUTSIDE: "outside", Status.NO_DATA: "nodata"}


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], classes: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if i < len(classes) and classes[i] else ""
        body.append(
            "<tr>"
            + "".join(f"<td{cls if j == len(row) - 1 else ''}>{escape(c)}</td>" for j, c in enumerate(row))
            + "</tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def charts(report: Report) -> list[str]:
    """The page's charts, one <svg> each, in the order of CHART_IDS."""
    m, labels = report.overall, [p.period.label for p in report.periods]
    low_c, high_c = report.targets.containment
    low_e, high_e = report.targets.escalation
    rates = line_chart(
        f"Containment and escalation by {report.granularity}",
        labels,
        [
            Series("containment", [p.metrics.containment.value for p in report.periods], PALETTE[0]),
            Series("escalation rate", [p.metrics.escalation.value for p in report.periods], PALETTE[1]),
        ],
        y_format=lambda v: f"{v * 100:.0f}%",
        y_max=1.0,
        bands=[
            Band(low_c, high_c, PALETTE[0], f"containment target {low_c * 100:g}-{high_c * 100:g}%"),
            Band(low_e, high_e, PALETTE[1], f"escalation target {low_e * 100:g}-{high_e * 100:g}%"),
        ],
        chart_id=CHART_IDS[0],
    )
    csat_trend = line_chart(
        f"Mean CSAT by {report.granularity}",
        labels,
        [Series("mean CSAT (all paths)", [p.metrics.csat_overall.mean for p in report.periods], PALETTE[2])],
        y_format=lambda v: f"{v:.1f}",
        y_max=5.0,
        y_ticks=5,
        chart_id=CHART_IDS[1],
    )
    paths = list(SupportPath)
    names = [PATH_NAMES[p] for p in paths]
    csat = bar_chart(
        "CSAT by path (mean rating, 1-5)",
        names,
        [Series("mean rating", [m.csat[p].mean for p in paths], PALETTE[2])],
        y_format=lambda v: f"{v:.2f}",
        y_max=5.0,
        y_ticks=5,
        notes=[f"{m.csat[p].count} rated · {pct(m.csat[p].satisfied.value)} gave 4-5" for p in paths],
        chart_id=CHART_IDS[2],
    )
    hours = [
        Series("median", [_hours(m.resolution_time[p].median) for p in paths], PALETTE[0]),
        Series("p90", [_hours(m.resolution_time[p].p90) for p in paths], PALETTE[3]),
    ]
    resolution = bar_chart(
        "Resolution time by path (hours, opened to closed)",
        names,
        hours,
        y_format=lambda v: f"{v:.1f} h" if v < 10 else f"{v:.0f} h",
        notes=[f"{m.resolution_time[p].count} resolved" for p in paths],
        chart_id=CHART_IDS[3],
    )
    reasons = hbar_chart(
        "Escalation reasons (tickets per code)",
        list(m.escalation_reasons.items()),
        value_format=lambda v: f"{v:.0f}",
        color=PALETTE[1],
        chart_id=CHART_IDS[4],
        empty="no escalations",
    )
    return [rates, csat_trend, csat, resolution, reasons]


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def render_html(report: Report) -> str:
    m = report.overall
    scope = (
        f"tickets opened since {report.since:%Y-%m-%d %H:%M} UTC"
        if report.since
        else "tickets opened at any time"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Tandem support report {report.generated_at:%Y-%m-%d}</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Tandem support report</h1>",
        f'<p class="meta">generated {report.generated_at:%Y-%m-%d %H:%M} UTC · {escape(scope)} · '
        f"product: {escape(report.product or 'all')} · by {escape(report.granularity)}</p>",
        f'<p class="meta">{plural(m.tickets, "ticket")}: {m.closed} closed '
        f"({m.abandoned.numerator} abandoned), "
        f"{m.tickets - m.closed} open · "
        + escape(", ".join(f"{PATH_NAMES[p]} {m.paths.get(p, 0)}" for p in SupportPath))
        + "</p>",
        f'<p class="meta">containment {pct(m.containment.value)} · '
        f"{escape(summary_line(report.reviews))}</p>",
        "<h2>Targets</h2>",
        _table(
            ["check", "value", "target", "status"],
            [[c.name, c.value, c.target, c.status.value] for c in report.checks],
            [_STATUS_CLASS[c.status] for c in report.checks],
        ),
    ]
    for warning in report.warnings:
        parts.append(f'<p class="warning">Warning: {escape(warning)}</p>')
    if report.trend.warn is not True:
        parts.append(f'<p class="meta">{escape(report.trend.message)}</p>')

    parts += ['<h2>Charts</h2><div class="charts">', *charts(report), "</div>"]

    parts.append("<h2>Resolution time and CSAT by path</h2>")
    rows = []
    for p in SupportPath:
        s, c = m.resolution_time[p], m.csat[p]
        rows.append(
            [
                PATH_NAMES[p],
                str(s.count),
                duration(s.median),
                duration(s.p90),
                str(c.count),
                rating(c.mean),
                rate_text(c.satisfied),
            ]
        )
    c = m.csat_overall
    rows.append(["all", "", "", "", str(c.count), rating(c.mean), rate_text(c.satisfied)])
    parts.append(_table(["path", "resolved", "median", "p90", "rated", "mean CSAT", "rated 4-5"], rows))

    parts.append("<h2>Escalation reasons</h2>")
    parts.append(_table(["code", "tickets"], [[k, str(v)] for k, v in m.escalation_reasons.items()]))
    parts.append("<h2>Reopens and durability</h2>")
    parts.append(
        _table(
            ["measure", "value"],
            [
                ["reopen rate", rate_text(m.reopen)],
                [
                    f"durable resolution (closed by {m.durable_cutoff:%Y-%m-%d %H:%M} UTC)",
                    rate_text(m.durable),
                ],
                ["abandoned (of closed)", rate_text(m.abandoned)],
            ],
        )
    )
    parts.append(f"<h2>By {escape(report.granularity)}</h2>")
    rows = [group_row(p.period.label, p.metrics) for p in report.periods]
    parts.append(_table([report.granularity, *GROUP_HEADERS], rows))
    for title, groups in (("product", report.by_product), ("category", report.by_category)):
        parts.append(f"<h2>By {title}</h2>")
        parts.append(_table([title, *GROUP_HEADERS], [group_row(name, g) for name, g in groups.items()]))
    parts.append('<h2>Definitions</h2><ul class="defs">')
    parts += [f"<li>{escape(d)}</li>" for d in DEFINITIONS]
    parts.append("</ul></body></html>")
    return "\n".join(parts)
