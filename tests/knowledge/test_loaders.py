"""Loading suite JSON-lines files: real data round-trips, malformed files fail with file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.knowledge.loaders import KnowledgeFormatError, load_articles_jsonl, load_tickets_jsonl

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KB = PROJECT_ROOT / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"
SHARED = Path(__file__).resolve().parents[2] / "data" / "tickets"  # copies of the suites' ticket files


def _write(tmp_path: Path, lines: list[str] | list[dict], name: str = "data.jsonl") -> Path:
    path = tmp_path / name
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_real_help_center_round_trips_every_row() -> None:
    rows = [json.loads(line) for line in KB.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = load_articles_jsonl(KB)
    assert len(articles) == len(rows)
    for row, article in zip(rows, articles, strict=True):
        assert (article.id, article.title, article.body) == (row["id"], row["title"], row["body"])
        assert article.product == (row["product"] or None)


@pytest.mark.parametrize("suite", ["banking77", "bitext"])
def test_real_ticket_files_load_resolved_rows(suite: str) -> None:
    path = SHARED / suite / "tickets.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tickets = load_tickets_jsonl(path)
    resolved = [r for r in rows if r["resolved"]]
    assert [t.ticket_id for t in tickets] == [r["id"] for r in resolved]
    for row, ticket in zip(resolved, tickets, strict=True):
        assert ticket.subject == row["subject"] and ticket.body == row["body"]
        assert ticket.category == row["category"]
        assert ticket.resolution == (row.get("resolution") or "")


def test_article_optional_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {"id": "a1", "title": "T", "body": "B", "product": "", "url": "https://help.example/a1"},
            {"id": "a2", "title": "T", "body": "B", "product": None},
            {"id": "a3", "title": "T", "body": "B"},
        ],
    )
    a1, a2, a3 = load_articles_jsonl(path)
    assert (a1.product, a1.url) == (None, "https://help.example/a1")
    assert a2.product is None and a3.product is None and a3.url is None


def test_unresolved_tickets_are_skipped_and_resolution_is_optional(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {"id": "t1", "subject": "s", "body": "b", "category": "c", "resolved": True, "resolution": "r"},
            {"id": "t2", "subject": "s", "body": "b", "category": "c", "resolved": False, "resolution": "r"},
            {"id": "t3", "subject": "s", "body": "b", "category": None, "resolved": True},
        ],
    )
    tickets = load_tickets_jsonl(path)
    assert [t.ticket_id for t in tickets] == ["t1", "t3"]
    assert tickets[0].resolution == "r" and tickets[1].resolution == ""
    assert tickets[1].category is None


def test_blank_lines_are_ignored_but_counted(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "a", "title": "T", "body": "B"}, "", "   ", "{not json"])
    with pytest.raises(KnowledgeFormatError) as err:
        load_articles_jsonl(path)
    assert err.value.line == 4
    assert str(err.value).startswith(f"{path}:4: bad JSON")


ARTICLE_OK = {"id": "a0", "title": "Title", "body": "Body"}


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ('{"id": "a1", "title": "T", "body": ', "bad JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"id": "a1", "body": "B"}, "missing field 'title'"),
        ({"id": "a1", "title": "T", "body": "   "}, "field 'body' is empty"),
        ({"id": 7, "title": "T", "body": "B"}, "field 'id' must be a string, got int"),
        ({"id": "a1", "title": "T", "body": "B", "product": 3}, "field 'product' must be a string or null"),
        ({"id": "a0", "title": "T", "body": "B"}, "duplicate id 'a0' (first seen on line 1)"),
    ],
)
def test_malformed_article_names_file_line_and_problem(
    tmp_path: Path, bad_row: str | dict, problem: str
) -> None:
    path = _write(tmp_path, [ARTICLE_OK, bad_row, {"id": "a9", "title": "T", "body": "B"}])
    with pytest.raises(KnowledgeFormatError) as err:
        load_articles_jsonl(path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert problem in str(err.value)
    assert isinstance(err.value, ValueError) and err.value.path == path and err.value.line == 2


TICKET_OK = {"id": "t0", "subject": "s", "body": "b", "category": "c", "resolved": True}


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ({"id": "t1", "body": "b", "resolved": True}, "missing field 'subject'"),
        ({"id": "t1", "subject": "s", "body": "b", "resolved": "false"}, "'resolved' must be true or false"),
        ({"id": "t1", "subject": "s", "body": "b", "resolution": ["x"]}, "'resolution' must be a string"),
        ({"id": "t1", "subject": "s", "body": "b", "category": 5}, "'category' must be a string"),
        # a duplicate is an error even when the row would be skipped as unresolved
        ({"id": "t0", "subject": "s", "body": "b", "resolved": False}, "duplicate id 't0'"),
    ],
)
def test_malformed_ticket_names_file_line_and_problem(tmp_path: Path, bad_row: dict, problem: str) -> None:
    path = _write(tmp_path, [TICKET_OK, bad_row])
    with pytest.raises(KnowledgeFormatError) as err:
        load_tickets_jsonl(path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert problem in str(err.value)


def test_invalid_utf8_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(ARTICLE_OK).encode() + b'\n{"id": "caf\xe9", "title": "T", "body": "B"}\n')
    with pytest.raises(KnowledgeFormatError, match=r":2: not valid UTF-8"):
        load_articles_jsonl(path)
