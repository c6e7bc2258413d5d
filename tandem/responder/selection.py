"""Choosing what to say: the statements that answer the question asked, and nothing that contradicts them.

Help centers are written in a few predictable ways (tandem.responder.passages), and a good answer follows:

- The statement that states the asked attribute with its value wins. A question asking for a value ("how
  much", "what fee", "how long") is answered by a statement that has one: "Out-of-network ATM withdrawal fee
  (after free): $2.50" over "ATM owners may charge their own surcharge". Words of the question in the
  statement count fully, words only in what it is about (its heading, FAQ question, table header) count
  `CONTEXT_WEIGHT`, both weighted by how rare they are among the candidate statements (IDF), so "card"
  found everywhere does not decide.
- One answer per thing asked: a question that asks two things ("what's the monthly fee and what do I need
  to keep to avoid it?") gets the best statement for each, at most `MAX_STATEMENTS`. A part that points back
  ("how do I stop it?") is about the situation the customer described before it.
- Never two values for the same thing: a statement whose label ("Monthly maintenance fee") is that of a
  chosen one but whose values differ is left out.
- Better-retrieved articles get up to twice the weight (`prior`), so ties go to the article retrieval
  trusts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tandem.knowledge.bm25_index import analyze
from tandem.knowledge.lexicon import Vocabulary
from tandem.knowledge.query_analysis import without_chatter
from tandem.responder.passages import Statement, terms_of, values_in

MAX_STATEMENTS = 3
CONTEXT_WEIGHT = 0.6
# A statement without any value, for a question asking for one, keeps this share of its score.
NO_VALUE_FACTOR = 0.35
NAMED_FACTOR = 1.25
# ... and when the message refers to that product by its kind ("the bonus from my card", the card on file).
REFERRED_FACTOR = 1.8
# Chat filler beyond the stopword list: it says nothing about the topic.
FILLER = frozenset(
    {"hi", "hello", "hey", "thanks", "thank", "please", "want", "need", "help", "know", "like", "would"}
    | {"could", "get", "tell", "able", "question", "ok", "okay", "wonder", "wondering", "curious"}
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
_ASKS_VALUE = re.compile(
    r"\bhow (?:much|many|long|old|soon|often|big|high|low|far|fast|quickly)\b"
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
_QUESTION_WORD = r"(?:what|how|when|where|which|who|why|whats|is|are|do|does|did|can|could|will|would|should)"
_QUESTION_START = re.compile(rf"^(?:(?:and|also|plus|but|or|so)\s+)?(?:{_QUESTION_WORD}|if)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\s+-\s+|\n+")
# Where one question asks two things: "what's the monthly fee and what do I need to keep to avoid it?"
_PARTS = re.compile(
    r"\?+\s*|;\s+|,?\s+and\s+(?=(?:\w+\s+){0,2}(?:what|how|when|where|which|who|why|whats)\b"
    r"|(?:does|do|is|are|can|will|would|should)\b"
    # "the daily limits for mobile deposits and for transfers out": the same thing asked of two
    r"|(?:for|on|with|at|to|from)\b)",
    re.I,
)
# "the annual fee and the foreign transaction fee": two attributes asked side by side.
_AND = re.compile(r"\s+and\s+", re.I)
# A part that points back ("how do I stop it") is about the situation the customer told.
_POINTS_BACK = re.compile(
    r"\b(?:it|this|that|they|them|these|those|one|ones|he|she|him|her|his|hers|we|us|our)\b", re.I
)
# Words customers shorten: one spelling, so "max per claim" finds "maximum reimbursement per claim".
_ALIASES = {"max": "maximum", "min": "minimum", "yearly": "annual", "extra": "additional"}
_ALIAS = re.compile(rf"\b(?:{'|'.join(_ALIASES)})\b", re.I)
# Wording that asks for one kind of value: "what percentage" is not answered by "$32,500".
_WANTS = {
    "rate": re.compile(r"\bpercent(?:age)?\b|%|\bapy\b|\bapr\b|\binterest rate\b", re.I),
    "duration": re.compile(
        r"\bhow (?:long|soon|fast|quickly)\b|\b(?:longest|shortest)\b"
        r"|\bhow many (?:business )?(?:minutes|hours|days|weeks|months|years)\b",
        re.I,
    ),
    "money": re.compile(r"\bhow much\b(?! time)|\bcost\b|\bprice\b", re.I),
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
# Where the thing asked is named: after "what", "which" or "how much" ("If I carry a balance, what interest
# rate ..." asks a rate). A yes/no question ("Does EV charging earn ...") names none.
_ASKED_AFTER = re.compile(r"\b(?:what(?:'s| is| are)?|whats|which|how much|how many)\b", re.I)
_RANGE = re.compile(r"\brange\b|\bbetween\b", re.I)
# Words of the sentences around the question (the customer's situation) count this much.
BACKGROUND_WEIGHT = 0.25
MIN_TERMS = 2
STEPS_FACTOR = 1.5  # the steps themselves, over one sentence that shares words with "how do I ..."
HEAD_FACTOR = 1.3
LABEL_WEIGHT = 0.4
MEANING_FLOOR = 0.5
DISAGREEMENT_SHARE = 0.5
ECHO_FACTOR = 1.5  # a statement that also states the amount the customer quoted ("charged $20")
RANGE_FACTOR = 1.3  # two values of one kind, for a question asking for a range
POINT_BACK_TERMS = 3  # a part with fewer of its own words that points back takes the situation's words
# ... and is answered by a statement with a value of its own that scores at least this share of the best.
POINT_BACK_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Ask:
    """One thing a question asks."""

    terms: frozenset[str]  # its own words and, when it points back, those it points back to
    asks_value: bool  # an amount, rate, count or period
    asks_steps: bool  # how to do something
    wants: frozenset[str] = frozenset()  # kinds of value that answer it (passages.value_kinds); empty: any
    head: frozenset[str] = frozenset()  # the attribute it names first ("what balance ...": balance)
    wants_range: bool = False
    # It names too little of its own and is about what was asked before ("and what happens if we go over?")
    points_back: bool = False
    own: frozenset[str] = frozenset()  # the words it says itself
    text: str = ""  # as the customer wrote it

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
            points_back and bool(before),
            frozenset(tokens),
            text.strip(),
        )


@dataclass(frozen=True, slots=True)
class Question:
    asks: tuple[Ask, ...]
    background: frozenset[str] = frozenset()  # words of the situation told around the question
    values: frozenset[str] = frozenset()  # amounts the customer wrote: repeating them answers nothing

    @classmethod
    def read(cls, message: str, name_tokens: frozenset[str] = frozenset()) -> Question:
        """A message's question: its question sentences, when it has others too (the situation), split
        into the things it asks."""
        drop = FILLER | name_tokens
        # "One more thing: ..." or "Thanks!" around a question is no part of it.
        message = without_chatter(message) or message
        message = _ALIAS.sub(lambda m: _ALIASES[m.group(0).lower()], message)
        sentences = [s for s in _SENTENCE.split(message) if s.strip()]
        asking = [s for s in sentences if s.rstrip().endswith("?") or _QUESTION_START.match(s.strip())]
        asked = " ".join(asking) if asking else message
        background = frozenset(terms_of(message)) - drop - frozenset(terms_of(asked))
        asks: list[Ask] = []
        for part in (p for p in _split_parts(asked) if p and p.strip()):
            # A later part that only points back ("and what happens if we go over?") is about the earlier one.
            ask = Ask.read(part, drop, asks[-1].terms if asks else background, later=bool(asks))
            if ask.terms:
                asks.append(ask)
        if not asks:
            whole = Ask.read(asked, drop, background)
            asks = [whole] if whole.terms else []
        said = frozenset(t for ask in asks for t in ask.own)
        situation = background | frozenset(t for ask in asks for t in ask.terms)
        return cls(tuple(asks), situation - said, frozenset(values_in(message)))

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

    def weight_of(self, term: str) -> float:
        return 1.0 if term in self.terms else BACKGROUND_WEIGHT


@dataclass(frozen=True, slots=True)
class Selection:
    chosen: list[Statement]  # in the articles' own order
    covered: frozenset[str]  # the question's words the chosen statements (and what they are about) hold
    ranked: list[tuple[float, Statement]]  # for the first thing asked, best first
    answered_share: float = 1.0  # the share of the things asked that a chosen statement answers
    # Per thing asked (in order, up to MAX_STATEMENTS): the statement that answers it, or None.
    answers: tuple[Statement | None, ...] = ()
    # Parts for which another statement in scope, nearly as good, gives a different figure for the same
    # thing: the help center disagrees with itself (or a sibling's article is filed without its name).
    disagreements: int = 0


def subject_of(ask: Ask, vocabulary: Vocabulary) -> str | None:
    """The part's most specific word the help center uses (its subject: "tier" in "what balance do I need
    to reach Tier 2"); None when it says no such word of its own."""
    own = [t for t in ask.own - FRAME - ATTRIBUTES if vocabulary.frequency.get(t)]
    return max(own, key=lambda t: (vocabulary.specificity(t), t)) if own else None


