"""Answer latency per turn: what the answer activity runs (`TurnAnswerer`: focus, retrieval, similar tickets,
the reply pipeline with the offline responder), outside Temporal, printed as JSON.

    .venv/bin/python bench/answers.py [--rounds N]

The questions are the answers suites' (data/eval/rho_answers and, when present, ../shared/data/rho_bank),
each played as its ticket would be (product, account facts, earlier messages) over the bundled help center
and the bitext ticket history. The first round runs cold (every article read and embedded for the first
time); later rounds run as a worker that has seen the help center. p50/p95 per stage and per turn.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tandem.contracts import Author, CustomerContext, TranscriptEntry, TurnRequest
from tandem.evaluation.metrics import percentile
from tandem.evaluation.suite import AnswerCase, load_suite
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.loaders import load_articles_jsonl, load_tickets_jsonl
from tandem.knowledge.service import KnowledgeService
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine

ROOT = Path(__file__).resolve().parent.parent
SUITES = [ROOT / "data/eval/rho_answers", ROOT.parent / "shared/data/rho_bank"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="the first is cold")
    args = parser.parse_args()
    cases = [case for path in SUITES if (path / "answers.jsonl").is_file() for case in _cases(path)]
    articles = load_articles_jsonl(ROOT / "data/helpcenter/rho_bank/kb.jsonl")
    tickets = load_tickets_jsonl(ROOT / "data/tickets/bitext/tickets.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/tandem.db")
        create_schema(engine)
        store = TicketStore(engine)
        store.upsert_articles(articles)
        store.import_resolved_tickets(tickets)
        knowledge = KnowledgeService(
            store, default_embedder(), Path(tmp) / "index", version_ttl=Settings().knowledge_version_ttl_s
        )
        started = time.perf_counter()
        knowledge.warm()
        warm_s = time.perf_counter() - started
        answerer = TurnAnswerer(knowledge, ReplyPipeline(OfflineResponder(lexicon=knowledge.lexicon)))
        rounds = [_round(answerer, cases) for _ in range(max(args.rounds, 1))]
        engine.dispose()
    warm = [turn for measured in rounds[1:] for turn in measured] or rounds[0]
    print(
        json.dumps(
            {
                "benchmark": "answer turn (TurnAnswerer, offline responder)",
                "turns_per_round": len(cases),
                "rounds": len(rounds),
                "index_warm_s": round(warm_s, 3),
                "cold_ms": _spread([t["turn"] for t in rounds[0]]),
                "warm_ms": _spread([t["turn"] for t in warm]),
                "warm_stages_ms": {
                    stage: _spread([t[stage] for t in warm if stage in t]) for stage in sorted(warm[0])
                },
            },
            indent=2,
        )
    )


def _cases(path: Path) -> list[AnswerCase]:
    suite = load_suite(path)
    return list(suite.answers or [])


def _round(answerer: TurnAnswerer, cases: list[AnswerCase]) -> list[dict[str, float]]:
    """One turn per case (its earlier messages answered first, untimed), timed per stage."""
    measured: list[dict[str, float]] = []
    for case in cases:
        customer = CustomerContext(
            customer_id=f"bench-{case.id}", product=case.product, account_facts=case.account
        )
        history: list[TranscriptEntry] = []
        for n, earlier in enumerate(case.history):
            reply = answerer.answer(TurnRequest(ticket_id=case.id, message=earlier, customer=customer))
            now = datetime.now(UTC)
            history += [
                TranscriptEntry(message_id=f"m{n}", author=Author.CUSTOMER, text=earlier, at=now),
                TranscriptEntry(message_id=f"r{n}", author=Author.AI, text=reply.text, at=now),
            ]
        stages: dict[str, float] = {}
        request = TurnRequest(ticket_id=case.id, message=case.question, customer=customer, history=history)
        started = time.perf_counter()
        answerer.answer(request, timings=stages)
        stages["turn"] = time.perf_counter() - started
        measured.append(stages)
    return measured


def _spread(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2)}


if __name__ == "__main__":
    main()
