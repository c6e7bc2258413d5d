"""Signals that a conversation is not working: the customer asking the same thing again, saying they asked
before, the AI unsure turn after turn; and the reasons the workflow's timers record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tandem.contracts import EscalationReason
from tandem.escalation.signals import REPEATED_CONTACT, REPEATED_FAILURE, TIMER_CODES, Signal, normalize
from tandem.knowledge.bm25_index import analyze

# --- repeated failure ---------------------------------------------------------------------------------------

REPEAT_OVERLAP = 0.7  # share of the shorter message's content words found in the other
# Courtesy words carry no question: "ok thanks" twice is not asking the same thing twice.
_COURTESY = frozenset(
    analyze("ok okay thanks thank you yes yeah no nope hi hello hey please sure great cool fine")
)


def repeated_question(message: str, earlier: Sequence[str]) -> Signal | None:
    """The customer asks again what they already asked (same content words): the answers did not help.

    `earlier` is the customer's previous messages in this conversation, oldest first, without `message`.
    Two messages match when they have the same content words, or when both have at least two and 70% of
    the shorter one's are in the other ("where is my refund?" / "Where is my refund? I still don't have it").
    """
    current = _content_words(message)
    if not current:
        return None
    repeats = 0
    for previous in earlier:
        words = _content_words(previous)
        if not words:
            continue
        shared = len(current & words)
        smaller = min(len(current), len(words))
        if current == words or (smaller >= 2 and shared / smaller >= REPEAT_OVERLAP):
            repeats += 1
    if not repeats:
        return None
    strength = 1.0 if repeats >= 2 else 0.8
    times = "twice before" if repeats >= 2 else "before"
    return Signal(REPEATED_FAILURE, f"the customer asked this {times}", strength)


def _content_words(message: str) -> set[str]:
    return set(analyze(normalize(message))) - _COURTESY


def claimed_repeat(message: str) -> Signal | None:
    """The customer says they already asked ("the third time I'm asking"): an earlier contact failed.

    The same words are also a frustration cue, so together they escalate a first message."""
    match = REPEATED_CONTACT.search(normalize(message))
    if match:
        return Signal(REPEATED_FAILURE, f"says they asked before: {match.group(0)!r}", 0.8)
    return None


def unsure_turns(turns: int, limit: int = 2) -> Signal | None:
    """The AI was unsure (abstained) on `turns` turns of this conversation; `limit` of them is a failure."""
    if turns >= limit:
        return Signal(REPEATED_FAILURE, f"{turns} turns without a sure answer", 1.0)
    return None


# --- timers -------------------------------------------------------------------------------------------------


def timer_reason(code: str, *, waited: timedelta | None = None, turns: int | None = None) -> EscalationReason:
    """The reason record for a workflow timer: "pickup_timeout", "ai_time_limit" or "ai_turn_limit"."""
    if code not in TIMER_CODES:
        raise ValueError(f"unknown timer {code!r} (known: {', '.join(sorted(TIMER_CODES))})")
    if code == "ai_turn_limit":
        detail = f"not resolved in {turns} AI turns" if turns is not None else "AI turn limit reached"
    elif code == "ai_time_limit":
        detail = f"not resolved within {_duration(waited)}" if waited is not None else "AI time limit reached"
    else:
        detail = (
            f"no agent picked up within {_duration(waited)}" if waited is not None else "pickup timed out"
        )
    return EscalationReason(code=code, detail=detail, strength=1.0)


def _duration(value: timedelta) -> str:
    minutes = value.total_seconds() / 60
    return f"{minutes:g} min" if minutes >= 1 else f"{value.total_seconds():g} s"
