"""What a customer message does besides asking: tells what the customer has ("Hi, I have the Navy Blue
business checking account."), or reports a problem to act on ("my card was stolen")."""

from __future__ import annotations

import re

from tandem.knowledge.query_analysis import without_chatter
from tandem.responder.question_parts import asks_anything

_TELLS_WHAT_THEY_HAVE = re.compile(
    r"\b(?:i|we)(?:'ve| have| has| use| got| own| opened| hold| bank with|'m| am| are)\b"
    r"|\b(?:my|our) (?:\w+ ){0,2}(?:has|have|uses|is on|holds)\b",
    re.I,
)
_PROBLEM = re.compile(
    r"\b(?:stolen|lost|fraud|scam|hack\w*|crash\w*|error|declined|locked|blocked|missing|wrong|broke\w*"
    r"|not working|doesn't work|can't|cannot|charged|dispute|never)\b",
    re.I,
)


def only_tells_what_they_have(message: str) -> bool:
    """Whether a message asks nothing and only says what the customer has ("Hi, I have the Navy Blue business
    checking account."), without a problem in it ("my card was stolen" is a problem to act on)."""
    text = without_chatter(message) or message
    return not asks_anything(text) and bool(_TELLS_WHAT_THEY_HAVE.search(text)) and not _PROBLEM.search(text)


def reports_problem(message: str) -> bool:
    """Whether a message tells of a problem to act on ("my card was stolen", "I was charged twice")."""
    return bool(_PROBLEM.search(message))