def _split_parts(asked: str) -> list[str]:
    """The things a question asks: parts split at question marks, semicolons and "and what/how ...", then
    at "and" between two attributes ("the annual fee and the foreign transaction fee")."""
    parts: list[str] = []
    for part in _PARTS.split(asked):
        pieces = _AND.split(part) if part else []
        if len(pieces) == 2 and all(set(analyze(p)) & (ATTRIBUTES - FRAME) for p in pieces):
            parts.extend(pieces)
        else:
            parts.append(part)
    return parts


def term_weights(candidates: Sequence[Statement], terms: frozenset[str]) -> dict[str, float]:
    """IDF of each question word over the candidates: log(1 + N / (1 + df)); a word no statement holds
    weighs most, so leaving it open costs the most (it is what the articles do not address)."""
    df = dict.fromkeys(terms, 0)
    for statement in candidates:
        for term in (statement.terms | statement.context) & terms:
            df[term] += 1
    return {t: math.log(1 + len(candidates) / (1 + n)) for t, n in df.items()}


def answers_value(statement: Statement, ask: Ask, quoted: frozenset[str]) -> bool:
    """Whether the statement states a value the customer did not write themselves (`quoted`), of a kind
    the question asks for ("what percentage" wants a rate, "how long" a duration)."""
    if ask.wants and not (statement.kinds & ask.wants):
        return False
    return any(v not in quoted for v in statement.values)


