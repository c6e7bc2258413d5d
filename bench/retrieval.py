"""Retrieval benchmark with the default embedder: index build times and query latency, printed as JSON.

    .venv/bin/python bench/retrieval.py [--kb PATH] [--tickets PATH ...] [--target-tickets N]

Defaults are the repo's copies (data/helpcenter/rho_bank/kb.jsonl, data/tickets/{banking77,bitext}); ticket
files are repeated (with fresh ids) until --target-tickets tickets are indexed. Latency is per query, over
each corpus's own texts used as queries (articles: their titles plus the first sentence of the body).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from tandem.evaluation.metrics import percentile
from tandem.knowledge.embedding_cache import EmbeddingCache
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.hybrid_index import HybridArticleIndex
from tandem.knowledge.loaders import load_articles_jsonl, load_tickets_jsonl
from tandem.knowledge.ticket_index import TicketIndex

ROOT = Path(__file__).resolve().parent.parent
QUERIES = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", type=Path, default=ROOT / "data/helpcenter/rho_bank/kb.jsonl")
    parser.add_argument(
        "--tickets",
        type=Path,
        nargs="+",
        default=[ROOT / "data/tickets/banking77/tickets.jsonl", ROOT / "data/tickets/bitext/tickets.jsonl"],
    )
    parser.add_argument("--target-tickets", type=int, default=10_000)
    args = parser.parse_args()

    started = time.perf_counter()
    embedder = default_embedder()
    load_s = time.perf_counter() - started
    articles = load_articles_jsonl(args.kb)
    base = [t for path in args.tickets for t in load_tickets_jsonl(path)]
    tickets = [
        replace(t, ticket_id=f"{round_}-{t.ticket_id}")
        for round_ in range(-(-args.target_tickets // len(base)))
        for t in base
    ][: args.target_tickets]

    with tempfile.TemporaryDirectory() as tmp:
        cold_s, article_index = _timed(
            lambda: HybridArticleIndex(
                articles, embedder, cache=EmbeddingCache.for_index(Path(tmp), "a", embedder)
            )
        )
        warm_s, _ = _timed(
            lambda: HybridArticleIndex(
                articles, embedder, cache=EmbeddingCache.for_index(Path(tmp), "a", embedder)
            )
        )
        ticket_s, ticket_index = _timed(
            lambda: TicketIndex(tickets, embedder, cache=EmbeddingCache.for_index(Path(tmp), "t", embedder))
        )

    article_queries = [f"{a.title} {a.body.split('.')[0]}" for a in articles][:QUERIES]
    ticket_queries = [t.body for t in tickets[:: max(1, len(tickets) // QUERIES)]][:QUERIES]
    for query in article_queries[:20] + ticket_queries[:20]:  # warm caches before measuring
        article_index.search(query, limit=4)
        ticket_index.search(query, limit=3)
    article_ms = [_timed(lambda q=q: article_index.search(q, limit=4))[0] * 1000 for q in article_queries]
    ticket_ms = [_timed(lambda q=q: ticket_index.search(q, limit=3))[0] * 1000 for q in ticket_queries]
    predict_ms = [_timed(lambda q=q: ticket_index.predict_category(q))[0] * 1000 for q in ticket_queries]

    print(
        json.dumps(
            {
                "embedder": embedder.name,
                "cpus": os.cpu_count(),
                "model_load_s": round(load_s, 3),
                "articles": {
                    "documents": len(articles),
                    "chunks": article_index.stats.chunks,
                    "index_build_s": round(cold_s, 3),
                    "index_reload_s": round(warm_s, 3),  # same articles, embeddings from the cache
                    "query_ms": _spread(article_ms),
                },
                "tickets": {
                    "tickets": len(tickets),
                    "index_build_s": round(ticket_s, 3),
                    # part of the build: the category model trained on the tickets (0 when none is trained)
                    "classifier_train_s": round(ticket_index.stats.classifier_seconds, 3),
                    "query_ms": _spread(ticket_ms),
                    "predict_category_ms": _spread(predict_ms),
                },
            },
            indent=2,
        )
    )


def _spread(ms: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(ms, 50), 3), "p95": round(percentile(ms, 95), 3), "n": len(ms)}


def _timed(call):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


if __name__ == "__main__":
    main()
