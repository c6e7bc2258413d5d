"""Load help-center articles (JSON lines, Markdown, HTML) and resolved tickets (JSON lines).

Validation is strict and all-or-nothing: a bad line raises `KnowledgeFormatError` naming `file:line` and the
problem (just `file` when no line applies), so a broken export is fixed at the source instead of being
half-ingested.

Markdown: optional front matter between `---` lines at the very top, one `key: value` a line (values may be
quoted); `id`, `title`, `product`, `category`, `url` and `internal`/`audience` are read, other keys (tags
lists included) are ignored. The title is front matter `title`, else the first `# ` heading, else the file
name.
HTML: see `html_text`; the title is `<title>`, else the first `<h1>`, else the file name; `<meta
name="product|category|audience" content=...>` and `<link rel="canonical">` (the url) are read.
Internal articles (agent procedures) are marked by the source or by the title: see `audience`.
In both, a leading level-1 heading that repeats the title is dropped from the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tandem.knowledge.audience import audience_is_internal, is_internal
from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.knowledge.html_text import HtmlError, html_to_text


class KnowledgeError(ValueError):
    """Knowledge input that cannot be ingested; the message says where and why."""


class KnowledgeFormatError(KnowledgeError):
    """A knowledge file that does not follow its format; the message reads `path:line: problem`."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}" if line is not None else f"{path}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ArticleDefaults:
    """Fields for an article whose file does not set them (the ingest derives these from the path)."""

    id: str | None = None  # Markdown and HTML only: JSONL rows always carry their id
    product: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class LoadedArticle:
    """An article and where it was read: `line` is its JSONL line or its front-matter `id:` line."""

    article: Article
    path: Path
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


def load_articles_jsonl(path: str | Path) -> list[Article]:
    """Articles from `{"id", "title", "body", "product"?, "url"?, "category"?}` lines; empty means none."""
    return [loaded.article for loaded in read_articles_jsonl(path)]


def read_articles_jsonl(path: str | Path, defaults: ArticleDefaults | None = None) -> list[LoadedArticle]:
    """As `load_articles_jsonl`, with line numbers; `defaults` fill a row's missing product and category."""
    defaults = defaults or ArticleDefaults()
    articles: list[LoadedArticle] = []
    seen: dict[str, int] = {}
    for row in _rows(Path(path)):
        article_id = row.required_text("id")
        row.check_unique(article_id, seen)
        title = row.required_text("title")
        article = Article(
            id=article_id,
            title=title,
            body=row.required_text("body"),
            product=row.optional_text("product") or defaults.product,
            url=row.optional_text("url"),
            category=row.optional_text("category") or defaults.category,
            internal=is_internal(title, row.declared_internal()),
        )
        articles.append(LoadedArticle(article, row.path, row.line))
    return articles


