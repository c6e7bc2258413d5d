"""Load help-center articles and resolved tickets from the suite's JSON-lines files.

Validation is strict and all-or-nothing: a bad line raises `KnowledgeFormatError` naming `file:line` and the
problem, so a broken export is fixed at the source instead of being half-ingested.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tandem.knowledge.documents import Article, ResolvedTicket


class KnowledgeFormatError(ValueError):
    """A knowledge file that does not follow the suite format; the message reads `path:line: problem`."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


def load_articles_jsonl(path: str | Path) -> list[Article]:
    """Articles from `{"id", "title", "body", "product"?, "url"?}` lines; an empty product means none."""
    articles: list[Article] = []
    seen: dict[str, int] = {}
    for row in _rows(Path(path)):
        article_id = row.required_text("id")
        row.check_unique(article_id, seen)
        articles.append(
            Article(
                id=article_id,
                title=row.required_text("title"),
                body=row.required_text("body"),
                product=row.optional_text("product"),
                url=row.optional_text("url"),
            )
        )
    return articles


def load_tickets_jsonl(path: str | Path) -> list[ResolvedTicket]:
    """Resolved tickets from `{"id", "subject", "body", "category"?, "resolved"?, "resolution"?}` lines.

    Rows with `"resolved": false` are validated (a broken row is still a broken file) but not returned.
    A missing `resolved` counts as resolved; a missing resolution becomes "" (banking77 has none).
    """
    tickets: list[ResolvedTicket] = []
    seen: dict[str, int] = {}
    for row in _rows(Path(path)):
        ticket_id = row.required_text("id")
        row.check_unique(ticket_id, seen)
        ticket = ResolvedTicket(
            ticket_id=ticket_id,
            subject=row.required_text("subject"),
            body=row.required_text("body"),
            resolution=row.optional_text("resolution") or "",
            category=row.optional_text("category"),
        )
        if row.optional_bool("resolved", default=True):
            tickets.append(ticket)
    return tickets


class _Row:
    """One parsed line plus where it came from, so every check can report `file:line`."""

    def __init__(self, path: Path, line: int, data: dict[str, Any]) -> None:
        self.path, self.line, self.data = path, line, data

    def error(self, problem: str) -> KnowledgeFormatError:
        return KnowledgeFormatError(self.path, self.line, problem)

    def required_text(self, field: str) -> str:
        if field not in self.data or self.data[field] is None:
            raise self.error(f"missing field {field!r}")
        value = self.data[field]
        if not isinstance(value, str):
            raise self.error(f"field {field!r} must be a string, got {type(value).__name__}")
        if not value.strip():
            raise self.error(f"field {field!r} is empty")
        return value

    def optional_text(self, field: str) -> str | None:
        value = self.data.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(f"field {field!r} must be a string or null, got {type(value).__name__}")
        return value.strip() or None

    def optional_bool(self, field: str, *, default: bool) -> bool:
        value = self.data.get(field, default)
        # bool only: a "false" string or 0 would silently flip meaning, so it is rejected.
        if not isinstance(value, bool):
            raise self.error(f"field {field!r} must be true or false, got {type(value).__name__}")
        return value

    def check_unique(self, item_id: str, seen: dict[str, int]) -> None:
        if item_id in seen:
            raise self.error(f"duplicate id {item_id!r} (first seen on line {seen[item_id]})")
        seen[item_id] = self.line


def _rows(path: Path) -> Iterator[_Row]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise KnowledgeFormatError(path, number, f"not valid UTF-8 ({exc.reason})") from exc
            if not text.strip():
                continue  # blank lines (e.g. a trailing newline) carry no record
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise KnowledgeFormatError(path, number, f"bad JSON: {exc.msg} (column {exc.colno})") from exc
            if not isinstance(data, dict):
                raise KnowledgeFormatError(path, number, f"expected a JSON object, got {type(data).__name__}")
            yield _Row(path, number, data)
