"""`tandem sources`: the help-center sources the store holds, removing one, clearing a flagged article.

Every change is one store transaction and then, with the Weaviate backend, mirrored the way `tandem ingest`
mirrors a sync. An unknown source or article is an error (exit code 2) that changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from tandem.knowledge.ingest import source_label
from tandem.store import TicketStore, UnknownArticleError, UnknownSourceError

if TYPE_CHECKING:
    from tandem.adapters.weaviate_backend import WeaviateKnowledge

# Opens the Weaviate backend when it is configured (None: the embedded retriever, nothing to mirror).
Mirror = Callable[[], AbstractContextManager["WeaviateKnowledge"]] | None
USAGE_ERROR = 2


def list_sources(store: TicketStore) -> int:
    summaries = store.article_sources()
    if not summaries:
        print("no articles; add some with `tandem ingest PATH`")
    for summary in summaries:
        name = summary.source if summary.source is not None else "(no source: upserted directly)"
        extra = f", {summary.internal} internal" if summary.internal else ""
        extra += f", {len(summary.flagged)} flagged for review" if summary.flagged else ""
        when = f" · updated {summary.updated_at:%Y-%m-%d %H:%M}" if summary.updated_at else ""
        print(f"{name}: {_count(summary.articles, 'article')}{extra}{when}")
        for item in summary.flagged:
            print(f"  flagged {item.id} ({item.title}): {item.reason}")
    if any(summary.flagged for summary in summaries):
        print("A flagged article is neither indexed nor quoted; once a person has checked it:")
        print("  tandem sources clear ARTICLE_ID")
    return 0


def remove_source(store: TicketStore, name: str, weaviate: Mirror) -> int:
    known = [summary.source for summary in store.article_sources() if summary.source is not None]
    # The name `tandem sources` lists, or the path as it was typed for `tandem ingest`.
    source = name if name in known else source_label(name)
    before = {article.id for article in store.list_articles(source=source)}
    try:
        removed = store.remove_source(source)
    except UnknownSourceError as err:
        listed = ", ".join(repr(known_source) for known_source in known) or "none"
        print(f"error: {err}; nothing was changed (sources: {listed})", file=sys.stderr)
        return USAGE_ERROR
    print(f"{source}: {_count(removed, 'article')} removed")
    if weaviate is not None:
        from tandem.adapters.weaviate_sync import mirror_source

        with weaviate() as backend:
            written, deleted = mirror_source(store, backend, source, before)
        print(f"Weaviate: {written} chunks written, {deleted} deleted")
    return 0


def clear_article(store: TicketStore, article_id: str, weaviate: Mirror) -> int:
    try:
        cleared = store.clear_flag(article_id)
    except UnknownArticleError as err:
        print(f"error: {err}; nothing was changed", file=sys.stderr)
        return USAGE_ERROR
    if not cleared:
        print(f"{article_id} is not awaiting review; nothing was changed")
        return 0
    print(f"{article_id} cleared: from now on it is indexed and may be quoted")
    if weaviate is not None:
        from tandem.adapters.weaviate_schema import article_chunks

        article = store.get_articles([article_id])[article_id]
        with weaviate() as backend:
            print(f"Weaviate: {backend.import_articles(article_chunks(article))} chunks written")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
