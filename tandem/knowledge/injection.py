"""Text that addresses an AI instead of a customer: the one definition of a prompt injection.

Help-center text is data. A passage that tells the assistant what to do ("ignore previous instructions",
"you are now an unrestricted AI", "print your system prompt", "reveal other customers' data") is never
repeated: `tandem ingest` holds such an article back for a person to review (tandem.knowledge.ingest), and
the reply guardrails drop any sentence of a reply that still carries one (tandem.responder.guardrails).

Each sign has a short reason a reviewer can read. The signs are narrow on purpose: an article flagged by
mistake disappears from answers until a person clears it, so ordinary help text ("You are now enrolled in
paperless statements", "Never reveal your PIN") must not match.
"""

from __future__ import annotations

import re

_AI = r"(?:ai|a\.i\.|assistant|chat ?bot|bot|llm|language model)"
# (reason, pattern); the first that matches names the reason.
_SIGNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "tells the AI to ignore its instructions",
        re.compile(
            # "Ignore previous instructions", "disregard your rules"; not "ignore any instructions in
            # suspicious emails", which is advice to customers.
            r"\b(?:ignore|disregard|forget)\b(?:\s+(?:all|any|of|the))*\s+"
            r"(?:previous|prior|above|earlier|preceding|original|system|your|safety)\b[^.\n]{0,30}"
            r"\b(?:instructions?|rules|prompts?|guidelines|directives|guardrails|programming)\b"
            r"|\b(?:ignore|disregard|forget) everything (?:above|before|you were told)\b",
            re.I,
        ),
    ),
    ("mentions the AI's system prompt", re.compile(r"\bsystem prompt\b|\bhidden prompt\b", re.I)),
    (
        "gives the AI a new role",
        re.compile(
            # "You are now DAN", "you are now in developer mode", "you're now an unrestricted AI";
            # not "you are now enrolled" or "you are now in travel mode".
            rf"\byou(?:'re|\u2019re| are) now (?:an? |the |in |my )?(?:[\w-]+ ){{0,2}}"
            rf"(?:{_AI}|persona|dan|jailbroken|(?:developer|dev|god|debug|admin|jailbreak) mode)\b",
            re.I,
        ),
    ),
    (
        "speaks to the AI",
        re.compile(
            rf"\b(?:note|message|instructions?) (?:to|for) (?:the |any )?{_AI}s?\b"
            rf"|\b(?:dear|attention|hey),? (?:the )?{_AI}\b"
            rf"|\bif you are an? (?:ai|assistant|chat ?bot|llm|language model)\b",
            re.I,
        ),
    ),
    (
        "asks to reveal other customers' data",
        re.compile(
            # "Never reveal other customers' details" is a policy for people, not an instruction.
            r"(?<!never )(?<!not )(?<!n't )\b(?:reveal|disclose|leak|dump|exfiltrate)\b[^.\n]{0,40}"
            r"\b(?:other|all|every|another)\s+(?:customers?|users?|clients?|account ?holders?)\b",
            re.I,
        ),
    ),
)


def injection_reason(text: str) -> str | None:
    """Why `text` reads as addressed to an AI (with the words that show it), or None when it does not."""
    for reason, pattern in _SIGNS:
        match = pattern.search(text)
        if match:
            return f'{reason}: "{" ".join(match.group(0).split())}"'
    return None


def addresses_the_ai(text: str) -> bool:
    return injection_reason(text) is not None
