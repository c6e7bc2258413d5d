"""Answering benchmark: one AI turn's work outside Temporal (retrieval, similar tickets, the reply pipeline
with the offline responder) over the rho_bank help center and the bitext ticket history, printed as JSON.

    .venv/bin/python bench/generation.py [--turns N]

Questions are article titles turned into questions plus bitext customer requests, so both answered and
abstained turns are timed. Latency is per turn: p50/p95 of each stage and of the whole turn.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from tandem.contracts import CustomerContext, GenerationRequest
from tandem.evaluation.metrics import percentile
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.loaders import load_articles_jsonl, load_tickets_jsonl
from tandem.knowledge.service import KnowledgeService
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline
from tandem.store import TicketStore, create_schema, make_engine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=300)
    args = parser.parse_args()
    articles = load_articles_jsonl(ROOT / "data/helpcenter/rho_bank/kb.jsonl")
    tickets = load_tickets_jsonl(ROOT / "data/tickets/bitext/tickets.jsonl")
    rng = random.Random(7)
    questions = [f"{a.title}?" for a in rng.sample(articles, args.turns // 2)]
    questions += [t.body for t in rng.sample(tickets, args.turns - len(questions))]

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/tandem.db")
        create_schema(engine)
        store = TicketStore(engine)
        store.upsert_articles(articles)
        store.import_resolved_tickets(tickets)
        knowledge = KnowledgeService(store, default_embedder(), Path(tmp) / "index")
        started = time.perf_counter()
        knowledge.warm()
        warm_s = time.perf_counter() - started
        pipeline = ReplyPipeline(OfflineResponder(lexicon=knowledge.lexicon))
        stages: dict[str, list[float]] = {"retrieve": [], "similar_tickets": [], "generate": [], "turn": []}
        answered = 0
        for question in questions:
            t0 = time.perf_counter()
            refs = knowledge.search_articles(question, None, 4)
            t1 = time.perf_counter()
            similar = knowledge.similar_tickets(question, None, 3)
            t2 = time.perf_counter()
            request = GenerationRequest(
                ticket_id="bench",
                message=question,
                customer=CustomerContext(customer_id="c"),
                articles=refs,
                similar_tickets=similar,
            )
            reply = pipeline.reply(request, knowledge.articles([r.id for r in refs]))
            t3 = time.perf_counter()
            answered += not reply.abstained
            for name, seconds in (
                ("retrieve", t1 - t0),
                ("similar_tickets", t2 - t1),
                ("generate", t3 - t2),
                ("turn", t3 - t0),
            ):
                stages[name].append(seconds * 1000)

    result = {
        "turns": len(questions),
        "answered": answered,
        "index_warm_s": round(warm_s, 2),
        "latency_ms": {
            name: {"p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2)}
            for name, values in stages.items()
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