FRONT_MATTER_FIELDS = frozenset({"id", "title", "product", "category", "url", "internal", "audience"})
_FRONT_MATTER_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?")
_ATX_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(```|~~~)")


def read_markdown_article(path: str | Path, defaults: ArticleDefaults) -> LoadedArticle:
    """One article from a Markdown file; front matter fields win over `defaults`."""
    path = Path(path)
    lines = _read_text(path).split("\n")
    fields, body_start = _front_matter(path, lines)
    body_lines = lines[body_start:]
    title = _field(fields, "title") or _first_h1(body_lines) or _title_from_name(path)
    body = _drop_title_heading("\n".join(body_lines), title).strip()
    if not body:
        raise KnowledgeFormatError(path, body_start + 1, "no article text after the title")
    id_field = fields.get("id")
    article = Article(
        id=id_field[0] if id_field else _default_id(defaults, path),
        title=title,
        body=body,
        product=_field(fields, "product") or defaults.product,
        url=_field(fields, "url"),
        category=_field(fields, "category") or defaults.category,
        internal=is_internal(title, _declared_internal(path, fields)),
    )
    return LoadedArticle(article, path, id_field[1] if id_field else None)


def read_html_article(path: str | Path, defaults: ArticleDefaults) -> LoadedArticle:
    """One article from an HTML page; its meta tags win over `defaults`."""
    path = Path(path)
    try:
        doc = html_to_text(_read_text(path))
    except HtmlError as exc:
        raise KnowledgeFormatError(path, exc.line, exc.problem) from exc
    meta: dict[str, str] = {}
    for name in ("product", "category", "audience"):
        given = [(value, line) for value, line in doc.meta.get(name, []) if value]
        for value, line in given[1:]:
            if value != given[0][0]:
                first = f"{given[0][0]!r} on line {given[0][1]}"
                raise KnowledgeFormatError(path, line, f"meta {name!r} is {value!r} here but {first}")
        if given:
            meta[name] = given[0][0]
    title = doc.title or doc.heading or _title_from_name(path)
    body = _drop_title_heading(doc.body, title).strip()
    if not body:
        raise KnowledgeFormatError(
            path, None, "no article text in the page (only navigation, scripts, markup?)"
        )
    article = Article(
        id=_default_id(defaults, path),
        title=title,
        body=body,
        product=meta.get("product") or defaults.product,
        url=doc.canonical,
        category=meta.get("category") or defaults.category,
        internal=is_internal(title, _html_audience(path, meta.get("audience"))),
    )
    return LoadedArticle(article, path)


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

    def declared_internal(self) -> bool | None:
        """`internal` (a bool) or `audience`/`visibility` (a word); None when the row says neither."""
        if "internal" in self.data and self.data["internal"] is not None:
            return self.optional_bool("internal", default=False)
        for field in ("audience", "visibility"):
            word = self.optional_text(field)
            if word is not None:
                try:
                    return audience_is_internal(word)
                except ValueError as exc:
                    raise self.error(f"field {field!r} {exc}") from None
        return None

    def check_unique(self, item_id: str, seen: dict[str, int]) -> None:
        if item_id in seen:
            raise self.error(f"duplicate id {item_id!r} (first seen on line {seen[item_id]})")
        seen[item_id] = self.line


def _declared_internal(path: Path, fields: dict[str, tuple[str, int]]) -> bool | None:
    """Front matter `internal: true|false` (or yes/no) or `audience: WORD`; None when it says neither."""
    for name in ("internal", "audience"):
        if name in fields:
            value, line = fields[name]
            try:
                return _yes_no(value) if name == "internal" else audience_is_internal(value)
            except ValueError as exc:
                raise KnowledgeFormatError(path, line, f"front matter {name!r} {exc}") from None
    return None


def _yes_no(value: str) -> bool:
    word = value.strip().strip("'\"").lower()
    if word not in ("true", "false", "yes", "no"):
        raise ValueError(f"must be true or false, got {value.strip()!r}")
    return word in ("true", "yes")


def _html_audience(path: Path, value: str | None) -> bool | None:
    try:
        return None if value is None else audience_is_internal(value)
    except ValueError as exc:
        raise KnowledgeFormatError(path, None, f"meta 'audience' {exc}") from None


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


def _read_text(path: Path) -> str:
    """UTF-8 text with Unix newlines (a byte-order mark is dropped); bad bytes are an error at their line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeFormatError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise KnowledgeFormatError(path, line, f"not valid UTF-8 ({exc.reason})") from exc
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(path: Path, lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """The front matter's known fields as {name: (value, line)}, and the index of the first body line."""
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise KnowledgeFormatError(path, 1, "front matter: the '---' opened here is never closed")
    fields: dict[str, tuple[str, int]] = {}
    seen: dict[str, int] = {}
    open_key: str | None = None  # the key that indented lines and list items below belong to
    for index in range(1, end):
        number, raw = index + 1, lines[index].rstrip()
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if raw[0] in " \t" or stripped == "-" or stripped.startswith("- "):
            if open_key is None:
                raise KnowledgeFormatError(path, number, "front matter: indented line with no key above it")
            if open_key in FRONT_MATTER_FIELDS:
                raise KnowledgeFormatError(
                    path, number, f"front matter: {open_key!r} must be one line of text"
                )
            continue
        match = _FRONT_MATTER_KEY.fullmatch(raw)
        if match is None:
            raise KnowledgeFormatError(path, number, f"front matter: expected 'key: value', got {stripped!r}")
        key = match.group(1).lower()
        open_key = key
        if key not in FRONT_MATTER_FIELDS:
            continue  # tags, dates, authors...: not ours to read
        if key in seen:
            raise KnowledgeFormatError(
                path, number, f"front matter: {key!r} given twice (first on line {seen[key]})"
            )
        seen[key] = number
        value = _scalar(path, number, key, match.group(2) or "")
        if value is not None:
            fields[key] = (value, number)
    return fields, end + 1


def _scalar(path: Path, line: int, key: str, value: str) -> str | None:
    """A one-line YAML-style scalar: plain, 'single' or "double" quoted; empty, ~ and null mean unset."""
    value = value.strip()
    if value[:1] == '"':
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, str):
            raise KnowledgeFormatError(path, line, f"front matter: {key!r} has a broken double-quoted value")
        return parsed.strip() or None
    if value[:1] == "'":
        if len(value) < 2 or not value.endswith("'"):
            raise KnowledgeFormatError(path, line, f"front matter: {key!r} has a broken single-quoted value")
        return value[1:-1].replace("''", "'").strip() or None
    if value[:1] in ("[", "{", "|", ">", "&", "*", "!"):
        raise KnowledgeFormatError(
            path, line, f"front matter: {key!r} must be one line of text, got {value!r}"
        )
    value = re.sub(r"\s+#.*$", "", value).strip()  # a trailing comment
    return None if value in ("", "~", "null", "Null", "NULL") else value


def _field(fields: dict[str, tuple[str, int]], name: str) -> str | None:
    found = fields.get(name)
    return found[0] if found else None


def _first_h1(lines: list[str]) -> str | None:
    fence: str | None = None
    for line in lines:
        opening = _FENCE.match(line)
        if opening:
            fence = None if fence == opening.group(1) else fence or opening.group(1)
            continue
        if fence is None:
            heading = _ATX_HEADING.fullmatch(line)
            if heading and len(heading.group(1)) == 1 and heading.group(2).strip():
                return heading.group(2).strip()
    return None


def _drop_title_heading(body: str, title: str) -> str:
    """Drops a first line `# <title>`: the title is stored on its own and would otherwise be indexed twice."""
    stripped = body.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    heading = _ATX_HEADING.fullmatch(first)
    if heading and len(heading.group(1)) == 1 and heading.group(2).strip() == title:
        return rest
    return body


def _title_from_name(path: Path) -> str:
    words = " ".join(re.split(r"[-_\s]+", path.stem)).strip() or path.stem
    return words[:1].upper() + words[1:]


def _default_id(defaults: ArticleDefaults, path: Path) -> str:
    if not defaults.id:
        raise ValueError(f"{path}: an article id is needed (front matter `id:` or a default)")
    return defaults.id
