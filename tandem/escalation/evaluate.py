"""First-message escalation quality on an evaluation suite: the engine against the keyword rule.

A suite folder holds `escalation.jsonl` (`{"id", "message", "escalate", "intent"?}` a line), optionally
`policy.json` (the deployment's topics; the default policy without it) and `tickets.jsonl` (the deployment's
ticket history, used to route topics). Each message is judged as the workflow judges a conversation's first
message: the same `EscalationEngine`, a standard customer, no AI answer yet (confidence unknown, not low).

History tickets whose text is one of the judged messages are left out, so a message is never its own
neighbour (some suites draw both files from one data set).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from tandem.escalation.engine import EscalationEngine
from tandem.escalation.policy import default_policy, load_policy
from tandem.knowledge.interfaces import Embedder
from tandem.knowledge.loaders import load_tickets_jsonl

# The reference keyword rule of the suites' README.
BASELINE_KEYWORDS = ("frustrated", "cancel", "human", "agent", "person", "complain")
_BASELINE = re.compile("|".join(BASELINE_KEYWORDS), re.IGNORECASE)


class SuiteFormatError(ValueError):
    """An escalation.jsonl line that does not follow the suite format (`path:line: problem`)."""


def keyword_baseline(message: str) -> bool:
    """Escalate when the message contains any of the baseline keywords (as a substring, any case)."""
    return _BASELINE.search(message) is not None


def evaluate_escalation(suite_dir: Path, embedder: Embedder | None = None) -> dict[str, Any]:
    """Precision, recall and F1 of the first-message decision, for the engine and the keyword baseline.

    Returns `{"escalation": {"precision", "recall", "f1"}, "baseline": {...}, "latency": {...}, ...}`.
    `embedder` is used only when the suite's policy has topics (WordLlama when None).
    """
    suite_dir = Path(suite_dir)
    rows = _load_rows(suite_dir / "escalation.jsonl")
    policy_file = suite_dir / "policy.json"
    policy = load_policy(policy_file) if policy_file.exists() else default_policy()
    tickets_file = suite_dir / "tickets.jsonl"
    history = []
    if policy.topics and tickets_file.exists():
        judged = {_key(message) for message, _ in rows}
        history = [
            t
            for t in load_tickets_jsonl(tickets_file)
            if _key(t.body) not in judged and _key(t.subject) not in judged
        ]

    started = time.perf_counter()
    engine = EscalationEngine(policy, embedder=embedder, history=history)
    build_seconds = time.perf_counter() - started

    engine_votes: list[bool] = []
    timings: list[float] = []
    for message, _ in rows:
        started = time.perf_counter()
        engine_votes.append(engine.first_message(message).escalate)
        timings.append(time.perf_counter() - started)
    truth = [label for _, label in rows]
    baseline_votes = [keyword_baseline(message) for message, _ in rows]
    timings.sort()
    return {
        "escalation": prf(engine_votes, truth),
        "baseline": prf(baseline_votes, truth),
        "latency": {
            "build_seconds": round(build_seconds, 3),
            "mean_ms": round(1000 * sum(timings) / max(1, len(timings)), 3),
            "p95_ms": round(1000 * timings[int(0.95 * (len(timings) - 1))], 3) if timings else 0.0,
        },
        "messages": len(rows),
        "positives": sum(truth),
        "topics": len(policy.topics),
        "history_tickets": len(history),
        "topic_mode": engine.topics.mode if policy.topics else "none",
    }


def prf(predicted: list[bool], truth: list[bool]) -> dict[str, float]:
    """Precision, recall, F1 of the positive class; 0.0 where undefined (nothing predicted, no positives)."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _load_rows(path: Path) -> list[tuple[str, bool]]:
    rows: list[tuple[str, bool]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SuiteFormatError(f"{path}:{number}: bad JSON: {exc.msg}") from exc
            if not isinstance(data, dict):
                raise SuiteFormatError(f"{path}:{number}: expected a JSON object")
            message, label = data.get("message"), data.get("escalate")
            if not isinstance(message, str) or not message.strip():
                raise SuiteFormatError(f"{path}:{number}: field 'message' must be a non-empty string")
            if not isinstance(label, bool):
                raise SuiteFormatError(f"{path}:{number}: field 'escalate' must be true or false")
            rows.append((message, label))
    return rows
