"""Suite loading: only the files present, strict validation with file:line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tandem.evaluation.suite import SuiteFormatError, load_suite

TINY = Path(__file__).parent / "fixtures" / "tiny"


def test_loads_the_files_that_exist() -> None:
    suite = load_suite(TINY)
    assert suite.name == "tiny"
    assert suite.articles is not None and len(suite.articles) == 5
    assert suite.queries is not None and suite.queries[2].relevant == ("lost-card", "close-checking")
    assert suite.queries[2].expects_human is True
    assert suite.tickets is not None and len(suite.tickets) == 12
    assert suite.ticket_queries is not None and suite.ticket_queries[0].category == "card_lost"
    assert suite.escalation is None and suite.scope is None and suite.policy is None


def test_ticket_only_suite(tmp_path: Path) -> None:
    shutil.copy(TINY / "tickets.jsonl", tmp_path)
    suite = load_suite(tmp_path)
    assert suite.articles is None and suite.queries is None and suite.tickets is not None


def _suite_with(tmp_path: Path, name: str, lines: list[str]) -> Path:
    for file in ("kb.jsonl", "queries.jsonl"):
        shutil.copy(TINY / file, tmp_path)
    (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "bad", "problem"),
    [
        ("queries.jsonl", '{"id": "q9", "query": "hi", "relevant": "open-checking"}', "'relevant'"),
        ("queries.jsonl", '{"id": "q9", "query": "hi", "relevant": ["nope"]}', "'nope' is not in kb.jsonl"),
        ("queries.jsonl", '{"id": "q9", "query": "", "relevant": ["open-checking"]}', "'query'"),
        ("queries.jsonl", '{"id": "q9", "query": "hi", "relevant": ["open-checking"]', "bad JSON"),
        ("ticket_queries.jsonl", '{"id": "q9", "query": "hi"}', "'category'"),
        ("scope.jsonl", '{"id": "s1", "message": "hi", "in_scope": "yes"}', "'in_scope'"),
    ],
)
def test_malformed_row_names_file_and_line(tmp_path: Path, name: str, bad: str, problem: str) -> None:
    good = '{"id": "ok1", "query": "open account", "relevant": ["open-checking"], "category": "c"}'
    if name == "scope.jsonl":
        good = '{"id": "ok1", "message": "hello", "in_scope": true}'
    path = _suite_with(tmp_path, name, [good, "", bad])
    with pytest.raises(SuiteFormatError) as caught:
        load_suite(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path / name}:3: ")
    assert problem in str(caught.value)


def test_duplicate_ids_and_bad_kb_rows(tmp_path: Path) -> None:
    row = json.dumps({"id": "q1", "query": "x", "relevant": ["open-checking"]})
    with pytest.raises(SuiteFormatError, match=r"queries.jsonl:2: duplicate id 'q1'"):
        load_suite(_suite_with(tmp_path, "queries.jsonl", [row, row]))
    (tmp_path / "kb.jsonl").write_text('{"id": "a", "title": "t"}\n', encoding="utf-8")
    with pytest.raises(SuiteFormatError, match=r"kb.jsonl:1: .*'body'"):
        load_suite(tmp_path)


def test_not_a_suite(tmp_path: Path) -> None:
    with pytest.raises(SuiteFormatError, match="no suite files"):
        load_suite(tmp_path)
    with pytest.raises(SuiteFormatError, match="not a directory"):
        load_suite(tmp_path / "missing")
