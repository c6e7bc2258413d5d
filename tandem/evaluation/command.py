"""`tandem eval SUITE_DIR [--json]`: a readable table, or exactly one JSON object on stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tandem.evaluation.runner import Report, run_suite
from tandem.evaluation.suite import SuiteFormatError, load_suite

EXIT_OK = 0
EXIT_BAD_SUITE = 2


def run_eval(suite_dir: Path, as_json: bool) -> int:
    """Evaluate the suite in `suite_dir`; returns the exit code (2 for a missing or malformed suite)."""
    try:
        suite = load_suite(suite_dir)
    except SuiteFormatError as exc:
        print(f"tandem eval: {exc}", file=sys.stderr)
        return EXIT_BAD_SUITE
    report = run_suite(suite)
    if not report.parts:
        # A valid suite whose files no part measures yet (e.g. tickets + scope): say so, but it is no error.
        print(
            f"tandem eval: {suite.name}: no part applies to {', '.join(suite.files)} (retrieval needs "
            "kb.jsonl + queries.jsonl, tickets needs tickets.jsonl + ticket_queries.jsonl)",
            file=sys.stderr,
        )
    if as_json:
        print(json.dumps(report.to_json(), sort_keys=False))
    else:
        print(render(report))
    return EXIT_OK


def render(report: Report) -> str:
    lines = [f"suite {report.suite} (embedder {report.embedder})", ""]
    lines.append(f"{'part':<10} {'metric':<14} {'tandem':>8} {'bm25':>8} {'delta':>8}")
    for name, result in report.parts.items():
        for metric, value in result.metrics.items():
            base = (result.baseline or {}).get(metric)
            delta = f"{value - base:+8.3f}" if base is not None else f"{'':>8}"
            shown = f"{base:8.3f}" if base is not None else f"{'-':>8}"
            lines.append(f"{name:<10} {metric:<14} {value:8.3f} {shown} {delta}")
    lines.append("")
    lines.append(f"latency (ingest into the store {report.ingest_seconds:.2f} s)")
    for name, result in report.parts.items():
        lines.extend(_latency_lines(name, result.latency))
    return "\n".join(lines)


def _latency_lines(name: str, latency: dict[str, Any]) -> list[str]:
    lines = [f"  {name}: index build {latency.get('index_build_s', 0):.2f} s"]
    for key, value in latency.items():
        if key.endswith("_ms") and isinstance(value, dict) and "p50" in value:
            lines.append(f"    {key[:-3]:<22} p50 {value['p50']:7.2f} ms  p95 {value['p95']:7.2f} ms")
        elif key == "stages_ms":
            for stage, spread in value.items():
                p50, p95 = spread["p50"], spread["p95"]
                lines.append(f"    stage {stage:<16} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
    return lines
