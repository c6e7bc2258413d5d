"""`tandem ingest PATH`: read a help center from files and sync it into the store as one source.

PATH is a JSONL file (the suites' `kb.jsonl` format), a Markdown (`.md`, `.markdown`) or HTML (`.html`,
`.htm`) file, or a folder searched recursively for all of these (hidden files and folders are skipped, other
files are listed in the report as skipped). See `loaders` for what is read from each format.

Fields a file does not set come from where it sits under PATH:
- id: the path relative to PATH without its extension (`kb/credit_cards/annual-fee.md` -> `credit_cards/
  annual-fee`; a single file: its name without extension). JSONL rows always carry their own id.
- product: the `product` option if given, else the first folder level under PATH (`credit_cards`).
- category: the next folder level (the first one when the `product` option is given).

PATH is one source, recorded on every article as PATH relative to the current directory (absolute only when
PATH lies outside it). Ingesting it again makes the store hold exactly what PATH holds now: unchanged
articles are left alone, changed ones replaced, new ones added and ones no longer there deleted, all in one
transaction; other sources are never touched. Everything is read and validated before anything is written,
so a malformed file (`KnowledgeFormatError`, naming file and line), an id another source holds or a PATH
with no articles at all (`IngestError`) leave the store as it was.

An article whose title or text addresses an AI ("ignore previous instructions", "you are now...", see
tandem.knowledge.injection) is stored flagged, with the reason, and is neither indexed nor quoted until a
person clears it (`tandem sources clear ID`); the report lists what awaits review and why. Changed content
is checked again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from tandem.knowledge.injection import injection_reason
from tandem.knowledge.loaders import (
    ArticleDefaults,
    KnowledgeError,
    KnowledgeFormatError,
    LoadedArticle,
    read_articles_jsonl,
    read_html_article,
    read_markdown_article,
)
from tandem.store import ArticleSourceConflict, FlaggedArticle, SyncCounts, TicketStore

JSONL_SUFFIXES = frozenset({".jsonl"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUFFIXES = JSONL_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES


class IngestError(KnowledgeError):
    """A PATH that cannot be ingested as a whole (nothing found, an id clash with another source...)."""


@dataclass(frozen=True, slots=True)
class LoadedPath:
    root: Path
    files: list[Path]  # the article files read, in order
    skipped: list[Path]  # files under a folder PATH that are not articles
    articles: list[LoadedArticle]


@dataclass(frozen=True, slots=True)
class IngestReport:
    source: str  # as stored on the articles
    files: int
    articles: int
    counts: SyncCounts
    skipped: tuple[str, ...] = ()
    internal: int = 0  # articles for agents only (tandem.knowledge.audience): never quoted to customers
    # Articles of this source awaiting a person's review (text addressed to an AI): never indexed or quoted.
    flagged: tuple[FlaggedArticle, ...] = ()

    @property
    def changed(self) -> bool:
        return self.counts.changed > 0

    def flag_notes(self) -> list[str]:
        """One line per flagged article, saying why; empty when none awaits review."""
        if not self.flagged:
            return []
        lines = [
            f"{_count(len(self.flagged), 'article')} flagged for review: not indexed or quoted until a "
            "person clears it (`tandem sources clear ID`):"
        ]
        lines += [f"  {item.id}: {item.reason}" for item in self.flagged]
        return lines

    def summary(self) -> str:
        """One line for people: `kb: 12 articles from 12 files: 1 added, 1 updated, 10 unchanged, ...`."""
        c = self.counts
        read = f"{_count(self.articles, 'article')} from {_count(self.files, 'file')}"
        if self.internal:
            read += f" ({self.internal} internal, for agents only)"
        line = (
            f"{self.source}: {read}: {c.added} added, {c.updated} updated, {c.unchanged} unchanged, "
            f"{c.deleted} deleted"
        )
        if self.skipped:
            line += f" ({_count(len(self.skipped), 'other file')} skipped)"
        if self.flagged:
            line += f"; {len(self.flagged)} flagged for review"
        return line


def ingest_path(
    store: TicketStore, path: str | Path, *, product: str | None = None, progress: bool = True
) -> IngestReport:
    """Reads PATH and syncs it into `store` as one source; see the module docstring."""
    loaded = load_path(path, product=product, progress=progress)
    source = source_label(path)
    articles = [replace(item.article, source=source) for item in loaded.articles]
    flags = {a.id: reason for a in articles if (reason := injection_reason(f"{a.title}\n{a.body}"))}
    try:
        counts = store.sync_articles(source, articles, flags=flags)
    except ArticleSourceConflict as exc:
        where = {item.article.id: item.where for item in loaded.articles}
        clashes = [f"{where[i]}: id {i!r} is held by source {owner!r}" for i, owner in exc.conflicts.items()]
        more = f" (and {len(clashes) - 3} more)" if len(clashes) > 3 else ""
        raise IngestError(
            f"cannot ingest {source!r}: articles already belong to another source; rename the ids or "
            f"remove them from that source first. {'; '.join(clashes[:3])}{more}. Nothing was changed."
        ) from exc
    return IngestReport(
        source=source,
        files=len(loaded.files),
        articles=len(articles),
        counts=counts,
        skipped=tuple(p.as_posix() for p in loaded.skipped),
        internal=sum(a.internal for a in articles),
        flagged=tuple(store.flagged_articles(source)),
    )


def load_path(path: str | Path, *, product: str | None = None, progress: bool = False) -> LoadedPath:
    """Every article under PATH, validated (ids unique across files); raises rather than returning none."""
    root = Path(path)
    product = (product or "").strip() or None
    files, skipped = _article_files(root)
    articles: list[LoadedArticle] = []
    first_seen: dict[str, LoadedArticle] = {}
    show = progress and sys.stderr.isatty()
    for file in tqdm(files, desc=f"reading {root}", unit="file", file=sys.stderr, disable=not show):
        for item in _reader(file)(file, _defaults(root, file, product)):
            earlier = first_seen.setdefault(item.article.id, item)
            if earlier is not item:
                raise KnowledgeFormatError(
                    item.path, item.line, f"duplicate id {item.article.id!r} (also in {earlier.where})"
                )
            articles.append(item)
    if not articles:
        looked = ", ".join(sorted(SUFFIXES))
        others = f"; skipped {_count(len(skipped), 'other file')}" if skipped else ""
        raise IngestError(f"{root}: no articles found (looked for {looked}{others}); nothing was changed")
    return LoadedPath(root=root, files=files, skipped=skipped, articles=articles)


def source_label(path: str | Path) -> str:
    """PATH as stored on its articles: relative to the current directory (POSIX separators, normalised)
    when it lies inside it, else absolute."""
    absolute = Path(os.path.normpath(Path(path).absolute()))
    cwd = Path.cwd()
    for candidate in (absolute, absolute.resolve()):
        try:
            return candidate.relative_to(cwd).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()


def _article_files(root: Path) -> tuple[list[Path], list[Path]]:
    if root.is_file():
        if root.suffix.lower() not in SUFFIXES:
            raise IngestError(f"{root}: not an article file (expected one of {', '.join(sorted(SUFFIXES))})")
        return [root], []
    if not root.is_dir():
        raise IngestError(f"{root}: no such file or folder")
    files: list[Path] = []
    skipped: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            file = Path(folder) / name
            (files if file.suffix.lower() in SUFFIXES else skipped).append(file)
    return files, skipped


def _defaults(root: Path, file: Path, product: str | None) -> ArticleDefaults:
    relative = file.relative_to(root) if file != root else Path(file.name)
    folders = relative.parent.parts
    if product is None:
        product, folders = (folders[0], folders[1:]) if folders else (None, ())
    return ArticleDefaults(
        id=relative.with_suffix("").as_posix(),
        product=product,
        category=folders[0] if folders else None,
    )


def _reader(file: Path) -> Callable[[Path, ArticleDefaults], list[LoadedArticle]]:
    suffix = file.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return read_articles_jsonl
    if suffix in MARKDOWN_SUFFIXES:
        return lambda path, defaults: [read_markdown_article(path, defaults)]
    return lambda path, defaults: [read_html_article(path, defaults)]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
