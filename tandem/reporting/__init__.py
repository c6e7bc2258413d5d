"""Reports on how well Tandem works: `tandem report` (metrics and targets) and `tandem review`."""

from tandem.reporting.report import Report, build_report, parse_since, render_html, render_text, run_report

__all__ = ["Report", "build_report", "parse_since", "render_html", "render_text", "run_report"]
