"""Guardrails on every outgoing AI reply: the AI makes no promise the company has not made.

A reply sentence that commits the company (a refund, credit, discount or waiver, deadline, exception or legal
commitment: "we will refund", "your refund has been approved", "you are entitled to a credit") stays only when
one sentence of a cited source says the same thing: the same kind of commitment, with the same polarity ("no
refunds" licenses "we can't refund", never "we will refund"), and every amount, percentage, duration and
named deadline of the reply sentence ($500 is not licensed by a source stating $50). Otherwise the sentence
is replaced by an honest "a person will confirm" line. A sentence repeated word for word from a source
passes, since it says nothing the source does not.

A sentence that speaks to the AI ("ignore previous instructions...", tandem.knowledge.injection) is dropped:
retrieved text is data. Each event is reported to the caller, which records it.

How a sentence is read, in plain steps rather than one pattern:
  1. sentences are split at end punctuation and line breaks (a citation marker stays with its sentence);
  2. the words are lower-cased and contractions spelt out ("can't" -> "can not", "we've" -> "we have");
  3. a commitment word's polarity is negative when a negator lies in its scope: before it back to the start
     of its clause ("we can not refund", "you are not eligible for a refund", "no refunds",
     "non-refundable", "without exception"), or after it up to the end of the clause for verbal negators
     only ("refunds are not available", "exceptions are never made": "we'll refund you, no questions
     asked" stays a promise). A clause ends at ; : ( ) dashes, at "but", "unless", "except"... and where a
     new subject starts ("if you do not use it, we will refund it": "we" begins the promise's clause).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tandem.knowledge.injection import addresses_the_ai

# Kinds of commitment, each recognised by what is promised; "promising" needs a commitment cue as well.
_COMMITMENTS: dict[str, re.Pattern[str]] = {
    "refund": re.compile(r"\b(?:non-?)?refund(?:s|ed|ing|able)?\b|\bmoney back\b|\breimburs\w*", re.I),
    "credit": re.compile(r"\b(account |statement )?credit(s|ed)?\b(?! card| score| limit| report)", re.I),
    "discount": re.compile(
        r"\bdiscount\w*|\b\d+\s?% off\b|\bfree of charge\b|\bwaiv(e|ed|es|ers?|ing)\b", re.I
    ),
    "deadline": re.compile(
        r"\bwithin (\d+|an?|one|two|three|four|five|six|seven|ten|fourteen|thirty)\s?"
        r"((business|working|calendar) )?(minutes?|hours?|days?|weeks?|months?)\b"
        r"|\bby (tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
        r"|end of (the )?(day|week|month))\b"
        r"|\b(today|tonight|immediately)\b",
        re.I,
    ),
    "exception": re.compile(r"\bexceptions?\b|\boverride\b|\bbypass\b", re.I),
    "legal": re.compile(
        r"\bliab(le|ility)\b|\bcompensat\w+|\blegally\b|\bguarantee\w*\b|\bwarrant(y|ies)\b", re.I
    ),
}

# Words that make a sentence a commitment rather than a description ("refunds are handled by the merchant").
_MODAL = frozenset(
    {"will", "shall", "guarantee", "guaranteed", "guarantees", "promise", "promised", "promises"}
)
_ABLE = frozenset({"can", "could", "would"})  # after "we" / "I": "we can make an exception"
_GRANTED = frozenset(
    {"approved", "issued", "processed", "credited", "refunded", "waived", "reversed", "applied", "granted",
     "reimbursed", "compensated", "discounted", "added", "sent", "initiated", "submitted", "covered"}
)  # fmt: skip
_GRANT = frozenset(
    {"refund", "credit", "waive", "reverse", "reimburse", "compensate", "issue", "approve", "apply", "grant",
     "cover", "offer", "give", "add", "send", "pay", "extend", "honor", "honour"}
)  # fmt: skip
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"})
_ENTITLED = frozenset(
    {"entitled", "eligible", "owed", "due", "qualify", "qualifies", "get", "receive", "earn"}
)

# Negators: verbal ones negate anywhere in the commitment word's clause; determiners only before it.
_VERBAL_NEGATORS = frozenset({"not", "never", "unable", "ineligible", "nor", "neither"})
_BEFORE_NEGATORS = _VERBAL_NEGATORS | {"no", "none", "nothing", "without", "excluded", "exempt"}
_CLAUSE_ENDS = frozenset(
    {";", ":", "(", ")", "\u2013", "\u2014", "but", "however", "although", "though", "whereas", "while",
     "unless", "except", "otherwise", "instead"}
)  # fmt: skip
_SUBJECTS = frozenset({"we", "i", "they", "he", "she"})
_AMBIGUOUS_SUBJECTS = frozenset({"you", "it"})  # subjects only when a verb follows: "give you a refund"
_AUXILIARIES = frozenset(
    {"will", "would", "can", "could", "shall", "should", "may", "might", "must", "are", "is", "am", "was",
     "were", "have", "has", "had", "do", "does", "did", "get", "got", "need", "qualify", "receive"}
)  # fmt: skip
_CONTRACTIONS = {"'ll": "will", "'ve": "have", "'re": "are", "'d": "would", "'m": "am", "'s": "is"}
_IRREGULAR_NOT = {"ca": "can", "wo": "will", "sha": "shall"}  # can't, won't, shan't

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[;:()\u2013\u2014]")
# A new sentence starts after end punctuation (or the citation marker that follows it: "... return. [1]"
# stays with its sentence) before a capital, digit, currency sign or quote. Line breaks always end one.
_LIST_MARKER = re.compile(r"\s*(?:[-*\u2022]|\d+[.)])\s+")
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=\d\]))\s+(?=[A-Z0-9$\u20ac\u00a3\"\u201c])|\n+")

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty-five": 45, "sixty": 60, "ninety": 90,
}  # fmt: skip
_NUM = r"\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DURATION = re.compile(
    rf"\b(?P<n>{_NUM})(?:\s*(?:-|\u2013|to)\s*(?P<m>{_NUM}))?[\s-]+(?P<days>business |working |calendar )?"
    r"(?P<unit>minute|hour|day|week|month|year)s?\b",
    re.I,
)
_PERCENT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.I)
_AMOUNT = re.compile(
    r"(?P<sign>[$\u20ac\u00a3])\s?(?P<n>\d[\d,]*(?:\.\d+)?)"
    r"|\b(?P<n2>\d[\d,]*(?:\.\d+)?)\s?(?P<unit>dollars?|usd|euros?|eur|pounds?|gbp)\b"
    r"|\b(?P<code>usd|eur|gbp)\s?(?P<n3>\d[\d,]*(?:\.\d+)?)",
    re.I,
)
_CURRENCY = {"$": "usd", "dollar": "usd", "\u20ac": "eur", "euro": "eur", "\u00a3": "gbp", "pound": "gbp"}
_WHEN = re.compile(
    r"\b(today|tonight|tomorrow|immediately|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|end of (?:the )?(?:day|week|month))\b",
    re.I,
)

CONFIRM_LINE = "I can't promise that myself; a member of our team will need to confirm it for you."


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


@dataclass(frozen=True)
class _Reading:
    """What one sentence says about commitments: each kind's polarities (True: affirmative) and quantities."""

    polarities: dict[str, frozenset[bool]]
    quantities: frozenset[tuple[object, ...]]
    words: str  # the sentence's words, for word-for-word comparison


