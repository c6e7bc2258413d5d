"""Evaluation suites: a folder holding some of kb.jsonl, queries.jsonl, tickets.jsonl, ticket_queries.jsonl,
escalation.jsonl, policy.json and scope.jsonl (the shared suite format). Only the files present are loaded.

Every file is validated completely before anything runs; a bad row raises `SuiteFormatError` naming
`file:line` and the problem (kb.jsonl and tickets.jsonl go through the ingestion loaders, which do the same).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.knowledge.loaders import KnowledgeFormatError, load_articles_jsonl, load_tickets_jsonl

FILES = (
    "kb.jsonl",
    "queries.jsonl",
    "tickets.jsonl",
    "ticket_queries.jsonl",
    "escalation.jsonl",
    "scope.jsonl",
    "answers.jsonl",
)


class SuiteFormatError(ValueError):
    """A suite file that does not follow the format; the message reads `path:line: problem`."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


@dataclass(frozen=True, slots=True)
class QueryCase:
    id: str
    query: str
    relevant: tuple[str, ...]
    expects_human: bool = False


@dataclass(frozen=True, slots=True)
class TicketQueryCase:
    id: str
    query: str
    category: str


@dataclass(frozen=True, slots=True)
class EscalationCase:
    id: str
    message: str
    escalate: bool
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class ScopeCase:
    id: str
    message: str
    in_scope: bool


@dataclass(frozen=True, slots=True)
class AnswerCase:
    id: str
    question: str
    expect: str  # "answer" | "abstain"
    product: str | None = None
    account: dict[str, str] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    source: tuple[str, ...] = ()


@dataclass(slots=True)
class Suite:
    path: Path
    articles: list[Article] | None = None
    queries: list[QueryCase] | None = None
    tickets: list[ResolvedTicket] | None = None
    ticket_queries: list[TicketQueryCase] | None = None
    escalation: list[EscalationCase] | None = None
    scope: list[ScopeCase] | None = None
    answers: list[AnswerCase] | None = None
    policy: dict[str, Any] | None = None
    files: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def load_suite(directory: str | Path) -> Suite:
    path = Path(directory)
    if not path.is_dir():
        raise SuiteFormatError(path, 0, "not a directory")
    suite = Suite(path=path, files=[name for name in (*FILES, "policy.json") if (path / name).is_file()])
    if not suite.files:
        raise SuiteFormatError(path, 0, f"no suite files (expected some of {', '.join(FILES)}, policy.json)")
    try:
        if (path / "kb.jsonl").is_file():
            suite.articles = load_articles_jsonl(path / "kb.jsonl")
        if (path / "tickets.jsonl").is_file():
            suite.tickets = load_tickets_jsonl(path / "tickets.jsonl")
    except KnowledgeFormatError as exc:
        raise SuiteFormatError(exc.path, exc.line or 0, exc.problem) from exc
    if (path / "queries.jsonl").is_file():
        known = {a.id for a in suite.articles} if suite.articles is not None else None
        suite.queries = [_query(row, known) for row in _rows(path / "queries.jsonl")]
    if (path / "ticket_queries.jsonl").is_file():
        suite.ticket_queries = [
            TicketQueryCase(row.text("id"), row.text("query"), row.text("category"))
            for row in _rows(path / "ticket_queries.jsonl")
        ]
    if (path / "escalation.jsonl").is_file():
        suite.escalation = [
            EscalationCase(row.text("id"), row.text("message"), row.flag("escalate"), row.optional("intent"))
            for row in _rows(path / "escalation.jsonl")
        ]
    if (path / "scope.jsonl").is_file():
        suite.scope = [
            ScopeCase(row.text("id"), row.text("message"), row.flag("in_scope"))
            for row in _rows(path / "scope.jsonl")
        ]
    if (path / "answers.jsonl").is_file():
        suite.answers = [_answer(row) for row in _rows(path / "answers.jsonl")]
    if (path / "policy.json").is_file():
        suite.policy = _policy(path / "policy.json")
    return suite


def _query(row: _Row, known: set[str] | None) -> QueryCase:
    relevant = row.data.get("relevant")
    if not isinstance(relevant, list) or not relevant or not all(isinstance(r, str) and r for r in relevant):
        raise row.error("field 'relevant' must be a non-empty list of article ids")
    if known is not None:
        unknown = [r for r in relevant if r not in known]
        if unknown:
            raise row.error(f"relevant id {unknown[0]!r} is not in kb.jsonl")
    expects_human = row.data.get("expects_human", False)
    if not isinstance(expects_human, bool):
        raise row.error("field 'expects_human' must be true or false")
    return QueryCase(row.text("id"), row.text("query"), tuple(relevant), expects_human)


def _answer(row: _Row) -> AnswerCase:
    expect = row.text("expect")
    if expect not in ("answer", "abstain"):
        raise row.error(f"field 'expect' must be 'answer' or 'abstain', got {expect!r}")
    account = row.data.get("account") or {}
    if not isinstance(account, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in account.items()
    ):
        raise row.error("field 'account' must be an object of strings")
    lists = {name: row.strings(name) for name in ("history", "must", "must_not", "source")}
    if expect == "answer" and not lists["must"]:
        raise row.error("an item expecting an answer needs at least one 'must' fact")
    return AnswerCase(
        id=row.text("id"),
        question=row.text("question"),
        expect=expect,
        product=row.optional("product"),
        account=dict(account),
        **{name: tuple(values) for name, values in lists.items()},
    )


def _policy(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", 0)
        raise SuiteFormatError(path, line, f"bad JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SuiteFormatError(path, 1, f"expected a JSON object, got {type(data).__name__}")
    return data


class _Row:
    def __init__(self, path: Path, line: int, data: dict[str, Any], seen: dict[str, int]) -> None:
        self.path, self.line, self.data = path, line, data
        item_id = self.text("id")
        if item_id in seen:
            raise self.error(f"duplicate id {item_id!r} (first seen on line {seen[item_id]})")
        seen[item_id] = line

    def error(self, problem: str) -> SuiteFormatError:
        return SuiteFormatError(self.path, self.line, problem)

    def text(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"field {name!r} must be a non-empty string")
        return value

    def optional(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is not None and not isinstance(value, str):
            raise self.error(f"field {name!r} must be a string or null")
        return value or None

    def strings(self, name: str) -> list[str]:
        value = self.data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(f"field {name!r} must be a list of non-empty strings")
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        if not isinstance(value, bool):
            raise self.error(f"field {name!r} must be true or false")
        return value


def _rows(path: Path) -> Iterator[_Row]:
    seen: dict[str, int] = {}
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SuiteFormatError(path, number, f"not valid UTF-8 ({exc.reason})") from exc
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise SuiteFormatError(path, number, f"bad JSON: {exc.msg} (column {exc.colno})") from exc
            if not isinstance(data, dict):
                raise SuiteFormatError(path, number, f"expected a JSON object, got {type(data).__name__}")
            yield _Row(path, number, data, seen)
