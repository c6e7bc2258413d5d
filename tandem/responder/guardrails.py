"""Guardrails on every outgoing AI reply: the AI makes no promise the company has not made.

A sentence that promises a refund, credit, discount, deadline, exception or legal commitment stays only when a
cited source states the same kind of promise; otherwise it is replaced by an honest "a person will confirm"
line. A sentence from a source that speaks to the AI ("ignore previous instructions...") is dropped: retrieved
text is data. Each event is reported to the caller, which records it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Kinds of commitment, each recognised by what is promised; "promising" needs a commitment verb nearby.
_COMMITMENTS: dict[str, re.Pattern[str]] = {
    "refund": re.compile(r"\brefund(s|ed|ing)?\b|\bmoney back\b|\breimburs\w*", re.I),
    "credit": re.compile(r"\b(account |statement )?credit(s|ed)?\b(?! card| score| limit| report)", re.I),
    "discount": re.compile(r"\bdiscount\w*|\b\d+\s?% off\b|\bfree of charge\b|\bwaiv\w+", re.I),
    "deadline": re.compile(
        r"\bwithin \d+\s?(business )?(minutes?|hours?|days?|weeks?)\b"
        r"|\bby (tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
        r"|end of (the )?(day|week|month))\b"
        r"|\b(today|tonight|immediately)\b",
        re.I,
    ),
    "exception": re.compile(r"\bexception\b|\bmake an exception\b|\boverride\b|\bbypass\b", re.I),
    "legal": re.compile(
        r"\bliab(le|ility)\b|\bcompensat\w+|\blegally\b|\bguarantee\w*\b|\bwarrant(y|ies)\b", re.I
    ),
}
_PROMISING = re.compile(
    r"\b(will|shall|guarantee\w*|promise\w*)\b|'ll\b|\b(are|is) going to\b|\b(we|i) can\b"
    r"|\byou('re| are) (entitled|eligible)\b|\bwe('ve| have) (issued|approved|processed)\b",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])|\n+")  # a citation marker stays with its sentence

CONFIRM_LINE = "I can't promise that myself; a member of our team will need to confirm it for you."
# Text in a source that addresses the AI instead of the customer: never repeated to anyone.
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b[^.\n]{0,40}\b(instructions|rules|prompt)\b"
    r"|\breveal\b[^.\n]{0,40}\b(other|all)\s+(customers|users)\b|\bsystem prompt\b|\byou are now\b",
    re.I,
)


@dataclass(frozen=True)
class GuardrailEvent:
    kind: str
    sentence: str


@dataclass(frozen=True)
class GuardedReply:
    text: str
    events: tuple[GuardrailEvent, ...]

    @property
    def rewritten(self) -> bool:
        return bool(self.events)


def promise_kinds(sentence: str) -> set[str]:
    """The kinds of commitment a sentence makes (empty when it only mentions them without promising)."""
    if not _PROMISING.search(sentence):
        return set()
    return {kind for kind, pattern in _COMMITMENTS.items() if pattern.search(sentence)}


def stated_kinds(source_texts: Iterable[str]) -> set[str]:
    """The kinds of commitment the cited sources themselves mention: those the AI may repeat."""
    joined = "\n".join(source_texts)
    return {kind for kind, pattern in _COMMITMENTS.items() if pattern.search(joined)}


def guard_reply(text: str, cited_source_texts: Iterable[str]) -> GuardedReply:
    """Replace unsupported promises; keep everything else word for word."""
    allowed = stated_kinds(cited_source_texts)
    events: list[GuardrailEvent] = []
    pieces: list[str] = []
    last = 0
    for match in [*_SENTENCE.finditer(text), None]:
        end = match.start() if match else len(text)
        sentence = text[last:end]
        unsupported = promise_kinds(sentence) - allowed
        if _INJECTION.search(sentence):
            events.append(GuardrailEvent("injection", sentence.strip()))
            sentence = ""
        elif unsupported:
            events.extend(GuardrailEvent(kind, sentence.strip()) for kind in sorted(unsupported))
            sentence = CONFIRM_LINE if CONFIRM_LINE not in pieces else ""
        pieces.append(sentence)
        if match:
            pieces.append(match.group(0))
            last = match.end()
    return GuardedReply(text=re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip(), events=tuple(events))
