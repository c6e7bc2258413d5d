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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tandem.knowledge.bm25_index import analyze
from tandem.responder.passages import Statement
from tandem.responder.question import ATTRIBUTES, BACKGROUND_WEIGHT, FRAME, PRICES, Ask, Question
from tandem.responder.values import UNLIMITED

_NUMBERS = frozenset({"count", "duration"})  # a bare number may count days as well as things

__all__ = ["Question", "Selection", "conflicting", "score", "select", "term_weights"]

MAX_STATEMENTS = 3
# Words only in what a statement is about (its heading, FAQ question, table header) count this much.
CONTEXT_WEIGHT = 0.6
# A statement without any value, for a question asking for one, keeps this share of its score.
NO_VALUE_FACTOR = 0.35
# Naming the product asked about makes a statement the more specific one ...
NAMED_FACTOR = 1.25
# ... and when the message refers to that product by its kind ("the bonus from my card", the card on file).
REFERRED_FACTOR = 1.8
STEPS_FACTOR = 1.5  # the steps themselves, over one sentence that shares words with "how do I ..."
HEAD_FACTOR = 1.3  # a statement whose label is the attribute asked about ("What balance ...")
LABEL_WEIGHT = 0.4  # how much of a statement's score rides on the share of its label the question says
MEANING_FLOOR = 0.5  # the word score is scaled by MEANING_FLOOR + cosine with the part asked
# A statement of another figure for the same thing scoring at least this share of the chosen one disagrees.
DISAGREEMENT_SHARE = 0.5
ECHO_FACTOR = 1.5  # a statement that also states the amount the customer quoted ("charged $20")
RANGE_FACTOR = 1.3  # two values of one kind, for a question asking for a range
# A part that points back is answered by a statement with a value of its own that scores at least this
# share of the best.
POINT_BACK_SHARE = 0.5
EXAMPLE_FACTOR = 0.5  # a worked example (`Statement.example`)
OTHER_PARTY_FACTOR = 0.3  # another person's share ("They receive: $30"), for a part asking the customer's own
SAME_ARTICLE_FACTOR = 1.3  # a part answered from an article that answers another part