def score(
    statement: Statement,
    ask: Ask,
    question: Question,
    weight: dict[str, float],
    prior: float,
    named: float = 1.0,
) -> float:
    """How well a statement answers one thing asked: its words and what it is about, weighted (the ask's
    own words fully, the rest of the question's and the situation's by `BACKGROUND_WEIGHT`)."""
    if statement.block and not ask.asks_steps:
        return 0.0  # a list of steps answers "how do I ...", not "what is ..."
    steps = STEPS_FACTOR if statement.block and ask.asks_steps else 1.0
    words = ask.terms | question.words

    def w(term: str) -> float:
        return weight.get(term, 0.0) * (1.0 if term in ask.terms else BACKGROUND_WEIGHT)

    own = words & statement.terms
    value = sum(w(t) for t in own) + CONTEXT_WEIGHT * sum(w(t) for t in (words & statement.context) - own)
    valued = answers_value(statement, ask, question.values)
    if ask.asks_value and not ask.asks_steps and not valued:
        value *= NO_VALUE_FACTOR
    # "Monthly maintenance fee: $25" over "Monthly ATM fee rebates for out-of-network usage: $20" for "what's
    # the monthly fee": the share of what the statement is about (its label) that the question says.
    label = statement.label - _VALUE_TOKENS(statement)
    if label:
        value *= 1 - LABEL_WEIGHT + LABEL_WEIGHT * len(label & words) / len(label)
    if statement.label_head is not None and ask.head:
        # A label says what its value is of: "Monthly maintenance fee: $25" is a fee, "Monthly ATM fee
        # rebates: $20" a rebate, whatever other words they share with "what's the monthly fee".
        if statement.label_head in ask.head:
            value *= HEAD_FACTOR
        elif statement.label_head in ATTRIBUTES or not ask.head & statement.label:
            value /= HEAD_FACTOR
    elif ask.head & statement.label:
        value *= HEAD_FACTOR
    elif ask.head and statement.label & ATTRIBUTES - FRAME:
        value /= HEAD_FACTOR  # its value is of another attribute ("fee: $25" for "what balance")
    if valued and set(statement.values) & question.values:
        value *= ECHO_FACTOR
    if ask.wants_range and _has_range(statement):
        value *= RANGE_FACTOR
    # Naming the product asked about makes a statement the more specific one ("With Business Gold Rewards
    # Card: 5.45%" over the base rate for a holder of that card).
    return value * prior * named * steps


