"""Runs a suite against the knowledge service the worker uses, each part next to a reference row.

The service is built exactly as in production (`KnowledgeService.from_settings`: the configured embedder,
the index directory under the data folder) over a temporary SQLite ticket store filled from the suite's
kb.jsonl and tickets.jsonl. Each measured part is a `Part` in `PARTS`:

  retrieval   kb + queries              search_articles vs plain BM25
  tickets     tickets + ticket_queries  similar_tickets / predict_category vs plain BM25
  escalation  escalation (+ policy)     the escalation engine's first-message decision vs the keyword rule
  scope       scope (+ tickets, kb)     the answer confidence of a workflow turn vs the plain BM25 top score
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tandem.contracts import CustomerContext, TurnRequest
from tandem.escalation.engine import EscalationEngine
from tandem.escalation.evaluate import evaluate_escalation
from tandem.evaluation import metrics as m
from tandem.evaluation.answers import run_answers
from tandem.evaluation.baseline import PlainBm25
from tandem.evaluation.suite import Suite
from tandem.knowledge.service import KnowledgeService
from tandem.knowledge.ticket_index import ticket_text
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer
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
    system: str = "tandem"  # how the table names the measured row
    reference: str = "plain bm25"  # ... and the baseline row
    details: list[dict[str, Any]] = field(default_factory=list)  # per item, for `tandem eval --details`


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


class EscalationPart:
    """escalation.jsonl (+ policy.json, tickets.jsonl): the first-message decision, engine vs keyword rule.

    `tandem.escalation.evaluate.evaluate_escalation` does the judging (the workflow's `EscalationEngine` on
    each message as a conversation's first, the suite's policy, history tickets routing its topics), with the
    service's embedder.
    """

    name = "escalation"

    def applies(self, suite: Suite) -> bool:
        return suite.escalation is not None

    def run(self, ctx: EvalContext) -> PartResult:
        result = evaluate_escalation(ctx.suite.path, embedder=ctx.knowledge.embedder)
        timing = result["latency"]
        latency = {
            "index_build_s": timing["build_seconds"],
            "decision_ms": {"mean": timing["mean_ms"], "p95": timing["p95_ms"]},
            **{
                key: result[key]
                for key in ("messages", "positives", "topics", "history_tickets", "topic_mode")
            },
        }
        keys = ("precision", "recall", "f1")
        return PartResult(
            {k: result["escalation"][k] for k in keys},
            {k: result["baseline"][k] for k in keys},
            latency,
            system="engine",
            reference="keyword rule",
        )


class ScopePart:
    """scope.jsonl: is the answer confidence of a workflow turn higher for the questions the knowledge covers?

    Every message goes through what a turn does (`TurnAnswerer`: focus, 4 customer articles plus internal
    ones ranked among them, 3 similar tickets, the reply pipeline with the `OfflineResponder` at the shipped
    default threshold, never tuned per suite) on the service built from the suite's kb.jsonl and
    tickets.jsonl. A standard customer without a product; no history.

      auroc        P(an in-scope message gets a higher confidence than an out-of-scope one), ties 1/2
      abstain_f1   F1 of abstaining (confidence below the threshold), out of scope as the positive class;
      precision, recall   of abstaining, likewise

    Baseline: the plain bm25s top score over the same knowledge (tickets' subject and body, articles' title
    and body) as the confidence; it abstains only when no document shares a word with the message (raw BM25
    scores have no scale a fixed threshold could hold across suites).
    """

    name = "scope"

    def applies(self, suite: Suite) -> bool:
        return suite.scope is not None

    def run(self, ctx: EvalContext) -> PartResult:
        assert ctx.suite.scope is not None
        threshold = default_confidence_threshold()
        pipeline = ReplyPipeline(
            OfflineResponder(confidence_threshold=threshold, lexicon=ctx.knowledge.lexicon)
        )
        answerer = TurnAnswerer(ctx.knowledge, pipeline)
        customer = CustomerContext(customer_id="eval")
        build, _ = _timed(ctx.knowledge.warm)
        stages: dict[str, list[float]] = {}
        totals: list[float] = []
        confidence: list[float] = []
        abstained = 0
        for case in ctx.suite.scope:
            timings: dict[str, float] = {}
            request = TurnRequest(ticket_id=f"eval-{case.id}", message=case.message, customer=customer)
            seconds, reply = _timed(lambda r=request, t=timings: answerer.answer(r, timings=t))
            for stage, value in timings.items():
                stages.setdefault(stage, []).append(value)
            totals.append(seconds)
            confidence.append(reply.confidence)
            abstained += int(reply.abstained)
        truth = [case.in_scope for case in ctx.suite.scope]
        ours = scope_metrics(confidence, [c < threshold for c in confidence], truth)
        latency = {
            "index_build_s": round(build, 3),
            "messages": len(truth),
            "in_scope": sum(truth),
            "threshold": threshold,
            # replies that did not answer though the confidence met the threshold: questions only resolved
            # tickets know (a person is offered; tickets are never quoted to a customer)
            "abstained_without_quote": abstained - sum(c < threshold for c in confidence),
            "turn_ms": _spread(totals),
            "stages_ms": {stage: _spread(values) for stage, values in stages.items()},
        }
        return PartResult(
            ours, self._baseline(ctx.suite), latency, system="tandem", reference="bm25 top score"
        )

    def _baseline(self, suite: Suite) -> dict[str, float]:
        assert suite.scope is not None
        texts = [ticket_text(t) for t in suite.tickets or []]
        texts += [f"{a.title}\n{a.body}" for a in suite.articles or []]
        truth = [case.in_scope for case in suite.scope]
        if not texts:
            return scope_metrics([0.0] * len(truth), [True] * len(truth), truth)
        plain = PlainBm25(texts)
        best = [plain.best_score(case.message) for case in suite.scope]
        return scope_metrics(best, [b <= 0.0 for b in best], truth)


def default_confidence_threshold() -> float:
    """The answer-confidence threshold a deployment gets without configuring one."""
    default = Settings.model_fields["answer_confidence_threshold"].default
    assert isinstance(default, float)
    return default


def scope_metrics(confidence: list[float], abstain: list[bool], in_scope: list[bool]) -> dict[str, float]:
    """auroc of the confidence for in-scope messages; precision, recall, F1 of abstaining on out-of-scope."""
    out_of_scope = [not s for s in in_scope]
    decided = m.precision_recall_f1(abstain, out_of_scope)
    return _rounded(
        {
            "auroc": m.auroc(confidence, in_scope),
            "abstain_f1": decided["f1"],
            "precision": decided["precision"],
            "recall": decided["recall"],
        }
    )


class AnswersPart:
    """answers.jsonl: right answers, or none (`tandem.evaluation.answers`), next to the extractive baseline.

    Per-item details (reply, verdict, sources) go to `PartResult.details`, for `tandem eval --details`."""

    name = "answers"

    def applies(self, suite: Suite) -> bool:
        return suite.answers is not None and suite.articles is not None

    def run(self, ctx: EvalContext) -> PartResult:
        build, _ = _timed(ctx.knowledge.warm)
        engine = EscalationEngine(embedder=ctx.knowledge.embedder, history=ctx.store.resolved_tickets())
        result = run_answers(
            ctx.suite, (ctx.knowledge, ctx.knowledge.lexicon, engine), default_confidence_threshold()
        )
        latency = {
            "index_build_s": round(build, 3),
            "items": len(result["details"]),
            "turn_ms": _spread(result["turn_seconds"]),
            "stages_ms": {stage: _spread(values) for stage, values in result["stages"].items()},
        }
        return PartResult(
            result["metrics"],
            result["baseline"],
            latency,
            system="tandem",
            reference="bm25 sentence",
            details=result["details"],
        )


PARTS: list[Part] = [RetrievalPart(), TicketsPart(), EscalationPart(), ScopePart(), AnswersPart()]


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
