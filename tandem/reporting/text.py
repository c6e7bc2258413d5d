"""The report as a plain-text table for a terminal, readable by a support lead."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tandem.metrics import Metrics, Status, SupportPath
from tandem.metrics.fmt import duration, pct, rate_text, rating
from tandem.reporting.verdicts import summary_line

if TYPE_CHECKING:
    from tandem.reporting.report import Report

PATH_NAMES = {
    SupportPath.AI_ONLY: "AI-only",
    SupportPath.ESCALATED: "escalated",
    SupportPath.HUMAN_ONLY: "human-only",
}
STATUS_MARKS = {Status.INSIDE: "inside", Status.OUTSIDE: "OUTSIDE", Status.NO_DATA: "not enough data"}

DEFINITIONS = (
    "Periods group tickets by the day/week/month they were opened (UTC).",
    "Containment: closed tickets never escalated and resolved by the AI or closed by the customer, "
    "over closed tickets minus abandoned ones (abandoned shown apart).",
    "Escalation rate: tickets escalated at any point over all tickets; reasons count tickets per code.",
    "Paths: AI-only = never escalated; escalated = the AI answered, then a person; "
    "human-only = escalated with no AI message (AI off, shadow mode, taken at once).",
    "Resolution time: opened to closed, abandoned excluded; median and p90.",
    "Durable resolution: closed (not abandoned) at least 7 days ago and never reopened.",
)


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, align: str = "", indent: str = "  "
) -> list[str]:
    """Columns padded to their widest cell. `align` has one "l" or "r" per column; by default the first
    column is left-aligned and the others (numbers) right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).ljust(w) if a == "l" else str(c).rjust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        ]
        return (indent + "  ".join(parts)).rstrip()

    return [line(headers), indent + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render_text(report: Report) -> str:
    m = report.overall
    lines = [
        "Tandem support report",
        f"  generated {report.generated_at:%Y-%m-%d %H:%M} UTC · tickets opened "
        + (f"since {report.since:%Y-%m-%d %H:%M} UTC" if report.since else "at any time")
        + f" · product: {report.product or 'all'} · by {report.granularity}",
        f"  {plural(m.tickets, 'ticket')}: {m.closed} closed ({m.abandoned.numerator} abandoned), "
        f"{m.tickets - m.closed} open · "
        + ", ".join(f"{PATH_NAMES[p]} {m.paths.get(p, 0)}" for p in SupportPath),
        f"  containment {pct(m.containment.value)} · {summary_line(report.reviews)}",
        "",
        "Targets",
    ]
    lines += table(
        ["check", "value", "target", "status"],
        [[c.name, c.value, c.target, STATUS_MARKS[c.status]] for c in report.checks],
        align="llll",
    )
    lines += ["", "Warnings"]
    lines += [f"  ! {w}" for w in report.warnings] or ["  none"]
    if report.trend.warn is not True:
        lines.append(f"  ({report.trend.message})")

    lines += ["", "Resolution time (opened -> closed, abandoned excluded)"]
    lines += table(
        ["path", "resolved", "median", "p90"],
        [
            [PATH_NAMES[p], str(s.count), duration(s.median), duration(s.p90)]
            for p, s in m.resolution_time.items()
        ],
    )
    lines += ["", "CSAT (1-5)"]
    csat_rows = [
        [PATH_NAMES[p], str(c.count), rating(c.mean), rate_text(c.satisfied)] for p, c in m.csat.items()
    ]
    c = m.csat_overall
    csat_rows.append(["all", str(c.count), rating(c.mean), rate_text(c.satisfied)])
    lines += table(["path", "rated", "mean", "rated 4-5"], csat_rows)

    lines += ["", "Escalation reasons (escalated tickets per code)"]
    if m.escalation_reasons:
        lines += table(["code", "tickets"], [[code, str(n)] for code, n in m.escalation_reasons.items()])
    else:
        lines.append("  none")

    lines += ["", "Reopens and durability"]
    lines += table(
        ["measure", "value"],
        [
            ["reopen rate", rate_text(m.reopen)],
            ["durable resolution", rate_text(m.durable)],
            ["abandoned (of closed)", rate_text(m.abandoned)],
        ],
    )
    lines.append(f"  durable resolution counts tickets closed by {m.durable_cutoff:%Y-%m-%d %H:%M} UTC")

    lines += ["", f"By {report.granularity}"]
    lines += table(
        [report.granularity, *GROUP_HEADERS], [group_row(p.period.label, p.metrics) for p in report.periods]
    )
    for title, groups in (("product", report.by_product), ("category", report.by_category)):
        lines += ["", f"By {title}"]
        lines += table([title, *GROUP_HEADERS], [group_row(name, g) for name, g in groups.items()])

    lines += ["", "Definitions"]
    for d in DEFINITIONS:
        lines += textwrap.wrap(d, 100, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines)


GROUP_HEADERS = ["tickets", "closed", "containment", "escalation", "CSAT", "AI-only median", "reopen"]


def group_row(name: str, m: Metrics) -> list[str]:
    return [
        name,
        str(m.tickets),
        str(m.closed),
        pct(m.containment.value),
        pct(m.escalation.value),
        rating(m.csat_overall.mean),
        duration(m.resolution_time[SupportPath.AI_ONLY].median),
        pct(m.reopen.value),
    ]


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
