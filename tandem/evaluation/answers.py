"""answers.jsonl: does the customer get the right answer, or none? (the shared README's "Scoring answers")

Each item is one customer's ticket played through what a conversation turn runs: `TurnAnswerer` (focus,
retrieval, similar tickets, the reply pipeline with the shipped offline responder and default threshold) and
the escalation engine's decision on the turn (the default policy). Earlier messages (`history`) are played
first, each with its reply kept in the transcript, as a conversation would; an escalation on any of them hands
the ticket over.

A reply answers unless it abstained, was handed over (the escalation notice replaced the answer) or asked
which product the customer means. An answer is correct when it contains every `must` fact and no `must_not`
fact (`contains_fact`), otherwise wrong.

  correct_rate     correct / items expecting an answer
  wrong_rate       wrong / replies that answered (abstain items answered count as wrong)
  abstain_rate     abstained or handed over / items expecting an answer
  abstain_ok_rate  abstained or handed over / items expecting abstention

Baseline: the best plain-BM25 sentence of the best plain-BM25 article (within the ticket's product when
given), always answering.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tandem.contracts import (
    Author,
    CustomerContext,
    EscalationCheck,
    GeneratedReply,
    TranscriptEntry,
    TurnRequest,
)
from tandem.escalation.engine import EscalationEngine
from tandem.escalation.notices import handoff_notice, keeps_answer
from tandem.evaluation.baseline import PlainBm25
from tandem.evaluation.suite import AnswerCase, Suite
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer

ANSWERED, ABSTAINED, HANDED_OVER, CLARIFIED = "answered", "abstained", "handed_over", "clarified"

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_TRAILING_ZEROS = re.compile(r"(?<=\d)\.0+(?!\d)")


def normalize_facts(text: str) -> str:
    """Case folded, whitespace collapsed, thousands separators and trailing .00 / .0 on numbers dropped."""
    folded = " ".join(text.casefold().split())
    return _TRAILING_ZEROS.sub("", _THOUSANDS.sub("", folded))


def contains_fact(text: str, fact: str) -> bool:
    """Whether `fact` occurs in `text` as a whole value: `$20` is not found in `$200` or `$20.50`; a plain
    number is found after a currency sign ("660" in "$660")."""
    needle = normalize_facts(fact)
    if not needle:
        return False
    # A digit may not follow a number ("$20" in "$200"), nor a percent sign ("3" in "3%"), nor decimals.
    right = r"(?![\w%]|[.,]\d)" if needle[-1].isdigit() else r"(?!\w|[.,]\d)"
    pattern = rf"(?<![\w.]){re.escape(needle)}{right}"
    return re.search(pattern, normalize_facts(text)) is not None


def verdict(case: AnswerCase, outcome: str, text: str) -> str:
    """correct | wrong | abstained | handed_over | clarified."""
    if outcome != ANSWERED:
        return outcome
    if case.expect != "answer":
        return "wrong"
    found = all(contains_fact(text, f) for f in case.must)
    avoided = not any(contains_fact(text, f) for f in case.must_not)
    return "correct" if found and avoided else "wrong"


def answer_metrics(cases: list[AnswerCase], verdicts: list[str]) -> dict[str, float]:
    answerable = [v for c, v in zip(cases, verdicts, strict=True) if c.expect == "answer"]
    unanswerable = [v for c, v in zip(cases, verdicts, strict=True) if c.expect != "answer"]
    answered = [v for v in verdicts if v in ("correct", "wrong")]
    not_answered = (ABSTAINED, HANDED_OVER)
    return {
        "correct_rate": round(_share(answerable.count("correct"), len(answerable)), 4),
        "wrong_rate": round(_share(answered.count("wrong"), len(answered)), 4),
        "abstain_rate": round(_share(sum(v in not_answered for v in answerable), len(answerable)), 4),
        "abstain_ok_rate": round(_share(sum(v in not_answered for v in unanswerable), len(unanswerable)), 4),
    }


@dataclass(slots=True)
class PlayedItem:
    case: AnswerCase
    outcome: str
    text: str
    reply: GeneratedReply
    escalation: list[str]
    stages: dict[str, float]
    seconds: float


class TicketPlayer:
    """Plays an item's messages as one conversation: each turn answered, then checked for escalation."""

    def __init__(self, answerer: TurnAnswerer, engine: EscalationEngine) -> None:
        self._answerer = answerer
        self._engine = engine

    def play(self, case: AnswerCase) -> PlayedItem:
        customer = CustomerContext(
            customer_id=f"eval-{case.id}", name="", product=case.product, account_facts=case.account
        )
        history: list[TranscriptEntry] = []
        unsure = 0
        for turn, message in enumerate([*case.history, case.question], start=1):
            stages: dict[str, float] = {}
            started = time.perf_counter()
            request = TurnRequest(
                ticket_id=f"eval-{case.id}", message=message, customer=customer, history=history
            )
            reply = self._answerer.answer(request, timings=stages)
            unsure += int(reply.abstained)
            check = EscalationCheck(
                message=message,
                customer=customer,
                confidence=reply.confidence,
                abstained=reply.abstained,
                ai_turns=turn,
                unsure_turns=unsure,
            )
            earlier = [e.text for e in history if e.author is Author.CUSTOMER]
            decision = self._engine.decide(check, recent_messages=earlier)
            stages["escalation"] = time.perf_counter() - started - sum(stages.values())
            seconds = time.perf_counter() - started
            codes = [r.code for r in decision.reasons] if decision.escalate else []
            if decision.escalate:
                text = handoff_notice(decision, reply)
                outcome = ANSWERED if keeps_answer(decision, reply) else HANDED_OVER
                return PlayedItem(case, outcome, text, reply, codes, stages, seconds)
            now = datetime.now(UTC)
            history = [
                *history,
                TranscriptEntry(message_id=f"m{turn}", author=Author.CUSTOMER, text=message, at=now),
                TranscriptEntry(message_id=f"r{turn}", author=Author.AI, text=reply.text, at=now),
            ]
        outcome = ABSTAINED if reply.abstained else CLARIFIED if reply.clarifying else ANSWERED
        return PlayedItem(case, outcome, reply.text, reply, [], stages, seconds)


