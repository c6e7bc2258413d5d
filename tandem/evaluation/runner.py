"""Runs a suite against the knowledge service the worker uses, next to a plain-BM25 baseline.

The service is built exactly as in production (`KnowledgeService.from_settings`: the configured embedder,
the index directory under the data folder) over a temporary SQLite ticket store filled from the suite's
kb.jsonl and tickets.jsonl. Each measured part (`retrieval`, `tickets`, ...) is a `Part`; later parts
(escalation, scope) plug in by being added to `PARTS`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tandem.evaluation import metrics as m
from tandem.evaluation.baseline import PlainBm25
from tandem.evaluation.suite import Suite
from tandem.knowledge.service import KnowledgeService
from tandem.knowledge.ticket_index import ticket_text
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine

_T = TypeVar("_T")


@dataclass(slots=True)
class EvalContext:
    suite: Suite
    settings: Settings
    store: TicketStore
    knowledge: KnowledgeService


@dataclass(slots=True)
class PartResult:
    metrics: dict[str, float]
    baseline: dict[str, float] | None = None
    latency: dict[str, Any] = field(default_factory=dict)


class Part(Protocol):
    name: str

    def applies(self, suite: Suite) -> bool: ...

    def run(self, ctx: EvalContext) -> PartResult: ...


@dataclass(slots=True)
class Report:
    suite: str
    embedder: str
    parts: dict[str, PartResult]
    ingest_seconds: float

    def to_json(self) -> dict[str, Any]:
        """One key per part with its metrics, `baseline` with the same maps, and `latency`."""
        out: dict[str, Any] = {name: result.metrics for name, result in self.parts.items()}
        out["baseline"] = {n: r.baseline for n, r in self.parts.items() if r.baseline is not None}
        out["latency"] = {
            "embedder": self.embedder,
            "ingest_s": round(self.ingest_seconds, 3),
            **{name: result.latency for name, result in self.parts.items()},
        }
        return out


class RetrievalPart:
    """kb.jsonl + queries.jsonl: does search_articles find the articles an agent needs?"""

    name = "retrieval"
    k = 10

    def applies(self, suite: Suite) -> bool:
        return suite.articles is not None and suite.queries is not None

    def run(self, ctx: EvalContext) -> PartResult:
        assert ctx.suite.articles is not None and ctx.suite.queries is not None
        build, index = _timed(ctx.knowledge.article_index)
        stages: dict[str, list[float]] = {}
        totals: list[float] = []
        ranked: list[list[str]] = []
        for case in ctx.suite.queries:
            timings: dict[str, float] = {}
            seconds, refs = _timed(
                lambda c=case, t=timings: ctx.knowledge.search_articles(c.query, None, self.k, timings=t)
            )
            totals.append(seconds)
            for stage, value in timings.items():
                stages.setdefault(stage, []).append(value)
            ranked.append([r.id for r in refs])
        baseline = PlainBm25([f"{a.title}\n{a.body}" for a in ctx.suite.articles])
        ids = [a.id for a in ctx.suite.articles]
        plain = [[ids[i] for i in baseline.top(c.query, self.k)] for c in ctx.suite.queries]
        latency = {
            "index_build_s": round(build, 3),
            "documents": len(index),
            "chunks": index.stats.chunks,
            "queries": len(ranked),
            "query_ms": _spread(totals),
            "stages_ms": {stage: _spread(values) for stage, values in stages.items()},
        }
        return PartResult(_ranking(ranked, ctx.suite.queries), _ranking(plain, ctx.suite.queries), latency)


class TicketsPart:
    """tickets.jsonl + ticket_queries.jsonl: are the similar tickets of the query's category?"""

    name = "tickets"
    k = 5

    def applies(self, suite: Suite) -> bool:
        return suite.tickets is not None and suite.ticket_queries is not None

    def run(self, ctx: EvalContext) -> PartResult:
        assert ctx.suite.tickets is not None and ctx.suite.ticket_queries is not None
        build, index = _timed(ctx.knowledge.ticket_index)
        search_s: list[float] = []
        predict_s: list[float] = []
        precision: list[float] = []
        first: list[float] = []
        category: list[float] = []
        for case in ctx.suite.ticket_queries:
            seconds, found = _timed(lambda c=case: ctx.knowledge.similar_tickets(c.query, None, self.k))
            search_s.append(seconds)
            labels = [t.category for t in found]
            precision.append(m.precision_at(labels, case.category, self.k))
            first.append(m.top1(labels, case.category))
            seconds, predicted = _timed(lambda c=case: ctx.knowledge.predict_category(c.query))
            predict_s.append(seconds)
            category.append(1.0 if predicted == case.category else 0.0)
        ours = {"precision@5": m.mean(precision), "top1": m.mean(first), "category_top1": m.mean(category)}
        latency = {
            "index_build_s": round(build, 3),
            "tickets": len(index),
            "queries": len(search_s),
            "query_ms": _spread(search_s),
            "predict_category_ms": _spread(predict_s),
        }
        return PartResult(_rounded(ours), self._baseline(ctx.suite), latency)

    def _baseline(self, suite: Suite) -> dict[str, float]:
        assert suite.tickets is not None and suite.ticket_queries is not None
        plain = PlainBm25([ticket_text(t) for t in suite.tickets])
        precision, first = [], []
        for case in suite.ticket_queries:
            labels = [suite.tickets[i].category for i in plain.top(case.query, self.k)]
            precision.append(m.precision_at(labels, case.category, self.k))
            first.append(m.top1(labels, case.category))
        # Without tricks the category guess is the best match's category, so category_top1 equals top1.
        return _rounded(
            {"precision@5": m.mean(precision), "top1": m.mean(first), "category_top1": m.mean(first)}
        )


