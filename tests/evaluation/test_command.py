"""`run_eval` end to end on a tiny suite: the real service (WordLlama, SQLite), table and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.evaluation.command import run_eval

TINY = Path(__file__).parent / "fixtures" / "tiny"
RANKING = {"recall@5", "recall@10", "mrr@10", "ndcg@10"}
TICKETS = {"precision@5", "top1", "category_top1"}


def test_json_output_has_one_map_per_part_plus_baseline_and_latency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_eval(TINY, as_json=True) == 0
    out = capsys.readouterr().out
    report = json.loads(out)  # exactly one JSON object, nothing else on stdout
    assert set(report) == {"retrieval", "tickets", "baseline", "latency"}
    assert set(report["retrieval"]) == RANKING and set(report["tickets"]) == TICKETS
    assert set(report["baseline"]) == {"retrieval", "tickets"}
    assert set(report["baseline"]["retrieval"]) == RANKING and set(report["baseline"]["tickets"]) == TICKETS
    for part in ("retrieval", "tickets"):
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in report[part].values())
        assert report["latency"][part]["query_ms"]["p95"] >= report["latency"][part]["query_ms"]["p50"] >= 0
    assert report["latency"]["retrieval"]["stages_ms"].keys() >= {"lexical", "dense", "fusion"}
    # the tiny suite is easy: the questions name their topic
    assert report["retrieval"]["mrr@10"] == 1.0
    assert report["tickets"]["category_top1"] == 1.0


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_eval(TINY, as_json=False) == 0
    out = capsys.readouterr().out
    assert out.startswith("suite tiny (embedder ")
    for metric in RANKING | TICKETS:
        assert metric in out
    assert "index build" in out and "p95" in out


def test_malformed_suite_exits_2_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ticket_queries.jsonl").write_text('{"id": "q1", "query": "hi", "category": 3}\n')
    (tmp_path / "tickets.jsonl").write_text((TINY / "tickets.jsonl").read_text())
    assert run_eval(tmp_path, as_json=True) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{tmp_path / 'ticket_queries.jsonl'}:1:" in captured.err


def test_suite_with_nothing_to_measure_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "kb.jsonl").write_text((TINY / "kb.jsonl").read_text())
    assert run_eval(tmp_path, as_json=True) == 0
    captured = capsys.readouterr()
    assert "no part applies to kb.jsonl" in captured.err
    assert json.loads(captured.out) == {"baseline": {}, "latency": json.loads(captured.out)["latency"]}
