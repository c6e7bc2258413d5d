"""Reading a customer's question: the things it asks, what kind of value each wants, and the situation told
around it.

A message is read as its question sentences (those ending in "?" or starting like a question; the rest is
the customer's situation, whose words count `BACKGROUND_WEIGHT`), split into the things it asks ("what's the
monthly fee and what do I need to keep to avoid it?" asks two). For each part: its words, whether it asks for
a value ("how much", an attribute such as "fee", "rate", "limit") or for steps ("how do I"), the kind of value
that answers it ("what percentage" wants a rate, "what balance" an amount, "how long" a period), and whether
it points back to what came before ("and what happens if we go over?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tandem.knowledge.bm25_index import analyze
from tandem.knowledge.query_analysis import without_chatter
from tandem.responder.question_parts import (
    ATTRIBUTES,
    FILLER,
    FRAME,
    LEAD_IN,
    SENTENCE,
    asked_in,
    split_parts,
)
from tandem.responder.values import terms_of, thousands_written_out, values_in

_ASKS_VALUE = re.compile(
    r"\bhow (?:much|many|long|old|soon|often|big|high|low|far|fast|quickly|early|late)\b|\bwhat time\b"
    r"|\bwhat (?:do|does|will|would|can|could) (?:i|we|you|they|he|she) (?:get|earn|receive)\b"
    r"|\b(?:the )?(?:most|least|highest|lowest|biggest|largest|smallest|longest|shortest|earliest|latest"
    r"|max(?:imum)?|min(?:imum)?)\b",
    re.I,
)
_ASKS_STEPS = re.compile(
    r"\bhow (?:do|can|could|should|would) (?:i|we|you)\b|\bhow to\b|\bsteps?\b"
    r"|\bwhat do (?:i|we) (?:do|need to do)\b",
    re.I,
)
# A part that points back ("how do I stop it") is about the situation the customer told.
_POINTS_BACK = re.compile(
    r"\b(?:it|this|that|they|them|these|those|one|ones|he|she|him|her|his|hers|we|us|our)\b", re.I
)
# Words customers shorten: one spelling, so "max per claim" finds "maximum reimbursement per claim".
_ALIASES = {"max": "maximum", "min": "minimum", "yearly": "annual", "extra": "additional"}
_ALIAS = re.compile(rf"\b(?:{'|'.join(_ALIASES)})\b", re.I)
# When something in the customer's story happened ("bounced last month", "travelling next week", "this
# weekend", "5 weeks back") is not what they ask about: "last month" must not make "Monthly maintenance fee"
# the charge for a bounced check. (Months and years ago are left: "opened 3 months ago" is an account's age.)
_WHEN_TOLD = re.compile(
    r"\b(?:last|next|past|coming|previous)\s+(?:day|week|month|year|weekend)\b|\bthis weekend\b"
    r"|\b(?:\d+|a|one|two|three|a few|a couple of)\s+(?:days?|weeks?)\s+(?:ago|back)\b",
    re.I,
)
# Wording that asks for one kind of value: "what percentage" is not answered by "$32,500".
_WANTS = {
    "rate": re.compile(r"\bpercent(?:age)?\b|%|\bapy\b|\bapr\b|\binterest rate\b", re.I),
    "duration": re.compile(
        r"\bhow (?:long|soon|fast|quickly|early|late)\b|\b(?:longest|shortest)\b"
        r"|\bhow many (?:business )?(?:minutes|hours|days|weeks|months|years)\b"
        r"|\btime ?(?:window|frame|period|limit)\b|\bby when\b",  # a deadline: a period or a time
        re.I,
    ),
    "money": re.compile(r"\bhow much\b(?! time)|\bcost\b|\bprice\b", re.I),
    # "what time window" asks for a period, not a time of day
    "time": re.compile(r"\bwhat time\b(?! ?(?:window|frame|period|limit))|\bby when\b|\bcut-?off\b", re.I),
    "count": re.compile(
        r"\bhow many\b(?! (?:business |calendar )?(?:minutes|hours|days|weeks|months|years)\b)", re.I
    ),
}
_MAY_BE_A_RATE = frozenset({"money"})  # a fee or a cost may be a percentage of the amount
# The kinds of value an attribute is stated in: "what balance" wants an amount, even when the sentence goes
# on about "the higher interest rate".
_HEAD_KINDS = {
    ("money",): "balance amount deposit",
    ("money", "rate"): "fee fees cost price charge",  # a fee may be a percentage of the amount
    ("rate",): "rate apy apr percent percentage",
    ("duration",): "period deadline",
}
HEAD_KINDS = {
    t: frozenset(kinds)
    for kinds, words in _HEAD_KINDS.items()
    for word in words.split()
    for t in analyze(word)
}
# The attributes a price is asked by ("fee", "cost", "price", "charge"), which may be stated as a percentage.
PRICES = frozenset(t for t, kinds in HEAD_KINDS.items() if kinds == {"money", "rate"})
# Where the thing asked is named: after "what", "which" or "how much" ("If I carry a balance, what interest
# rate ..." asks a rate). A yes/no question ("Does EV charging earn ...") names none.
_ASKED_AFTER = re.compile(r"\b(?:what(?:'s| is| are)?|whats|which|how much|how many)\b", re.I)
# "What do I get if I refer a friend?" asks what the customer receives: help centers state it as a bonus or
# a reward.
_RECEIVES = re.compile(
    r"\b(?:what|how much) (?:do|does|will|would|can|could|did)"
    r" (?:i|we|you|they|he|she|(?:my|our|your|her|his|their) \w+)(?: each| both| all)?"
    r" (?:get|receive|earn)\b",
    re.I,
)
# "What do we each get?": both shares are asked, the customer's and the other person's.
_EACH_SHARE = re.compile(r"\b(?:we|you|they) (?:each|both)\b|\beach of us\b|\bboth of us\b", re.I)
RECEIVED = frozenset(analyze("bonus reward"))
RECEIVED_KINDS = frozenset({"money", "rate"})  # an amount or a rate, not how many of them one may earn
# Whose share a part asks about: the customer's own ("what do I get", "my bonus") or another person's ("how
# much does she need to deposit", "their bonus"). Help centers state both sides of a referral or a shared
# account side by side ("Your bonus: $20", "Their bonus: $30").
_SUBJECT = r"(?:i|we|you|she|he|they|my \w+|our \w+|the \w+|your \w+|her \w+|his \w+|their \w+)"
_ASKED_OF = re.compile(
    rf"\b(?:do|does|did|will|would|can|could|should|must|have to|has to)\s+(?P<subject>{_SUBJECT})\s+"
    r"(?:get|receive|earn|need|have|make|pay|deposit|spend)\b"
    r"|\b(?P<owner>my|our|her|his|their)\s+(?:\w+\s+)?(?:bonus|reward|rewards|share|cut)\b",
    re.I,
)
_OWN = frozenset({"i", "we", "my", "our"})
_OTHERS = frozenset({"she", "he", "they", "her", "his", "their"})
_PEOPLE = frozenset(
    {"friend", "friends", "sister", "brother", "mom", "mother", "dad", "father", "son", "daughter", "kid"}
    | {"kids", "wife", "husband", "partner", "spouse", "colleague", "coworker", "vendor", "client"}
    | {"customer", "employee", "roommate", "neighbor", "referral"}
)


def asked_party(text: str) -> str | None:
    """ "self" when a part asks about the customer's own share, "other" when about another person's."""
    for match in _ASKED_OF.finditer(text):
        who = (match.group("subject") or match.group("owner") or "").lower()
        first = who.split()[0]
        if first in _OWN and " " not in who:
            return "self"
        # "does her startup get", "their business": another person's share, whatever the noun.
        if first in _OTHERS or (" " in who and who.split()[1] in _PEOPLE):
            return "other"
    return None


_RANGE = re.compile(r"\brange\b|\bbetween\b", re.I)
# A question answered yes or no ("Does Hunter Green pay back ATM fees?"): the statement that answers it may
# also give the figure a following part asks ("up to how much a month?").
_YES_NO = re.compile(
    rf"{LEAD_IN}(?:does|do|did|is|are|was|were|can|could|will|would|should|has|have)\b", re.I
)
# A question asking for a bound ("the longest term I can choose", "the most I can send", "up to what
# amount"): a value that merely applies ("defaults to 12 months") does not answer it.
_BOUND = re.compile(
    r"\b(?:most|least|highest|lowest|biggest|largest|smallest|longest|shortest|maximum|minimum"
    r"|up to (?:what|how)|how (?:high|low))\b"
    # "how much do I need to have before I can redeem?": what one must reach is a threshold
    r"|\bhow (?:much|many)\b[^?.]*?\b(?:need|have|has) to\b",
    re.I,
)
# What the customer says they do not have ("I don't have any premium subscription", "without a card"): a
# statement of the case with it ("Foreign transaction fee with a premium subscription: 0%") is not theirs.
_LACKS = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|does not|didn'?t|did not|haven'?t|hasn'?t|no longer)\s+"
    r"(?:have|has|hold|own|got|carry)\s+(?:any\s+|an?\s+|the\s+)?((?:[\w-]+\s+){0,2}[\w-]+)"
    r"|\b(?:without|have no|has no)\s+(?:any\s+|an?\s+|the\s+)?((?:[\w-]+\s+){0,2}[\w-]+)",
    re.I,
)


def lacked_terms(message: str) -> frozenset[str]:
    """The words of what the customer says they do not have (`_LACKS`)."""
    return frozenset(t for m in _LACKS.finditer(message) for t in terms_of(m.group(1) or m.group(2) or ""))


# Words of the sentences around the question (the customer's situation) count this much.
BACKGROUND_WEIGHT = 0.25
MIN_TERMS = 2
POINT_BACK_TERMS = 3  # a part with fewer of its own words that points back takes the situation's words


@dataclass(frozen=True, slots=True)
class Ask:
    """One thing a question asks."""

    terms: frozenset[str]  # its own words and, when it points back, those it points back to
    asks_value: bool  # an amount, rate, count or period
    asks_steps: bool  # how to do something
    wants: frozenset[str] = frozenset()  # kinds of value that answer it (values.value_kinds); empty: any
    head: frozenset[str] = frozenset()  # the attribute it names first ("what balance ...": balance)
    wants_range: bool = False
    wants_bound: bool = False  # a limit: the most, the least, the longest (`_BOUND`)
    # It names too little of its own and is about what was asked before ("and what happens if we go over?")
    points_back: bool = False
    own: frozenset[str] = frozenset()  # the words it says itself
    text: str = ""  # as the customer wrote it
    party: str | None = None  # whose share it asks about (`asked_party`)
    yes_no: bool = False  # asked to be answered yes or no (`_YES_NO`)

    @classmethod
    def read(cls, text: str, drop: frozenset[str], before: frozenset[str], *, later: bool = False) -> Ask:
        """`before`: what it may point back to (the earlier part, or the situation told); a `later` part
        with few words of its own always does."""
        tokens = [t for t in terms_of(text) if t not in drop]
        terms = frozenset(tokens)
        own = terms - FRAME
        points_back = len(own) < POINT_BACK_TERMS and bool(later or _POINTS_BACK.search(text) or not own)
        if points_back:
            terms |= before
        asked_at = _ASKED_AFTER.search(text)
        after = [t for t in terms_of(text[asked_at.end() :]) if t not in drop] if asked_at else []
        head = next((t for t in after if t in ATTRIBUTES and t not in FRAME), None)
        wants = HEAD_KINDS.get(head, frozenset()) if head else frozenset()
        if head is None and _RECEIVES.search(text):
            terms |= RECEIVED
            wants = RECEIVED_KINDS
        if _WANTS["count"].search(text) and not _WANTS["money"].search(text):
            wants = frozenset({"count"})  # "how many external accounts ... for balance aggregation"
        if not wants:
            wants = frozenset(kind for kind, cue in _WANTS.items() if cue.search(text))
            if wants == _MAY_BE_A_RATE:
                wants |= {"rate"}  # "how much does it cost" may be a percentage
        return cls(
            terms,
            bool(terms & ATTRIBUTES) or bool(_ASKS_VALUE.search(text)),
            bool(_ASKS_STEPS.search(text)),
            wants,
            frozenset({head}) if head else frozenset(),
            bool(_RANGE.search(text)),
            bool(_BOUND.search(text)),
            points_back and bool(before),
            frozenset(tokens),
            text.strip(),
            asked_party(text),
            bool(_YES_NO.match(text.strip())),
        )


@dataclass(frozen=True, slots=True)
class Question:
    asks: tuple[Ask, ...]
    background: frozenset[str] = frozenset()  # words of the situation told around the question
    values: frozenset[str] = frozenset()  # amounts the customer wrote: repeating them answers nothing
    lacks: frozenset[str] = frozenset()  # what the customer says they do not have (`lacked_terms`)

    @classmethod
    def read(cls, message: str, name_tokens: frozenset[str] = frozenset()) -> Question:
        """A message's question: its question sentences, when it has others too (the situation), split
        into the things it asks."""
        drop = FILLER | name_tokens
        # "One more thing: ..." or "Thanks!" around a question is no part of it.
        message = without_chatter(message) or message
        message = _ALIAS.sub(lambda m: _ALIASES[m.group(0).lower()], thousands_written_out(message))
        message = _WHEN_TOLD.sub("", message)
        sentences = [s for s in SENTENCE.split(message) if s.strip()]
        read = [asked_in(s) for s in sentences]
        asking = [asked for asked, _ in read if asked]
        # A question told after its situation in one sentence points back to that situation.
        told = {asked: frozenset(terms_of(before)) - drop for asked, before in read if before}
        asked = " ".join(asking) if asking else message
        background = frozenset(terms_of(message)) - drop - frozenset(terms_of(asked))
        asks: list[Ask] = []
        for part in (p for p in split_parts(asked) if p and p.strip()):
            # A later part that only points back ("and what happens if we go over?") is about the earlier one.
            before = told.get(part.strip()) or (asks[-1].terms if asks else background)
            ask = Ask.read(part, drop, before, later=bool(asks))
            if ask.terms and ask.asks_value and _EACH_SHARE.search(part):
                asks += [replace(ask, party="self"), replace(ask, party="other")]
            elif ask.terms:
                asks.append(ask)
        if not asks:
            whole = Ask.read(asked, drop, background)
            asks = [whole] if whole.terms else []
        said = frozenset(t for ask in asks for t in ask.own)
        situation = background | frozenset(t for ask in asks for t in ask.terms)
        return cls(tuple(asks), situation - said, frozenset(values_in(message)), lacked_terms(message))

    @property
    def terms(self) -> frozenset[str]:
        """The words the question itself says; words a part points back to are the situation's."""
        return frozenset(t for ask in self.asks for t in ask.own)

    @property
    def words(self) -> frozenset[str]:
        return self.terms | self.background

    @property
    def asks_value(self) -> bool:
        return any(ask.asks_value for ask in self.asks)

    @property
    def substantial(self) -> bool:
        """Whether it says enough to be answered: an amount or the steps of something asked for, or at
        least `MIN_TERMS` words of its own. "what day is it" or "stop doing that" share one word with any
        help center ("same-day transfers", "stop payments") and ask nothing it could answer."""
        asks_for = any(ask.asks_value or ask.asks_steps for ask in self.asks)
        return asks_for or len(self.terms - FRAME) >= MIN_TERMS

    def other_parts(self, ask: Ask) -> frozenset[str]:
        """The words the other parts ask with and `ask` does not: they say what those parts are about."""
        return frozenset(t for other in self.asks if other is not ask for t in other.own) - ask.terms

    def weight_of(self, term: str) -> float:
        return 1.0 if term in self.terms else BACKGROUND_WEIGHT
