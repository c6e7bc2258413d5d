"""How a customer's message is cut into what it asks: its sentences, the ones that ask (with or without a
question mark), and the parts of a question ("what's the monthly fee and what do I need to keep to avoid it?"
asks two). Also the words that only frame a question (chat filler, attribute and frame words), which
`tandem.responder.question` reads each part with."""

from __future__ import annotations

import re

from tandem.knowledge.bm25_index import analyze
from tandem.knowledge.query_analysis import without_chatter

_LIGHT_VERBS = "look go put make take give come try let"
_TALK = "another us anything something actually usually think kind guys since because though although"
# Chat filler beyond the stopword list: it says nothing about the topic.
FILLER = frozenset(
    {"hi", "hello", "hey", "thanks", "thank", "please", "want", "need", "help", "know", "like", "would"}
    | {"could", "get", "tell", "able", "question", "ok", "okay", "wonder", "wondering", "curious", "also"}
    # light verbs (as analysed: "try" is "tri"): they carry a sentence ("what do you look for", "how high can
    # it go"), not its topic
    | frozenset(t for word in _LIGHT_VERBS.split() for t in analyze(word))
    # words of talk, not of the topic ("actually", "what kind of", "one of our guys", "since I also have")
    | frozenset(t for word in _TALK.split() for t in analyze(word))
)
# Attributes a help center states with a value. A question naming one asks for that value.
_ATTRIBUTE_WORDS = (
    "fee fees charge charged charges cost costs price rate rates apy apr interest limit limits minimum "
    "maximum max min most least highest lowest biggest balance amount percent percentage score age old "
    "period deadline bonus coverage cap discount range much many long"
)
ATTRIBUTES = frozenset(t for word in _ATTRIBUTE_WORDS.split() for t in analyze(word))
# The words that only frame a request for a value ("how much", "the highest"): a stated value answers them.
_FRAME_WORDS = (
    *("much", "many", "long", "old", "soon", "often", "fast", "quickly", "most", "least", "max"),
    *("highest", "lowest", "longest", "shortest", "largest", "smallest", "biggest", "earliest", "latest"),
)
FRAME = frozenset(t for word in _FRAME_WORDS for t in analyze(word))
_QUESTION_WORD = r"(?:what|how|when|where|which|who|why|whats|is|are|do|does|did|can|could|will|would|should)"
LEAD_IN = r"^(?:(?:and|also|plus|but|or|so)\s+)?"  # "and what ...", "also is there ..."
_QUESTION_START = re.compile(rf"{LEAD_IN}(?:{_QUESTION_WORD}|if)\b", re.I)
_OPENS_QUESTION = re.compile(rf"\s*{_QUESTION_WORD}\b", re.I)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\s+-\s+|\n+")
# Where one question asks two things: "what's the monthly fee and what do I need to keep to avoid it?"
_PARTS = re.compile(
    r"\?+\s*|;\s+|,?\s+and\s+(?=(?:\w+\s+){0,2}(?:what|how|when|where|which|who|why|whats)\b"
    r"|(?:does|do|is|are|can|will|would|should)\b"
    # "the daily limits for mobile deposits and for transfers out": the same thing asked of two
    r"|(?:for|on|with|at|to|from)\b)"
    # "how soon do you tell me, and if it was an error how fast do you fix it": a question after its case
    r"|,\s+and\s+(?=if\b[^,?;]{0,80}?\b(?:what|how|when|whats)\b)",
    re.I,
)
# "the annual fee and the foreign transaction fee": two attributes asked side by side.
_AND = re.compile(r"\s+and\s+", re.I)
# "bonus for us, bonus for them": attributes listed with commas. Not after a case told first ("If I go over
# the limit, what's the fee?" asks one thing).
_LISTED = re.compile(r",\s+(?:and\s+)?", re.I)
_SUBORDINATE = re.compile(
    r"\s*(?:if|when|once|after|before|since|because|although|though|while|unless)\b", re.I
)
# "What's the referral bonus, how many per year": a question that goes on after a comma with another
# question word asks two things (not "If I refer a friend, how much do I get?": that one opens with "If").
_COMMA_QUESTION = re.compile(r",\s+(?=(?:how|what|whats|what's|which|when|where)\b)", re.I)
# A question asked a few words into a sentence, without a question mark: "up to how much a month", "and
# while im at it whats the fee for a non-network atm". Further in, it is more often told than asked ("my
# landlord never told me how much the deposit was").
_EMBEDDED_QUESTION = re.compile(
    r"\b(?:how (?:much|many|long|soon|often|fast|quickly|early|late)|what(?:'s| is| are)|whats)\b", re.I
)
EMBEDDED_LEAD_WORDS = 5


def asked_in(sentence: str) -> tuple[str, str]:
    """What a sentence asks, and what it tells before asking: all of it when it is a question; the question
    after a comma when it tells something first ("Also a check I deposited bounced last month, what do you
    charge for that": "that" points back to the bounced check); a question a few words in, written without
    its question mark ("up to how much a month", "and while I'm at it whats the wire fee"); nothing when
    it asks nothing."""
    sentence = sentence.strip()
    if sentence.endswith("?") or _QUESTION_START.match(sentence):
        return sentence, ""
    after = _COMMA_QUESTION.search(sentence)
    if after:
        return sentence[after.end() :], sentence[: after.start()]
    inside = _EMBEDDED_QUESTION.search(sentence)
    if inside is None or len(sentence[: inside.start()].split()) > EMBEDDED_LEAD_WORDS:
        return "", ""
    lead = sentence[: inside.start()]
    # "up to how much": a lead of two words or fewer is part of what is asked
    return (sentence, "") if len(lead.split()) <= 2 else (sentence[inside.start() :], lead)


def split_parts(asked: str) -> list[str]:
    """The things a question asks: parts split at question marks, semicolons and "and what/how ...", then
    at commas between attributes ("bonus for us, bonus for them") or at "and" between two ("the annual fee
    and the foreign transaction fee")."""
    parts: list[str] = []
    split = [
        piece
        for part in _PARTS.split(asked)
        for piece in (_COMMA_QUESTION.split(part) if part and _OPENS_QUESTION.match(part) else [part])
    ]
    for part in split:
        listed = _LISTED.split(part) if part and "," in part and not _SUBORDINATE.match(part) else []
        pieces = _AND.split(part) if part else []
        if len(listed) >= 2 and _each_names_an_attribute(listed):
            parts.extend(listed)
        elif len(pieces) == 2 and _each_names_an_attribute(pieces):
            parts.extend(pieces)
        else:
            parts.append(part)
    return parts


def _each_names_an_attribute(pieces: list[str]) -> bool:
    return all(set(analyze(piece)) & (ATTRIBUTES - FRAME) for piece in pieces)


_REQUEST = re.compile(
    r"\?|\b(?:can|could|would|will) you\b|\bplease\b|\bi (?:need|want|would like|'d like)\b|\bhelp\b"
    r"|\b(?:tell|show|explain|send|give) me\b|\bi (?:can't|cannot|couldn't|am unable)\b|\bwhy\b",
    re.I,
)


def asks_anything(message: str) -> bool:
    """Whether a message asks or requests something: a question, a sentence that opens like one, or a
    request ("please", "I need", "can you"). "I have the Navy Blue account." asks nothing."""
    text = without_chatter(message) or message
    if _REQUEST.search(text):
        return True
    return any(_QUESTION_START.match(s.strip()) for s in SENTENCE.split(text) if s.strip())