def promise_kinds(sentence: str) -> set[str]:
    """The kinds of commitment a sentence makes or refuses (empty when it only mentions them)."""
    tokens = [word for word, _ in _tokens(sentence)]
    if not _commits(tokens):
        return set()
    return {kind for kind, pattern in _COMMITMENTS.items() if pattern.search(sentence)}


def guard_reply(text: str, cited_source_texts: Iterable[str]) -> GuardedReply:
    """Replace unsupported promises; keep everything else word for word."""
    sources = [_read(s) for source in cited_source_texts for s in _SENTENCE.split(source) if s.strip()]
    events: list[GuardrailEvent] = []
    pieces: list[str] = []
    last = 0
    for match in [*_SENTENCE.finditer(text), None]:
        end = match.start() if match else len(text)
        sentence = text[last:end]
        if addresses_the_ai(sentence):
            events.append(GuardrailEvent("injection", sentence.strip()))
            sentence = ""
        elif unsupported := _unsupported(sentence, sources):
            events.extend(GuardrailEvent(kind, sentence.strip()) for kind in unsupported)
            marker = _LIST_MARKER.match(sentence)  # a replaced bullet stays a bullet
            said = any(CONFIRM_LINE in piece for piece in pieces)
            sentence = "" if said else (marker.group(0) if marker else "") + CONFIRM_LINE
        if sentence:
            pieces.append(sentence)
        if match:
            last = match.end()
            if sentence:  # a dropped sentence takes the space or line break after it along
                pieces.append(match.group(0))
    return GuardedReply(text=re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip(), events=tuple(events))


def _unsupported(sentence: str, sources: list[_Reading]) -> list[str]:
    """The kinds this sentence commits to that no single source sentence states the same way."""
    kinds = promise_kinds(sentence)
    if not kinds:
        return []
    claim = _read(sentence)
    if any(claim.words == source.words for source in sources):
        return []  # repeated word for word: it cannot say more than the source does
    missing = []
    for kind in sorted(kinds):
        # Promised if any mention is affirmative: "we can't waive it, but we'll refund it" promises one.
        affirmative = True in claim.polarities.get(kind, frozenset({True}))
        if not any(
            affirmative in source.polarities.get(kind, ()) and claim.quantities <= source.quantities
            for source in sources
        ):
            missing.append(kind)
    return missing


