"""`tandem eval SUITE_DIR [--json]`: a readable table, or exactly one JSON object on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tandem.escalation.evaluate import BASELINE_KEYWORDS
from tandem.evaluation.runner import PARTS, Report, run_suite
from tandem.evaluation.suite import SuiteFormatError, load_suite

EXIT_OK = 0
EXIT_BAD_SUITE = 2


def run_eval(
    suite_dir: Path, as_json: bool, details: Path | None = None, only: Sequence[str] | None = None
) -> int:
    """Evaluate the suite in `suite_dir`; returns the exit code (2 for a missing or malformed suite or an
    unknown part). `details`: a JSON file of each answers item's reply, verdict and sources."""
    try:
        suite = load_suite(suite_dir)
    except SuiteFormatError as exc:
        print(f"tandem eval: {exc}", file=sys.stderr)
        return EXIT_BAD_SUITE
    parts = list(PARTS)
    if only:
        unknown = sorted(set(only) - {part.name for part in parts})
        if unknown:
            names = ", ".join(part.name for part in parts)
            print(f"tandem eval: unknown part {unknown[0]!r} (parts: {names})", file=sys.stderr)
            return EXIT_BAD_SUITE
        parts = [part for part in parts if part.name in only]
    report = run_suite(suite, parts)
    if details is not None:
        items = [item for result in report.parts.values() for item in result.details]
        details.write_text(json.dumps(items, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not report.parts:
        # A valid suite whose files no part measures yet (e.g. tickets + scope): say so, but it is no error.
        print(
            f"tandem eval: {suite.name}: no part applies to {', '.join(suite.files)} (retrieval needs "
            "kb.jsonl + queries.jsonl, tickets needs tickets.jsonl + ticket_queries.jsonl, escalation "
            "needs escalation.jsonl, scope needs scope.jsonl)",
            file=sys.stderr,
        )
    if as_json:
        print(json.dumps(report.to_json(), sort_keys=False))
    else:
        print(render(report))
    return EXIT_OK


def render(report: Report) -> str:
    """Per part: the measured row and the reference row, one column per metric; then latency."""
    lines = [f"suite {report.suite} (embedder {report.embedder})"]
    for name, result in report.parts.items():
        metrics = list(result.metrics)
        width = max(8, *(len(metric) for metric in metrics))
        lines.append("")
        lines.append(f"{name:<16}" + "".join(f" {metric:>{width}}" for metric in metrics))
        lines.append(f"  {result.system:<14}" + "".join(f" {result.metrics[k]:>{width}.3f}" for k in metrics))
        if result.baseline is not None:
            base = result.baseline
            lines.append(
                f"  {result.reference:<14}"
                + "".join(f" {base[k]:>{width}.3f}" if k in base else f" {'-':>{width}}" for k in metrics)
            )
    lines.append("")
    lines.extend(f"{name}: {REFERENCES[name]}" for name in report.parts if name in REFERENCES)
    lines.append("")
    lines.append(f"latency (ingest into the store {report.ingest_seconds:.2f} s)")
    for name, result in report.parts.items():
        lines.extend(_latency_lines(name, result.latency))
    return "\n".join(lines)


REFERENCES = {
    "retrieval": "plain bm25 = bm25s over whole articles, its own tokenizer, English stopwords",
    "tickets": "plain bm25 = bm25s over ticket subject + body; category = the best match's",
    "escalation": f"keyword rule = escalate on any of: {', '.join(BASELINE_KEYWORDS)}",
    "scope": (
        "abstaining = answer confidence below the shipped default threshold, out of scope as positive; "
        "bm25 top score = the best plain bm25s score over the suite's tickets and articles as the "
        "confidence, abstaining only when no document shares a word"
    ),
    "answers": (
        "correct of answerable, wrong of replies that answered, abstained or handed over of answerable / of "
        "unanswerable; bm25 sentence = the best plain bm25s sentence of the best plain bm25s article"
    ),
}


def _latency_lines(name: str, latency: dict[str, Any]) -> list[str]:
    lines = [f"  {name}: index build {latency.get('index_build_s', 0):.2f} s"]
    if "abstained_without_quote" in latency:
        lines.append(
            f"    threshold {latency['threshold']:.2f}; {latency['abstained_without_quote']} of "
            f"{latency['messages']} replies abstained although confident (nothing to quote)"
        )
    for key, value in latency.items():
        if key.endswith("_ms") and isinstance(value, dict) and "p50" in value:
            lines.append(f"    {key[:-3]:<22} p50 {value['p50']:7.2f} ms  p95 {value['p95']:7.2f} ms")
        elif key.endswith("_ms") and isinstance(value, dict) and "mean" in value:
            lines.append(f"    {key[:-3]:<22} mean {value['mean']:6.2f} ms  p95 {value['p95']:7.2f} ms")
        elif key == "stages_ms":
            for stage, spread in value.items():
                p50, p95 = spread["p50"], spread["p95"]
                lines.append(f"    stage {stage:<16} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
    return lines
