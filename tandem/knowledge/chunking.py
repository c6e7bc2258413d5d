"""Heading-aware chunking of help-center articles for retrieval.

An article splits at its markdown headings; a section longer than `max_chars` splits again between
paragraphs (then lines, then words), and a heading with no text of its own joins the section under it.
Every chunk keeps the article title and its heading path, because a section such as "## Fees" means nothing
without "Gold Account" in front of it. Chunk ids are `<article id>#<n>`; the content hash covers exactly the
text that gets embedded, so an unchanged chunk never needs embedding again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tandem.knowledge.documents import Article

MAX_CHUNK_CHARS = 1200
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CONTEXT_SEPARATOR = " \u203a "  # a single right-pointing angle quote between title and headings


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str  # "<article id>#<n>"
    article_id: str
    position: int  # n: order inside the article, from 0
    title: str  # the article title, on every chunk
    headings: tuple[str, ...]  # the enclosing headings, outermost first ("" parts never appear)
    text: str  # the chunk's own markdown (its heading line included)
    content_hash: str

    @property
    def context(self) -> str:
        """Title and heading path: what the chunk is about, indexed with it."""
        return _CONTEXT_SEPARATOR.join([self.title, *(h for h in self.headings if h != self.title)])

    @property
    def indexed_text(self) -> str:
        """The text searched and embedded: its context line, then its own text."""
        return f"{self.context}\n{self.text}"


def chunk_article(article: Article, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """The article's chunks in reading order; an empty body still gives one chunk (the title)."""
    pieces: list[tuple[tuple[str, ...], str]] = []
    for headings, section in _sections(article.body):
        pieces.extend((headings, part) for part in _split_long(section, max_chars))
    if not pieces:
        pieces = [((), "")]
    chunks: list[Chunk] = []
    for position, (headings, text) in enumerate(pieces):
        chunk_id = f"{article.id}#{position}"
        context = _CONTEXT_SEPARATOR.join([article.title, *(h for h in headings if h != article.title)])
        digest = hashlib.sha256(f"{context}\n{text}".encode()).hexdigest()[:32]
        chunks.append(Chunk(chunk_id, article.id, position, article.title, headings, text, digest))
    return chunks


def _sections(body: str) -> list[tuple[tuple[str, ...], str]]:
    """(heading path, section text) in order; a heading-only section is carried into the next one."""
    sections: list[tuple[tuple[str, ...], str]] = []
    stack: list[tuple[int, str]] = []  # (level, heading) of the enclosing headings
    lines: list[str] = []
    pending: list[str] = []  # heading lines of sections that had no text of their own
    path: tuple[str, ...] = ()
    in_fence = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if not text:
            return
        if _has_content(text):
            sections.append((path, "\n".join([*pending, text]).strip()))
            pending.clear()
        else:
            pending.append(text)

    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        flush()
        lines = [line]
        level = len(match.group(1))
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, match.group(2).strip()))
        path = tuple(heading for _, heading in stack)
    flush()
    if pending:  # trailing headings without text: keep them rather than lose words
        sections.append((path, "\n".join(pending)))
    return sections


def _has_content(section: str) -> bool:
    return any(line.strip() and not _HEADING.match(line) for line in section.splitlines())


def _split_long(text: str, max_chars: int) -> list[str]:
    """Pack paragraphs (then lines, then words) greedily into pieces of at most `max_chars`."""
    if len(text) <= max_chars:
        return [text]
    for separator, pattern in (
        ("\n\n", _PARAGRAPH_BREAK),
        ("\n", re.compile(r"\n")),
        (" ", re.compile(r" +")),
    ):
        parts = [p.strip() for p in pattern.split(text) if p.strip()]
        if len(parts) > 1:
            return _pack(parts, separator, max_chars)
    return [text[i : i + max_chars] for i in range(0, len(text), max_chars)]


def _pack(parts: list[str], separator: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for part in parts:
        if len(part) > max_chars:  # one paragraph alone is too long: split it finer
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_split_long(part, max_chars))
        elif not current:
            current = part
        elif len(current) + len(separator) + len(part) <= max_chars:
            current = f"{current}{separator}{part}"
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return pieces
