"""The pure parts of the Weaviate backend: filters, hybrid-query arguments, aggregation and voting.

Nothing here talks to a server, so all of it is unit-tested without one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from weaviate.classes.query import Filter, FilterReturn, HybridFusion, MetadataQuery

from tandem.adapters.weaviate_schema import ArticleChunk
from tandem.contracts import SimilarTicket, SourceRef
from tandem.knowledge.routing import product_groups, routed
from tandem.snippets import shorten

SNIPPET_CHARS = 200
RESOLUTION_CHARS = 600
# Chunk hits fetched per article wanted: several chunks of one article often rank together.
CHUNKS_PER_RESULT = 5
MAX_CHUNK_HITS = 200

ARTICLE_QUERY_PROPERTIES = ["title", "text"]
TICKET_QUERY_PROPERTIES = ["subject", "body"]


# --- filters -----------------------------------------------------------------------------------------


def product_filter(product: str | None) -> FilterReturn | None:
    """That product's articles plus general ones (no product); None (no filter) when no product is given.

    `is_none` needs the collection's inverted index to record null state (`index_null_state=True`).
    """
    if product is None:
        return None
    return Filter.any_of(
        [Filter.by_property("product").equal(product), Filter.by_property("product").is_none(True)]
    )


def ticket_filter(category: str | None, exclude_ticket_id: str | None) -> FilterReturn | None:
    """Category equality and/or exclusion of the ticket being answered; None when neither applies."""
    parts: list[FilterReturn] = []
    if category is not None:
        parts.append(Filter.by_property("category").equal(category))
    if exclude_ticket_id is not None:
        parts.append(Filter.by_property("ticket_id").not_equal(exclude_ticket_id))
    return Filter.all_of(parts) if parts else None


def article_ids_filter(article_ids: Sequence[str]) -> FilterReturn:
    if not article_ids:
        raise ValueError("article_ids_filter needs at least one id")
    return Filter.by_property("article_id").contains_any(list(article_ids))


def chunk_counts(chunks: Iterable[ArticleChunk]) -> dict[str, int]:
    """Chunks per article, checking each article comes whole: chunk ids exactly 0..n-1, no duplicates."""
    positions: dict[str, list[int]] = {}
    for chunk in chunks:
        positions.setdefault(chunk.article_id, []).append(chunk.chunk_id)
    counts: dict[str, int] = {}
    for article_id, ids in positions.items():
        if sorted(ids) != list(range(len(ids))):
            raise ValueError(
                f"article {article_id!r}: chunk ids must be exactly 0..n-1 (all chunks of the article "
                f"in one import), got {sorted(ids)}"
            )
        counts[article_id] = len(ids)
    return counts


def stale_chunks_filter(chunk_counts: Mapping[str, int]) -> FilterReturn | None:
    """Chunks left over from a longer earlier version: position >= the article's new chunk count.

    Articles are grouped by count so the filter stays small: one (ids, chunk_id >= n) clause per count.
    """
    by_count: dict[int, list[str]] = {}
    for article_id, count in chunk_counts.items():
        by_count.setdefault(count, []).append(article_id)
    clauses = [
        Filter.all_of(
            [
                Filter.by_property("article_id").contains_any(sorted(ids)),
                Filter.by_property("chunk_id").greater_or_equal(count),
            ]
        )
        for count, ids in sorted(by_count.items())
    ]
    return Filter.any_of(clauses) if clauses else None


# --- hybrid query ------------------------------------------------------------------------------------


def hybrid_kwargs(
    query: str,
    vector: np.ndarray | Sequence[float],
    *,
    alpha: float,
    limit: int,
    filters: FilterReturn | None,
    query_properties: Sequence[str],
    return_properties: Sequence[str],
) -> dict[str, Any]:
    """Keyword arguments for `collection.query.hybrid`.

    Relative-score fusion is pinned (not left to the server default) so scores are in [0, 1] on every
    server version; alpha weighs the vector side (0 = pure BM25, 1 = pure vector).
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    return {
        "query": query,
        "vector": [float(x) for x in np.asarray(vector, dtype=np.float64).ravel()],
        "alpha": float(alpha),
        "limit": int(limit),
        "filters": filters,
        "fusion_type": HybridFusion.RELATIVE_SCORE,
        "query_properties": list(query_properties),
        "return_properties": list(return_properties),
        "return_metadata": MetadataQuery(score=True),
    }


def chunk_hit_limit(limit: int) -> int:
    return min(MAX_CHUNK_HITS, max(limit * CHUNKS_PER_RESULT, limit))


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One query result reduced to what Tandem reads: properties and the fused score."""

    properties: Mapping[str, Any]
    score: float


def hits_of(objects: Iterable[Any]) -> list[Hit]:
    """Hits from the client's result objects (anything with `.properties` and `.metadata.score`)."""
    hits = []
    for obj in objects:
        score = getattr(getattr(obj, "metadata", None), "score", None)
        hits.append(Hit(properties=dict(obj.properties or {}), score=float(score or 0.0)))
    return hits