def extractive_baseline(suite: Suite) -> list[str]:
    """Per item, the best plain-BM25 sentence of the best plain-BM25 article (the item's product's, when
    given): the answer a keyword search would give."""
    assert suite.articles is not None and suite.answers is not None
    articles = suite.articles
    index = PlainBm25([f"{a.title}\n{a.body}" for a in articles])
    replies: list[str] = []
    for case in suite.answers:
        ranked = [
            i for i in index.top(case.question, len(articles)) if _in_product(articles[i].product, case)
        ]
        if not ranked:
            replies.append("")
            continue
        sentences = plain_sentences(articles[ranked[0]].body)
        if not sentences:
            replies.append("")
            continue
        best = PlainBm25(sentences).top(case.question, 1)
        replies.append(sentences[best[0]] if best else sentences[0])
    return replies


def run_answers(suite: Suite, answerer_parts: tuple[Any, Any, Any], threshold: float) -> dict[str, Any]:
    """Metrics, baseline, latency and per-item details for the suite's answers (see the module docstring).

    `answerer_parts`: the knowledge service, its lexicon provider and the escalation engine."""
    knowledge, lexicon, engine = answerer_parts
    pipeline = ReplyPipeline(OfflineResponder(confidence_threshold=threshold, lexicon=lexicon))
    player = TicketPlayer(TurnAnswerer(knowledge, pipeline), engine)
    assert suite.answers is not None
    played = [player.play(case) for case in suite.answers]
    verdicts = [verdict(p.case, p.outcome, p.text) for p in played]
    base_replies = extractive_baseline(suite)
    base_verdicts = [
        verdict(c, ANSWERED if text else ABSTAINED, text)
        for c, text in zip(suite.answers, base_replies, strict=True)
    ]
    stages: dict[str, list[float]] = {}
    for p in played:
        for stage, seconds in p.stages.items():
            stages.setdefault(stage, []).append(seconds)
    details = [
        {
            "id": p.case.id,
            "expect": p.case.expect,
            "verdict": v,
            "question": p.case.question,
            "must": list(p.case.must),
            "must_not": list(p.case.must_not),
            "reply": p.text,
            "confidence": round(p.reply.confidence, 4),
            "focus": p.reply.focus.model_dump() if p.reply.focus else None,
            "sources": [s.id for s in p.reply.sources],
            "expected_sources": list(p.case.source),
            "escalation": p.escalation,
            "baseline_reply": base,
            "baseline_verdict": bv,
        }
        for p, v, base, bv in zip(played, verdicts, base_replies, base_verdicts, strict=True)
    ]
    return {
        "metrics": answer_metrics(suite.answers, verdicts),
        "baseline": answer_metrics(suite.answers, base_verdicts),
        "turn_seconds": [p.seconds for p in played],
        "stages": stages,
        "details": details,
    }


def plain_sentences(body: str) -> list[str]:
    """The sentences and list items of an article as plain text lines (headings and table rules dropped)."""
    lines = [line.strip().lstrip("-*#> ").strip() for line in body.splitlines()]
    text = "\n".join(line for line in lines if line and not set(line) <= set("|-: "))
    return [s for s in _SENTENCE_SPLIT.split(text) if len(s.split()) >= 2]


def _in_product(product: str | None, case: AnswerCase) -> bool:
    return case.product is None or product == case.product


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