def select(
    statements: Sequence[Statement],
    question: Question,
    priors: Sequence[float],
    named: Callable[[Statement], float] = lambda _: 1.0,
    closeness: Callable[[str], Sequence[float]] | None = None,
    vocabulary: Vocabulary | None = None,
) -> Selection:
    """The statements that answer `question`: the best for each thing it asks (see the module docstring);
    `priors` per source position; `named`: a statement's factor for naming a product the question is about
    (`NAMED_FACTOR`, `REFERRED_FACTOR`);
    `closeness`: per statement, its meaning's closeness (cosine) to a text asked, which scales the word
    score by `MEANING_FLOOR + cosine` ("refund" finds "rebates" only by meaning); `vocabulary`: the help
    center's, whose most specific word of a part (`subject_of`) the statement answering it must hold."""
    weight = term_weights(statements, question.words)
    chosen: list[Statement] = []
    answered: dict[int, int] = {}  # id(statement) -> parts asking a value it answers
    parts_answered = 0
    disagreements = 0
    per_ask: list[Statement | None] = []
    first: list[tuple[float, Statement]] = []
    for index, ask in enumerate(question.asks[:MAX_STATEMENTS]):
        subject = subject_of(ask, vocabulary) if vocabulary is not None else None
        per_ask.append(None)
        near = (
            closeness(ask.text)
            if closeness is not None and ask.text
            else [1.0 - MEANING_FLOOR] * len(statements)
        )
        scored = [
            (score(s, ask, question, weight, priors[s.source], named(s)) * (MEANING_FLOOR + max(c, 0.0)), s)
            for s, c in zip(statements, near, strict=True)
        ]
        ranked = sorted(
            ((v, s) for v, s in scored if v > 0), key=lambda vs: (-vs[0], vs[1].source, vs[1].position)
        )
        if index == 0:
            first = ranked
        top = ranked[0][0] if ranked else 0.0
        for value, candidate in ranked:
            if subject is not None and subject not in candidate.terms | candidate.context:
                continue  # "what balance do I need to reach Tier 2" is not answered without "tier"
            if candidate in chosen:
                # A chosen statement answers this part too when it states a value for it as well.
                if ask.asks_value and answered[id(candidate)] >= max(len(set(candidate.values)), 1):
                    continue  # its values answer other parts already
                if ask.points_back and not ask.asks_value:
                    continue  # what it points back to is answered; it asks what comes next
                answered[id(candidate)] += int(ask.asks_value)
                parts_answered += 1
                per_ask[-1] = candidate
                break
            if ask.points_back and (
                value < POINT_BACK_SHARE * top
                or not set(candidate.values) - {v for c in chosen for v in c.values}
            ):
                continue
            if ask.asks_value and not ask.asks_steps and not answers_value(candidate, ask, question.values):
                continue
            if not (ask.terms & (candidate.terms | candidate.context)):
                continue
            if _conflicts(candidate, chosen) or _repeats(candidate, chosen):
                continue
            chosen.append(candidate)
            answered[id(candidate)] = int(ask.asks_value)  # the values it has given to parts asking one
            if ask.asks_value and any(
                other is not candidate and v >= DISAGREEMENT_SHARE * value and conflicting(candidate, other)
                for v, other in ranked
            ):
                disagreements += 1
            parts_answered += 1
            per_ask[-1] = candidate
            break
    covered = {t for s in chosen for t in question.words & (s.terms | s.context)}
    if any(s.values for s in chosen):
        covered |= question.words & FRAME  # "how much" is answered by the amount stated
    ordered = sorted(chosen, key=lambda s: (s.source, s.position))
    asked = len(question.asks[:MAX_STATEMENTS])
    share = parts_answered / asked if asked else 0.0
    return Selection(ordered, frozenset(covered), first, share, tuple(per_ask), disagreements)


def _VALUE_TOKENS(statement: Statement) -> frozenset[str]:
    return frozenset(t for t in statement.label if t[:1].isdigit())


def _has_range(statement: Statement) -> bool:
    kinds = [k for k in ("money", "rate", "count") if k in statement.kinds]
    return any(sum(1 for v in statement.values if _kind(v) == k) >= 2 for k in kinds)


def conflicting(a: Statement, b: Statement) -> bool:
    """Both state values of one kind (amounts, rates, counts) for the same thing (overlapping labels with
    the same attribute words), and none of those values agree."""
    kinds = {_kind(v) for v in a.values} & {_kind(v) for v in b.values}
    if not kinds:
        return False
    for kind in kinds:
        if {v for v in a.values if _kind(v) == kind} & {v for v in b.values if _kind(v) == kind}:
            return False
    if (a.label & ATTRIBUTES) != (b.label & ATTRIBUTES):
        return False
    if a.units and b.units and not a.units & b.units:
        return False  # "9 lounge visits" and "3 lounge networks" count different things
    smaller = min(len(a.label), len(b.label))
    return smaller > 0 and len(a.label & b.label) / smaller >= 0.6


def _kind(value: str) -> str:
    return "money" if value[:1] in "$€£" else "rate" if value.endswith("%") else "count"


def _conflicts(candidate: Statement, chosen: list[Statement]) -> bool:
    return any(conflicting(candidate, c) for c in chosen)


def _repeats(candidate: Statement, chosen: list[Statement]) -> bool:
    """It says what a chosen statement says: the same values and mostly the same words."""
    for c in chosen:
        if candidate.values and set(candidate.values) <= set(c.values):
            return True
        union = candidate.terms | c.terms
        if union and len(candidate.terms & c.terms) / len(union) >= 0.8:
            return True
    return False