PARTS: list[Part] = [RetrievalPart(), TicketsPart()]


def run_suite(suite: Suite, parts: Sequence[Part] = PARTS, settings: Settings | None = None) -> Report:
    """Fill a temporary store from the suite, build the production knowledge service, run every part."""
    chosen = [part for part in parts if part.applies(suite)]
    with tempfile.TemporaryDirectory(prefix="tandem-eval-") as tmp:
        data_dir = Path(tmp)
        base = settings or Settings()
        run_settings = base.model_copy(
            update={"data_dir": data_dir, "database_url": f"sqlite:///{data_dir / 'tandem.db'}"}
        )
        engine = make_engine(run_settings.resolved_database_url)
        try:
            create_schema(engine)
            store = TicketStore(engine)
            started = time.perf_counter()
            if suite.articles is not None:
                store.upsert_articles(suite.articles)
            if suite.tickets is not None:
                store.import_resolved_tickets(suite.tickets)
            ingest = time.perf_counter() - started
            knowledge = KnowledgeService.from_settings(store, run_settings)
            ctx = EvalContext(suite, run_settings, store, knowledge)
            results = {part.name: part.run(ctx) for part in chosen}
        finally:
            engine.dispose()
    return Report(suite.name, knowledge.embedder.name, results, ingest)


def _ranking(ranked: list[list[str]], cases: Sequence[Any]) -> dict[str, float]:
    return _rounded(
        {
            "recall@5": m.mean(m.recall_at(r, c.relevant, 5) for r, c in zip(ranked, cases, strict=True)),
            "recall@10": m.mean(m.recall_at(r, c.relevant, 10) for r, c in zip(ranked, cases, strict=True)),
            "mrr@10": m.mean(m.mrr_at(r, c.relevant, 10) for r, c in zip(ranked, cases, strict=True)),
            "ndcg@10": m.mean(m.ndcg_at(r, c.relevant, 10) for r, c in zip(ranked, cases, strict=True)),
        }
    )


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 4) for name, value in values.items()}


def _spread(seconds: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {"p50": round(m.percentile(ms, 50), 3), "p95": round(m.percentile(ms, 95), 3)}


def _timed(call: Callable[[], _T]) -> tuple[float, _T]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result