def aggregate_chunks(
    hits: Iterable[Hit],
    limit: int,
    *,
    route: bool = False,
    title_factors: Callable[[list[str]], np.ndarray] | None = None,
) -> list[SourceRef]:
    """Articles ranked by their best chunk (max aggregation), best first; the snippet is from that chunk.

    Hits are re-sorted by score (stable, so the server's order breaks ties) rather than trusting order.
    `route`: product routing over the articles found, as the embedded index does without a product filter
    (tandem.knowledge.routing; the hits need their `product`). `title_factors`: one factor per article
    title, applied before routing (the product-name discount, tandem.knowledge.lexicon).
    """
    if limit <= 0:
        return []
    best: dict[str, Hit] = {}
    for hit in sorted(hits, key=lambda h: -h.score):
        article_id = hit.properties.get("article_id")
        if article_id and article_id not in best:
            best[article_id] = hit
    chosen = list(best.values())
    scores = np.asarray([h.score for h in chosen], dtype=np.float64)
    if title_factors is not None and chosen:
        scores = scores * title_factors([str(h.properties.get("title") or "") for h in chosen])
    if route and chosen:
        scores = routed(scores, product_groups([h.properties.get("product") for h in chosen]))
    order = np.argsort(-scores, kind="stable")[:limit]
    return [
        SourceRef(
            kind="article",
            id=str(chosen[i].properties["article_id"]),
            title=chosen[i].properties.get("title") or "",
            url=chosen[i].properties.get("url"),
            score=float(scores[i]),
            snippet=shorten(str(chosen[i].properties.get("text") or "").lstrip("#"), SNIPPET_CHARS),
            internal=bool(chosen[i].properties.get("internal")),
        )
        for i in order
    ]


def similar_from_hits(hits: Iterable[Hit], limit: int) -> list[SimilarTicket]:
    results: list[SimilarTicket] = []
    for hit in sorted(hits, key=lambda h: -h.score)[: max(limit, 0)]:
        p = hit.properties
        results.append(
            SimilarTicket(
                ticket_id=str(p.get("ticket_id") or ""),
                subject=str(p.get("subject") or ""),
                category=p.get("category"),
                resolution=shorten(str(p.get("resolution") or ""), RESOLUTION_CHARS, flatten=False),
                score=hit.score,
            )
        )
    return results


def vote_category(hits: Iterable[Hit]) -> str | None:
    """Category with the largest summed score among the hits; ties go to the better-ranked ticket's.

    Hits without a category do not vote; None when no hit has one.
    """
    votes: dict[str, float] = {}
    for hit in sorted(hits, key=lambda h: -h.score):
        category = hit.properties.get("category")
        if category:
            votes[category] = votes.get(category, 0.0) + max(hit.score, 0.0)
    if not votes:
        return None
    # max() keeps the first of equal totals, i.e. the category met first in rank order.
    return max(votes, key=votes.__getitem__)


def join_chunks(chunks: Iterable[Mapping[str, Any]]) -> dict[str, tuple[Mapping[str, Any], str]]:
    """Per article: the properties of its first chunk and its chunk texts joined in chunk_id order."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for chunk in chunks:
        article_id = chunk.get("article_id")
        if article_id:
            grouped.setdefault(article_id, []).append(chunk)
    joined: dict[str, tuple[Mapping[str, Any], str]] = {}
    for article_id, parts in grouped.items():
        parts.sort(key=lambda c: int(c.get("chunk_id") or 0))
        body = "\n\n".join(str(c.get("text") or "") for c in parts)
        joined[article_id] = (parts[0], body)
    return joined


def batched(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- connection --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionParams:
    http_host: str
    http_port: int
    http_secure: bool
    grpc_host: str
    grpc_port: int
    grpc_secure: bool


WEAVIATE_CLOUD_SUFFIXES = (".weaviate.cloud", ".weaviate.network")


def is_weaviate_cloud(url: str) -> bool:
    host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    return host.endswith(WEAVIATE_CLOUD_SUFFIXES)


def connection_params(
    url: str, *, grpc_host: str | None = None, grpc_port: int | None = None
) -> ConnectionParams:
    """HTTP and gRPC endpoints from a Weaviate URL such as `http://localhost:8080` or `https://wv.example`.

    gRPC defaults to the same host on 50051 (Weaviate's default), secure when HTTP is.
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a Weaviate http(s) URL: {url!r}")
    secure = parts.scheme == "https"
    return ConnectionParams(
        http_host=parts.hostname,
        http_port=parts.port or (443 if secure else 8080),
        http_secure=secure,
        grpc_host=grpc_host or parts.hostname,
        grpc_port=grpc_port or 50051,
        grpc_secure=secure,
    )
