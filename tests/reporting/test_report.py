"""build_report, the text and HTML renderers, and run_report over a stand-in store with real records."""

from __future__ import annotations

import argparse
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from tandem.metrics import Status, Targets
from tandem.reporting import build_report, parse_since, render_html, render_text, run_report
from tandem.reporting.page import CHART_IDS
from tests.metrics.sample import NOW, StandInStore, at, sample
from tests.metrics.test_metrics import trend_weeks


def test_report_on_the_sample() -> None:
    report = build_report(sample(), NOW)
    assert report.overall.tickets == 13
    assert [p.period.label for p in report.periods] == ["2025-W10", "2025-W11", "2025-W12"]
    assert list(report.by_product) == ["cards", "loans"]
    assert {c.key: c.status for c in report.checks} == {
        "containment": Status.INSIDE,  # 6/9
        "escalation": Status.INSIDE,  # 5/13
        "csat": Status.NO_DATA,  # 1 human-only rating
        "resolution_time": Status.NO_DATA,  # 2 escalated resolutions
    }
    # The two most recent weeks: W12 has nothing closed yet.
    assert report.trend.warn is None
    assert report.warnings == []


def test_filters_product_and_since() -> None:
    loans = build_report(sample(), NOW, product="loans")
    assert loans.overall.tickets == 5  # T04 T06 T07 T11 T12
    assert list(loans.by_product) == ["loans"]
    recent = build_report(sample(), NOW, since=at(10, 0))
    # Opened on or after 03-10: T07 T08 T09 T10 T13 (W11) and T11 T12 (W12).
    assert recent.overall.tickets == 7
    assert [p.period.label for p in recent.periods] == ["2025-W11", "2025-W12"]
    # Tickets opened after the report time are left out.
    assert build_report(sample(), at(6, 9, 30)).overall.tickets == 4  # T01 T02 T03 T04


def test_report_warns_when_containment_rises_while_csat_falls() -> None:
    report = build_report(trend_weeks([3, 3, 3, 3, 3, 3]), datetime(2025, 3, 14, tzinfo=UTC))
    assert report.trend.warn is True
    assert len(report.warnings) == 1
    text = render_text(report)
    assert "! containment rose while CSAT fell (2025-W10 -> 2025-W11)" in text
    assert "Warning: containment rose while CSAT fell" in render_html(report)


def test_text_table() -> None:
    text = render_text(build_report(sample(), NOW, targets=Targets(min_sample=1)))
    lines = text.splitlines()
    row = next(line for line in lines if line.strip().startswith("Containment"))
    assert "66.7% (6/9)" in row and "60-80%" in row and row.rstrip().endswith("inside")
    csat = next(line for line in lines if line.strip().startswith("CSAT AI-only vs human-only"))
    assert "3.00 vs 5.00" in csat and csat.rstrip().endswith("OUTSIDE")
    assert any(re.match(r"\s+AI-only\s+6\s+2\.5 h\s+5\.0 h$", line) for line in lines)
    assert any(re.match(r"\s+escalated\s+2\s+20\.0 h\s+28\.0 h$", line) for line in lines)
    assert any(re.match(r"\s+explicit_request\s+2$", line) for line in lines)
    assert any(re.match(r"\s+durable resolution\s+87\.5% \(7/8\)$", line) for line in lines)
    assert any(re.match(r"\s+2025-W10\s+6\s+5\s+80\.0%\s+33\.3%\s+3\.50", line) for line in lines)
    assert "Definitions" in text


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.svgs: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "svg":
            self.svgs.append(dict(attrs).get("id", ""))
        if tag not in ("meta", "rect", "line", "circle", "polyline", "br"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        pass

    def handle_endtag(self, tag) -> None:
        if tag in ("rect", "circle"):
            return  # written either way: <rect .../> or <rect ...><title/></rect>
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


@pytest.mark.parametrize("facts", [sample(), []], ids=["sample", "empty"])
def test_html_is_self_contained_with_one_svg_per_chart(facts) -> None:
    page = render_html(build_report(facts, NOW))
    checker = _Checker()
    checker.feed(page)
    assert checker.errors == [] and checker.stack == []
    assert checker.svgs == list(CHART_IDS)  # containment/escalation, CSAT trend, CSAT, resolution, reasons
    assert page.count("<svg") == page.count("</svg>") == 5
    lowered = page.lower()
    for external in ("http:", "https:", "//", "<script", "src=", "href=", "url(", "@import", "xmlns"):
        assert external not in lowered, external


@pytest.mark.parametrize("facts", [sample(), []], ids=["sample", "empty"])
def test_each_chart_is_well_formed_svg(facts) -> None:
    from tandem.reporting.page import charts

    for svg in charts(build_report(facts, NOW)):
        root = ET.fromstring(svg)  # raises on duplicate attributes, unclosed or unescaped markup
        assert root.tag == "svg" and root.find("title") is not None


def test_html_charts_hold_the_data() -> None:
    page = render_html(build_report(sample(), NOW))
    reasons = page[page.index('id="chart-reasons"') :]
    assert "explicit_request: 2" in reasons[: reasons.index("</svg>")]
    rates = page[page.index('id="chart-rates"') :]
    # W10 containment 4/5 = 80%, escalation 2/6 = 33%.
    assert "containment 2025-W10: 80%" in rates and "escalation rate 2025-W10: 33%" in rates


def test_html_escapes_names() -> None:
    facts = [f.__class__(**{**f.__dict__, "product": "A&B <x>"}) for f in sample()]
    page = render_html(build_report(facts, NOW))
    assert "A&amp;B &lt;x&gt;" in page and "<x>" not in page


def test_run_report_prints_and_writes_html(tmp_path, capsys) -> None:
    store = StandInStore(sample())
    out = tmp_path / "report.html"
    since = at(1, 0)
    assert run_report(store, since, "cards", out, now=NOW) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Tandem support report")
    assert "product: cards" in printed and f"HTML report written to {out}" in printed
    assert store.calls == [("ticket_facts", {"since": since, "until": None, "product": "cards"})]
    assert out.read_text(encoding="utf-8").count("<svg") == 5

    assert run_report(StandInStore([]), None, None, None, now=NOW) == 0
    assert "0 tickets" in capsys.readouterr().out


def test_parse_since() -> None:
    assert parse_since("2025-03-01") == datetime(2025, 3, 1, tzinfo=UTC)
    assert parse_since("2025-03-01T10:00+02:00") == datetime(2025, 3, 1, 8, tzinfo=UTC)
    assert parse_since("30d", NOW) == NOW - timedelta(days=30)
    assert parse_since("2w", NOW) == NOW - timedelta(weeks=2)
    assert parse_since("12h", NOW) == NOW - timedelta(hours=12)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_since("last tuesday")