@dataclass(frozen=True, slots=True)
class Selection:
    chosen: list[Statement]  # in the articles' own order
    ranked: list[tuple[float, Statement]]  # for the first thing asked, best first
    answered_share: float = 1.0  # the share of the things asked that a chosen statement answers
    # Per thing asked (in order, up to MAX_STATEMENTS): the statement that answers it, or None.
    answers: tuple[Statement | None, ...] = ()
    # Parts for which another statement in scope, nearly as good, gives a different figure for the same
    # thing: the help center disagrees with itself (or a sibling's article is filed without its name).
    disagreements: int = 0


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
    the question asks for ("what percentage" wants a rate, "how long" a duration), stated as a bound when
    it asks for one ("the longest term") and as two ends when it asks for a range."""
    if ask.wants and not (statement.kinds & ask.wants):
        return False
    if (ask.wants_bound and not statement.bounded) or (ask.wants_range and not _has_range(statement)):
        return False
    if statement.refers_elsewhere:
        return False  # "you may incur the monthly charge described below" does not state the charge
    # A new value of the kind asked: "0% for the first 12 billing cycles" states no new APR for "what APR
    # kicks in after the 0%?", however new its count is.
    return bool(wanted_values(statement, ask, quoted))


# How often a value applies ("the monthly max?", "per day"): words of the value asked, not of its subject.
_PERIOD_WORDS = ("daily", "weekly", "monthly", "yearly", "annual", "annually", "day", "week", "month", "year")
_PERIODS = frozenset(t for word in (*_PERIOD_WORDS, "per", "each") for t in analyze(word))


def wanted_values(statement: Statement, ask: Ask, quoted: frozenset[str]) -> list[str]:
    """The statement's values that could answer `ask`: of a kind it asks for, and not the customer's own."""
    # A fee may be a percentage of the amount ("Foreign transaction fee: 3%"), but a percentage labelled as
    # another attribute is no price: "Safe deposit box rental discount: 75%" for "what's the rental price?".
    other_rate = False
    if ask.head & PRICES:
        things = _things(statement) | ({statement.label_head} if statement.label_head else set())
        other_rate = bool(things & ATTRIBUTES and not things & PRICES)
    return [
        v
        for v in dict.fromkeys(statement.values)
        if v not in quoted
        and not (other_rate and _kind(v) == "rate")
        and (
            not ask.wants
            or _kind(v) in ask.wants
            or (_kind(v) == "count" and ask.wants & _NUMBERS)
            # "$175 free transactions": a count written with a currency sign (`values.value_kinds`)
            or (_kind(v) == "money" and "count" in ask.wants and "count" in statement.kinds)
            or (v == UNLIMITED and ask.wants & {"count", "money"})
        )
    ]


def score(
    statement: Statement,
    ask: Ask,
    question: Question,
    weight: dict[str, float],
    prior: float,
    named: float = 1.0,
    others: frozenset[str] | None = None,
) -> float:
    """How well a statement answers one thing asked: its words and what it is about, weighted (the ask's
    own words fully, the rest of the question's and the situation's by `BACKGROUND_WEIGHT`)."""
    if statement.block and not ask.asks_steps:
        return 0.0  # a list of steps answers "how do I ...", not "what is ..."
    steps = STEPS_FACTOR if statement.block and ask.asks_steps else 1.0
    words = ask.terms | question.words
    # The words another part asks with are about that part: "a cashier's check - how much is that? and
    # what's my daily sending limit" does not make "daily sending limit: $1,500" the check's price. (They
    # still tell what a statement's label is about, below.) `select` passes them, read once per part.
    others = question.other_parts(ask) if others is None else others

    def w(term: str) -> float:
        if term in others:
            return 0.0
        return weight.get(term, 0.0) * (1.0 if term in ask.terms else BACKGROUND_WEIGHT)

    own = words & statement.terms
    value = sum(w(t) for t in own) + CONTEXT_WEIGHT * sum(w(t) for t in (words & statement.context) - own)
    valued = answers_value(statement, ask, question.values)
    if ask.asks_value and not ask.asks_steps and not valued:
        value *= NO_VALUE_FACTOR
    # "Monthly maintenance fee: $25" over "Monthly ATM fee rebates for out-of-network usage: $20" for "what's
    # the monthly fee": the share of what the statement is about (its label) that the question says.
    label = frozenset(t for t in statement.label if not t[:1].isdigit())  # its words, not its figures
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
    if ask.party == "self" and statement.party == "other":
        # "Their bonus: $30" for "what's my bonus if she signs up?". Not the other way round: a help
        # center's "you" is whoever holds the account, the customer's dad as well ("how old does he have
        # to be?" is answered by "You must be at least 62").
        value *= OTHER_PARTY_FACTOR
    elif ask.party == "other" and statement.party == "self" and statement.labelled:
        # "Referrer bonus: $500" beside "Referred bonus: $350" for "what welcome bonus do they get?": a
        # share labelled as the reader's is not the other person's ("You must be at least 62" is no share).
        value *= OTHER_PARTY_FACTOR
    if statement.with_terms & question.lacks and not statement.without_terms & question.lacks:
        value *= OTHER_PARTY_FACTOR  # "Fee with a premium subscription: 0%" for one who has none
    if statement.example:
        value *= EXAMPLE_FACTOR  # a worked case illustrates the rule; it is not the rule asked for
    # Naming the product asked about makes a statement the more specific one ("With Business Gold Rewards
    # Card: 5.45%" over the base rate for a holder of that card).
    return value * prior * named * steps


def select(
    statements: Sequence[Statement],
    question: Question,
    priors: Sequence[float],
    named: Callable[[Statement], float] = lambda _: 1.0,
    closeness: Callable[[str], Sequence[float]] | None = None,
) -> Selection:
    """The statements that answer `question`: the best for each thing it asks (see the module docstring);
    `priors` per source position; `named`: a statement's factor for naming a product the question is about
    (`NAMED_FACTOR`, `REFERRED_FACTOR`);
    `closeness`: per statement, its meaning's closeness (cosine) to a text asked, which scales the word
    score by `MEANING_FLOOR + cosine` ("refund" finds "rebates" only by meaning)."""
    weight = term_weights(statements, question.words)
    chosen: list[Statement] = []
    given: dict[int, set[str]] = {}  # id(statement) -> the values it has given to parts asking one
    parts_answered = 0
    rivals: list[tuple[Statement, float, list[tuple[float, Statement]]]] = []
    per_ask: list[Statement | None] = []
    first: list[tuple[float, Statement]] = []
    for index, ask in enumerate(question.asks[:MAX_STATEMENTS]):
        per_ask.append(None)
        near = (
            closeness(ask.text)
            if closeness is not None and ask.text
            else [1.0 - MEANING_FLOOR] * len(statements)
        )
        used = {c.source for c in chosen}
        others = question.other_parts(ask)
        scored = [
            (
                score(s, ask, question, weight, priors[s.source], named(s), others)
                * (MEANING_FLOOR + max(c, 0.0))
                # The parts of one question are usually answered by one article ("at a glance", an FAQ).
                * (SAME_ARTICLE_FACTOR if s.source in used else 1.0),
                s,
            )
            for s, c in zip(statements, near, strict=True)
        ]
        ranked = sorted(
            ((v, s) for v, s in scored if v > 0), key=lambda vs: (-vs[0], vs[1].source, vs[1].position)
        )
        if index == 0:
            first = ranked
        # The best new statement: one already quoted for an earlier part sets no bar for this one.
        top = next((v for v, s in ranked if s not in chosen), 0.0)
        for value, candidate in ranked:
            if candidate in chosen:
                # A chosen statement answers this part too when it states another value of the kind
                # this part asks for ("$25,000 within 90 days" answers one "how much", not two).
                left = [
                    v for v in wanted_values(candidate, ask, question.values) if v not in given[id(candidate)]
                ]
                if ask.asks_value and not left:
                    continue  # its values answer other parts already
                if ask.points_back and not ask.asks_value:
                    continue  # what it points back to is answered; it asks what comes next
                subject = ask.own - FRAME - ATTRIBUTES - _PERIODS
                if subject and not subject & (candidate.terms | candidate.context):
                    continue  # this part names a subject of its own, and the statement says nothing of it
                given[id(candidate)].update(left[:1] if ask.asks_value else [])
                parts_answered += 1
                per_ask[-1] = candidate
                break
            if ask.points_back and (
                value < POINT_BACK_SHARE * top
                or not set(candidate.values) - {v for c in chosen for v in c.values}
                # "Is there a cap?" points back, but asks about the cap
                or ((ask.own & ATTRIBUTES) - FRAME and not (ask.own & (candidate.terms | candidate.context)))
            ):
                continue
            if ask.asks_value and not ask.asks_steps and not answers_value(candidate, ask, question.values):
                continue
            if not (ask.terms & (candidate.terms | candidate.context)):
                continue
            if _conflicts(candidate, chosen, ask) or _repeats(candidate, chosen):
                continue
            chosen.append(candidate)
            # The value it gives this part: one of the kind asked, else its first (kinds are read per
            # statement: "$175 free transactions" is a count written with a currency sign).
            gives = (wanted_values(candidate, ask, question.values) or list(candidate.values))[:1]
            # A yes-or-no part takes no figure: "Does it pay back ATM fees? Up to how much a month?" is
            # answered by one statement, "We rebate ATM fees up to $20 per month".
            given[id(candidate)] = set(gives if ask.asks_value and not ask.yes_no else [])
            if ask.asks_value:
                rivals.append((candidate, value, ranked))
            parts_answered += 1
            per_ask[-1] = candidate
            break
    # A nearly as good statement of another figure disagrees, unless it answers another part asked.
    disagreements = sum(
        any(
            other not in chosen and v >= DISAGREEMENT_SHARE * value and conflicting(candidate, other)
            for v, other in ranked
        )
        for candidate, value, ranked in rivals
    )
    ordered = sorted(chosen, key=lambda s: (s.source, s.position))
    asked = len(question.asks[:MAX_STATEMENTS])
    share = parts_answered / asked if asked else 0.0
    return Selection(ordered, first, share, tuple(per_ask), disagreements)


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
    things_a, things_b = _things(a), _things(b)
    if things_a and things_b and not things_a & things_b:
        return False  # "Annual fee: $200" and "a $150 rebate on your annual fee" are a fee and a rebate
    smaller = min(len(a.label), len(b.label))
    return smaller > 0 and len(a.label & b.label) / smaller >= 0.6


def _things(statement: Statement) -> frozenset[str]:
    """What a statement's values are of: its label's head noun, else the nouns its numbers count."""
    if statement.labelled and statement.label_head:
        return frozenset({statement.label_head})
    return statement.units


def _kind(value: str) -> str:
    if ":" in value:
        return "time"
    return "money" if value[:1] in "$€£" else "rate" if value.endswith("%") else "count"


def _conflicts(candidate: Statement, chosen: list[Statement], ask: Ask) -> bool:
    """It gives another figure for what a chosen statement states. Not when it holds a word of this part
    that the chosen one lacks: "how much cash from ATMs a day" after "what's the daily purchase limit" asks
    about another limit, whatever words the two statements share."""
    return any(
        conflicting(candidate, c) and not (ask.terms - c.terms - c.context) & candidate.terms for c in chosen
    )


def _repeats(candidate: Statement, chosen: list[Statement]) -> bool:
    """It says what a chosen statement says: the same values and mostly the same words."""
    for c in chosen:
        if candidate.values and set(candidate.values) <= set(c.values):
            return True
        union = candidate.terms | c.terms
        if union and len(candidate.terms & c.terms) / len(union) >= 0.8:
            return True
    return False
