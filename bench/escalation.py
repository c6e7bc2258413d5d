"""Escalation benchmarks: the first-message evaluation, and how the topic matcher's defaults were chosen.

    python bench/escalation.py eval SUITE_DIR... [--no-history] [--errors]
        precision / recall / F1 of the engine and the keyword rule on suites (`evaluate_escalation`);
        --no-history ignores tickets.jsonl (topic matching from the policy's words alone).
    python bench/escalation.py loo TICKETS_JSONL...
        leave-one-out category accuracy of the neighbourhood vote over a ticket history, for a grid of
        neighbours / temperature / BM25 share. Uses no escalation labels: this is what NEIGHBOURS,
        TEMPERATURE and LEXICAL_WEIGHT in tandem/escalation/topics.py were chosen on.
    python bench/escalation.py dev DATA_DIR
        development suites that are not evaluation suites: clinc150 (its scope.jsonl messages, its
        tickets as history, out-of-domain messages included) and bitext (its ticket_queries, its tickets)
        with topic policies written here. CLAUSE_TRUST and the precedent percentiles were chosen on these.

DATA_DIR is the folder holding the suites (banking77/, bitext/, clinc150/ ...).
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from tandem.escalation.engine import EscalationEngine
from tandem.escalation.evaluate import evaluate_escalation
from tandem.escalation.policy import load_policy
from tandem.knowledge.bm25_index import Bm25Scorer, analyze
from tandem.knowledge.embeddings import WordLlamaEmbedder
from tandem.knowledge.loaders import load_tickets_jsonl

# Development policies, written as a support team would, without looking at the messages they are scored on.
DEV_POLICIES: dict[str, tuple[str, dict, set[str]]] = {
    "clinc150_dev": (
        "clinc150",
        {
            "escalate_topics": [
                {
                    "name": "fraud",
                    "description": "The customer reports fraud: a charge or transaction they did not make, "
                    "or someone else using their account or card.",
                    "examples": [
                        "There is a purchase on my statement that I never made",
                        "I think someone got hold of my card number and is buying things",
                        "I need to report fraudulent charges",
                        "Somebody is using my credit card without my permission",
                        "My account was hacked and money is missing",
                    ],
                },
                {
                    "name": "lost_card",
                    "description": "The customer's card is lost or stolen.",
                    "examples": [
                        "I can't find my debit card anywhere",
                        "my wallet got stolen with my credit card in it",
                        "I lost my card at the mall yesterday",
                        "report my card as stolen please",
                        "I think I left my card at the restaurant and it's gone",
                    ],
                },
                {
                    "name": "account_locked",
                    "description": "The customer's account has been blocked, locked or restricted and they "
                    "cannot use it.",
                    "examples": [
                        "Why is my account locked?",
                        "I can't get into my bank account, it says it's been blocked",
                        "my account has been restricted for no reason",
                        "you froze my account and I need access",
                        "how do I get my account unblocked",
                    ],
                },
                {
                    "name": "credit_limit_increase",
                    "description": "The customer asks to raise or change the credit limit on their card.",
                    "examples": [
                        "Can you increase my credit limit?",
                        "I'd like a higher limit on my visa",
                        "please raise my card limit to 5000",
                        "is it possible to get my credit line changed",
                        "I need more credit on my card",
                    ],
                },
            ]
        },
        {"report_fraud", "report_lost_card", "account_blocked", "credit_limit_change"},
    ),
    "bitext_dev": (
        "bitext",
        {
            "escalate_topics": [
                {
                    "name": "refunds",
                    "description": "The customer wants their money back for an order or asks for a refund.",
                    "examples": [
                        "I want my money back for the jacket I returned",
                        "can I get a refund on this order",
                        "please refund me, the item arrived broken",
                        "how do I request a reimbursement",
                        "I'd like to be refunded for my purchase",
                    ],
                },
                {
                    "name": "payment_problems",
                    "description": "A payment failed, was declined or was taken but the order did not go "
                    "through.",
                    "examples": [
                        "my card payment keeps failing at checkout",
                        "you charged me but my order never went through",
                        "the payment was declined and I don't know why",
                        "I have a problem paying for my order",
                        "there's an issue with the payment I made",
                    ],
                },
            ]
        },
        # the topics, plus the universal signals every deployment escalates
        {"get_refund", "payment_issue", "contact_human_agent", "contact_customer_service", "complaint"},
    ),
}


def run_eval(suites: list[Path], no_history: bool, errors: bool) -> None:
    embedder = WordLlamaEmbedder()
    for suite in suites:
        with tempfile.TemporaryDirectory() as scratch:
            folder = suite
            if no_history:
                folder = Path(scratch)
                for name in ("escalation.jsonl", "policy.json"):
                    if (suite / name).exists():
                        shutil.copy(suite / name, folder / name)
            result = evaluate_escalation(folder, embedder=embedder)
        print(suite.name, json.dumps(result))
        if errors:
            _print_errors(suite, embedder, no_history)


def _print_errors(suite: Path, embedder: WordLlamaEmbedder, no_history: bool) -> None:
    rows = [json.loads(line) for line in (suite / "escalation.jsonl").open(encoding="utf-8") if line.strip()]
    judged = {" ".join(r["message"].lower().split()) for r in rows}
    history = []
    if not no_history and (suite / "tickets.jsonl").exists():
        history = [
            t
            for t in load_tickets_jsonl(suite / "tickets.jsonl")
            if " ".join(t.body.lower().split()) not in judged
        ]
    engine = EscalationEngine(load_policy(suite / "policy.json"), embedder=embedder, history=history)
    mistakes: collections.Counter[tuple[str, str]] = collections.Counter()
    for row in rows:
        decision = engine.first_message(row["message"])
        if decision.escalate != row["escalate"]:
            kind = "false alarm" if decision.escalate else "missed"
            mistakes[(kind, row.get("intent", "?"))] += 1
    for (kind, intent), count in mistakes.most_common(20):
        print(f"  {kind:12s} {intent:40s} {count}")


def run_loo(ticket_files: list[Path], sample: int = 1000) -> None:
    embedder = WordLlamaEmbedder()
    for path in ticket_files:
        tickets = [t for t in load_tickets_jsonl(path) if t.category]
        texts = [t.body for t in tickets]
        vectors = embedder.embed_documents(texts)
        scorer = Bm25Scorer([analyze(text) for text in texts])
        categories = sorted({t.category or "" for t in tickets})
        labels = np.array([categories.index(t.category or "") for t in tickets])
        rows = np.random.default_rng(0).choice(len(tickets), size=min(sample, len(tickets)), replace=False)
        dense = vectors[rows] @ vectors.T
        dense[np.arange(len(rows)), rows] = -np.inf
        lexical = np.zeros_like(dense)
        for i, row in enumerate(rows):
            scores = scorer.scores(texts[row])
            if scores is not None:
                scores = scores.copy()
                scores[row] = 0.0
                lexical[i] = scores / max(float(scores.max()), 1e-9)
        print(f"{path.parent.name}: leave-one-out category accuracy of {len(rows)} tickets")
        for share in (0.0, 0.1, 0.2, 0.3):
            similarity = dense + share * lexical
            for k in (5, 10, 20, 40):
                top = np.argsort(-similarity, axis=1)[:, :k]
                near = np.take_along_axis(similarity, top, axis=1)
                cells = []
                for temperature in (0.0, 10.0, 20.0, 30.0):
                    weights = np.exp(temperature * (near - near[:, :1]))
                    votes = np.zeros((len(rows), len(categories)))
                    for j in range(k):
                        np.add.at(votes, (np.arange(len(rows)), labels[top[:, j]]), weights[:, j])
                    cells.append(f"t={temperature:g}: {np.mean(votes.argmax(axis=1) == labels[rows]):.3f}")
                print(f"  bm25 {share:.1f} k={k:2d}  " + "  ".join(cells))


def run_dev(data_dir: Path) -> None:
    embedder = WordLlamaEmbedder()
    with tempfile.TemporaryDirectory() as scratch:
        for name, (source, policy, positive) in DEV_POLICIES.items():
            folder = Path(scratch) / name
            folder.mkdir()
            shutil.copy(data_dir / source / "tickets.jsonl", folder / "tickets.jsonl")
            (folder / "policy.json").write_text(json.dumps(policy), encoding="utf-8")
            messages = (
                [(r["message"], r["intent"]) for r in _jsonl(data_dir / source / "scope.jsonl")]
                if (data_dir / source / "scope.jsonl").exists()
                else [(r["query"], r["category"]) for r in _jsonl(data_dir / source / "ticket_queries.jsonl")]
            )
            with (folder / "escalation.jsonl").open("w", encoding="utf-8") as handle:
                for i, (message, intent) in enumerate(messages):
                    row = {"id": f"d{i}", "message": message, "intent": intent}
                    handle.write(json.dumps(row | {"escalate": intent in positive}) + "\n")
            for no_history in (False, True):
                if no_history:
                    (folder / "tickets.jsonl").unlink()
                result = evaluate_escalation(folder, embedder=embedder)
                label = f"{name} ({'no history' if no_history else 'history'})"
                print(label, json.dumps({k: result[k] for k in ("escalation", "baseline", "latency")}))


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate = commands.add_parser("eval")
    evaluate.add_argument("suites", nargs="+", type=Path)
    evaluate.add_argument("--no-history", action="store_true")
    evaluate.add_argument("--errors", action="store_true")
    loo = commands.add_parser("loo")
    loo.add_argument("tickets", nargs="+", type=Path)
    dev = commands.add_parser("dev")
    dev.add_argument("data_dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "eval":
        run_eval(args.suites, args.no_history, args.errors)
    elif args.command == "loo":
        run_loo(args.tickets)
    else:
        run_dev(args.data_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
