"""What to search for when a customer writes: the question without its chatter, and a long message's needs.

Greetings, thanks and "one more thing:" are cut from the start and end of every message (`without_chatter`). A
short question is then searched as it is. A long message (an e-mail, a pasted situation, a role-play brief) is
mostly context: who the person is, contact details, instructions about how to behave. Every word of it would
count in BM25 and in the averaged embedding, and the two or three sentences that say what the person needs
would drown. So a long message is split into sentences and clauses; asides that carry no topic are cut out of
a clause (a handling note in brackets, "but do not mention this", a persona's name before "who ..."), the
clauses that are still only identifiers, persona or handling instructions are dropped, and the clauses that
state a need are weighted up by repeating them once (query term frequency for BM25, weight for the mean
embedding). Cutting before judging matters: "You're looking for a credit card (do not mention the type) with
the best sign-up offer" is the request itself, and dropping it whole for its aside lost it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LONG_MESSAGE_WORDS = 40  # below this a message is one question; nothing is dropped
MIN_CLAUSE_WORDS = 3

_MARKUP = re.compile(r"\*\*|__|`|^\s*#{1,6}\s*|\s#{1,6}\s|^\s*>+\s?", re.MULTILINE)
# Sentence ends, line breaks, dash-separated asides and "1." style list numbers all start a new clause.
_DASHES = "-\u2013\u2014"  # hyphen, en dash, em dash
_QUOTES = "\"'\u201c\u201d\u2018\u2019"  # straight and curly quotes
_SPLIT = re.compile(
    rf"(?<=[.!?:;])\s+(?=[{_QUOTES}(\[A-Z0-9])|\n+|\s+[{_DASHES}]{{1,3}}\s+|\s(?=\d{{1,2}}[.)]\s)"
)
_STRIP = f" \t{_QUOTES}{_DASHES}:;,()[]"

# Personal identifiers: they name a customer, not a topic (and must not steer retrieval).
_IDENTIFIERS = re.compile(
    r"\S+@\S+\.\w+"  # e-mail address
    r"|\b\d{3}[-.\s]\d{3}[-.\s]\d{4}\b"  # phone number
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"  # date
    r"|\b(?:date of birth|DOB|user[_ ]id|phone number|e-?mail(?: address)?|home address|zip code)\b",
    re.IGNORECASE,
)
# Who the writer is ("You are Ana Li, a 38-year-old ...", "Your character is ...", "My name is ...").
_PERSONA = re.compile(
    r"^(?:your character is|you are [A-Z][\w'-]+(?: [A-Z][\w'-]+)*,|(?:my|your) name is)"
    r"|\b\d{1,3}-year-old\b",
    re.IGNORECASE,
)
# How to run the conversation, not what it is about (scripted briefs, agent notes).
_HANDLING = re.compile(
    r"\b(?:if the agent|if asked|when asked|if (?:they|he|she) asks?|do not (?:make up|mention|reveal)"
    r"|don't (?:mention|reveal)|end the conversation|respond reactively|tool usage|you have access to"
    r"|behaviou?r guidelines|conversation flow|you should provide|call it with|use it after)\b",
    re.IGNORECASE,
)
# A clause that states what the person needs.
_REQUEST = re.compile(
    r"\?|\b(?:want|wants|need|needs|would like|looking for|trying to|how (?:do|can|to)|why|help"
    r"|can (?:i|you)|please|request|dispute|close|cancel|open|apply|increase|replace|refer)\b",
    re.IGNORECASE,
)


# Asides cut out of a clause before it is judged.
_HANDLING_ASIDE = re.compile(
    r"\s*\((?=[^)]*\b(?:do not|don't|just say|mention|if asked|when asked)\b)[^)]*\)"  # (do not mention X)
    r"|,?\s*\b(?:but|and)\s+(?:do not|don't)\s+(?:mention|reveal|say)\b.*$",  # ..., but do not mention this
    re.IGNORECASE,
)
# "Your character is a teacher named Jordan Mitchell who is passionate about ..." keeps "is passionate ...".
_PERSONA_LEAD = re.compile(
    r"^(?:your character is|you are|(?:my|your) name is)\b[^.]*?\bwho\s+", re.IGNORECASE
)


# Conversational framing around a question: greetings, thanks, "one more thing". Unseen or rare words count
# fully in the normalised BM25's ceiling, so "Hi there! How do I split a bill?" scored 0.32 where the bare
# question scores 0.43, enough to turn an answer into "I'm not sure".
_GREETING = (
    r"(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|dear (?:support|team|sir"
    r"|madam|sir or madam|customer service))(?: there| team| guys| all| everyone| folks| support"
    r"|(?-i: [A-Z][a-z]+))?"  # "Hi Anna,"
)
_THANKS = (
    r"(?:(?:many )?thanks(?: a lot| so much| in advance)?|thank you(?: so much| very much| in advance)?"
    r"|thx|ty|cheers)"
)
_MARKER = (
    r"(?:one more (?:thing|question)|another question|quick question|back again|me again|also|ok(?:ay)?|so"
    r"|um+|btw|by the way|sorry to bother you|hope you(?:'re| are) (?:well|doing well))"
)
_LEADING_CHATTER = re.compile(
    rf"^\s*(?:{_GREETING}|{_THANKS}|{_MARKER})\s*(?:[,:;.!?]+|\s[-\u2013\u2014]+)\s*", re.IGNORECASE
)
_TRAILING_CHATTER = re.compile(
    rf"[\s,;:-]*\b(?:{_THANKS}|(?:best |kind |warm )?regards|best wishes|have a (?:good|nice|great) day)"
    rf"[\s,.!]*$",
    re.IGNORECASE,
)


def without_chatter(text: str) -> str:
    """`text` without the greetings, thanks and discourse markers around it; unchanged if nothing is left.

    "Hi there! Thanks. One more thing: how do I split a bill? Thanks!" -> "how do I split a bill?"
    """
    current = text.strip()
    while (cut := _LEADING_CHATTER.sub("", current, count=1)) != current:
        current = cut
    while (cut := _TRAILING_CHATTER.sub("", current, count=1).strip()) != current:
        current = cut
    return current if any(c.isalnum() for c in current) else text.strip()


@dataclass(frozen=True, slots=True)
class QueryPlan:
    text: str  # the message as written
    focus: str  # what retrieval searches with
    clauses: tuple[str, ...]  # the clauses kept (the whole message when it is short)
    dropped: tuple[str, ...]  # the clauses left out, for debugging and tests

    @property
    def is_long(self) -> bool:
        return bool(self.dropped) or len(self.clauses) > 1


def analyze_query(text: str) -> QueryPlan:
    """The retrieval plan for a customer message; short messages pass through without their chatter."""
    message = without_chatter(text)
    words = len(message.split())
    if words < LONG_MESSAGE_WORDS:
        return QueryPlan(text, message, (message,), ())
    kept: list[str] = []
    dropped: list[str] = []
    for clause in split_clauses(message):
        trimmed = _trim(clause)
        if len(trimmed.split()) < MIN_CLAUSE_WORDS or _is_boilerplate(trimmed):
            dropped.append(clause)
        else:
            kept.append(trimmed)
    if not kept:  # everything looked like boilerplate: better the whole message than nothing
        return QueryPlan(text, message, (message,), ())
    weighted = [
        part for clause in kept for part in ([clause, clause] if _REQUEST.search(clause) else [clause])
    ]
    return QueryPlan(text, " ".join(weighted), tuple(kept), tuple(dropped))


def split_clauses(text: str) -> list[str]:
    """Sentences and clauses of `text` without markdown markup; fragments under three words are dropped."""
    plain = _MARKUP.sub(" ", text)
    parts = (part.strip(_STRIP) for part in _SPLIT.split(plain))
    return [" ".join(part.split()) for part in parts if len(part.split()) >= MIN_CLAUSE_WORDS]


def _trim(clause: str) -> str:
    """The clause without handling asides and without a persona's introduction before "who"."""
    return _PERSONA_LEAD.sub("", _HANDLING_ASIDE.sub("", clause)).strip(_STRIP)


def _is_boilerplate(clause: str) -> bool:
    return bool(_IDENTIFIERS.search(clause) or _PERSONA.search(clause) or _HANDLING.search(clause))