def _read(sentence: str) -> _Reading:
    tokens = _tokens(sentence)
    words = [word for word, _ in tokens]
    polarities: dict[str, set[bool]] = {}
    for kind, pattern in _COMMITMENTS.items():
        for match in pattern.finditer(sentence):
            inside = [i for i, (_, at) in enumerate(tokens) if match.start() <= at < match.end()]
            if not inside:
                continue
            negated = match.group(0).lower().startswith("non") or _negated(words, inside[0], inside[-1])
            polarities.setdefault(kind, set()).add(not negated)
    return _Reading(
        polarities={kind: frozenset(found) for kind, found in polarities.items()},
        quantities=_quantities(sentence),
        words=" ".join(word for word, _ in _tokens(_CITATION.sub("", sentence))),
    )


def _commits(words: list[str]) -> bool:
    """Whether the words commit someone to something, rather than describe how things work."""
    for i, word in enumerate(words):
        after = words[i + 1 : i + 6]
        if word in _MODAL or (word == "going" and after[:1] == ["to"]):
            return True
        if word in {"we", "i"} and (_ABLE | _GRANTED | _GRANT) & set(after):
            return True  # "we can", "I have credited", "we've gone ahead and refunded", "we refund"
        if word in _BE | {"have", "has", "had"} and _GRANTED & set(after[:2]):
            return True  # "has been approved", "is processed", "was issued"
        if word == "you" and _ENTITLED & set(after[:3]):
            return True  # "you are entitled", "you'll get", "you qualify"
        if word == "on" and after[:2] in (["its", "way"], ["the", "way"]):
            return True
    return False


def _negated(words: list[str], first: int, last: int) -> bool:
    """Whether a negator lies in the scope of the commitment word at words[first..last]."""
    for i in range(first - 1, -1, -1):
        if _ends_clause(words, i):
            break
        if words[i] in _BEFORE_NEGATORS:
            return True
    for i in range(last + 1, len(words)):
        if _ends_clause(words, i):
            break
        if words[i] in _VERBAL_NEGATORS or words[i : i + 2] == ["no", "longer"]:
            return True
    return False


def _ends_clause(words: list[str], i: int) -> bool:
    word = words[i]
    if word in _CLAUSE_ENDS or word in _SUBJECTS:
        return True
    return word in _AMBIGUOUS_SUBJECTS and i + 1 < len(words) and words[i + 1] in _AUXILIARIES


def _tokens(sentence: str) -> list[tuple[str, int]]:
    """Lower-cased words with their offsets, contractions spelt out ("won't" -> "will", "not")."""
    tokens: list[tuple[str, int]] = []
    for match in _WORD.finditer(sentence.lower().replace("\u2019", "'")):
        word, at = match.group(0), match.start()
        if word.endswith("n't"):
            stem = word[:-3]
            tokens += [(_IRREGULAR_NOT.get(stem, stem), at), ("not", at + len(stem))]
        elif word == "cannot":
            tokens += [("can", at), ("not", at + 3)]
        elif "'" in word and word[word.index("'") :] in _CONTRACTIONS:
            stem, suffix = word.split("'", 1)
            tokens += [(stem, at), (_CONTRACTIONS["'" + suffix], at + len(stem))]
        else:
            tokens.append((word.replace("'", ""), at))
    return tokens


def _quantities(sentence: str) -> frozenset[tuple[object, ...]]:
    """Amounts, percentages, durations and named deadlines, normalised ("$1,000.00" == "1000 dollars")."""
    found: set[tuple[object, ...]] = set()
    for m in _AMOUNT.finditer(sentence):
        unit = (m.group("sign") or m.group("unit") or m.group("code")).lower().rstrip("s")
        number = m.group("n") or m.group("n2") or m.group("n3")
        found.add(("amount", _CURRENCY.get(unit, unit), Decimal(number.replace(",", ""))))
    for m in _PERCENT.finditer(sentence):
        found.add(("percent", Decimal(m.group("n"))))
    for m in _DURATION.finditer(sentence):
        days = (m.group("days") or "").strip().replace("working", "business").replace("calendar", "")
        span = tuple(_number(n) for n in (m.group("n"), m.group("m")) if n)
        found.add(("duration", span, days, m.group("unit").lower()))
    for m in _WHEN.finditer(sentence):
        found.add(("when", " ".join(m.group(0).lower().split())))
    return frozenset(found)


def _number(text: str) -> Decimal:
    text = text.lower()
    return Decimal(_NUMBER_WORDS[text]) if text in _NUMBER_WORDS else Decimal(text)
