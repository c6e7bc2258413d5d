"""What the responder compares in a text: its words ("daily limit" meets "per day") and the values it states.

A value is an amount ($2.50), a rate (3%), a time of day (9:30 am) or a number; its kind (money, rate,
duration, count) and what a count counts ("9 complimentary lounge visits": visit) tell which statement
answers a question asking "how much", "how long" or "how many".
"""

from __future__ import annotations

import re

from tandem.knowledge.bm25_index import STOPWORDS, analyze

# "Unlimited" is a value too: it answers "how many lounge visits?" and "is there a maximum per claim?".
UNLIMITED = "unlimited"
_VALUE = re.compile(
    r"\b\d{1,2}:\d{2}\s?(?:[ap]\.?m\.?)?(?!\w)|[$€£]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?%"
    r"|\b\d[\d,]*(?:\.\d+)?\b|\bunlimited\b",
    re.I,
)
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_DURATION = re.compile(
    r"[\s-]*(?:business |calendar |banking |full )?(?:minute|hour|day|week|month|year)s?\b", re.I
)
_LABEL_TAIL = re.compile(r"\s(?:for|of|per|on|to|in|at|after|before|with|when|if|by)\s|\s?\(|,|;", re.I)
_UNIT_PHRASE = re.compile(
    r"\s+((?:(?!(?:per|for|of|in|on|at|to|from|with|within|across|each|a|an|the|and|or|is|are)\b)[A-Za-z-]+\s*){1,4})"
)
_MONEY_WORDS = frozenset(
    analyze("fee fees charge charges cost credit bonus rebate minimum maximum deposit balance")
)
# Words after an amount that say what happens to it, not what it counts ("$1,500 applies").
_NOT_COUNTED = (
    frozenset(
        [
            "applies",
            "apply",
            "applied",
            "may",
            "must",
            "would",
            "could",
            "plus",
            "minus",
            "charged",
            "credited",
            "paid",
            "posted",
            "due",  # "$25,000 due to exchange-rate movements", "$35 due by the 15th"
        ]
    )
    | STOPWORDS
)  # "$500 or more", "$1,500 is the limit"

# Period adjectives the stemmer keeps apart from their nouns ("daily" is "daili", "day" is "day").
PERIODS = {"daili": "day", "weekli": "week", "hourli": "hour"}


def terms_of(text: str) -> list[str]:
    """The analysed words of a text as the responder compares them: "daily limit" meets "per day", and a
    stem left with a doubled consonant meets its verb ("referral" is "referr", "refer" is "refer")."""
    return [_undoubled(PERIODS.get(t, t)) for t in analyze(text)]


_WORD = re.compile(r"[A-Za-z]+")
ACRONYM_WORDS = (2, 3, 4)  # "Annual Percentage Yield", "Automated Clearing House"


def acronyms_of(text: str) -> list[str]:
    """The acronyms a text spells out, analysed like `terms_of`: the initials of each run of two to four
    consecutive content words ("Annual Percentage Yield" -> APY, "automated teller machine" -> ATM), so a
    customer's "APY" finds a help center that writes the words out, and the other way round."""
    words = _WORD.findall(text)
    content = [len(w) >= 3 and w.lower() not in STOPWORDS for w in words]
    initials = {
        "".join(w[0] for w in words[start : start + size])
        for size in ACRONYM_WORDS
        for start in range(len(words) - size + 1)
        if all(content[start : start + size])
    }
    return terms_of(" ".join(sorted(initials)))  # one analysis for all of them


def _undoubled(term: str) -> str:
    if len(term) > 4 and term[-1] == term[-2] and term[-1] not in "aeiouls" and term[-1].isalpha():
        return term[:-1]
    return term


# "$10k", "6K", "$2.5k": customers write thousands short; help centers write them out ("$10,000").
# Without a currency sign, at most two digits: "a 401k" is a retirement plan.
_THOUSANDS = re.compile(
    r"(?<![\w.,$€£])(?:(?P<sign>[$€£])(?P<signed>\d{1,3}(?:\.\d{1,3})?)|(?P<bare>\d{1,2}(?:\.\d{1,3})?))"
    r"\s?k\b",
    re.I,
)


def thousands_written_out(text: str) -> str:
    """`text` with amounts written in thousands ("$10k") written out as help centers write them
    ("$10,000"), so the amount is a value and "10k" is not a word the help center never uses."""

    def out(match: re.Match[str]) -> str:
        number = float(match["signed"] or match["bare"])
        return f"{match['sign'] or ''}{round(number * 1000):,}"

    return _THOUSANDS.sub(out, text)


def values_in(text: str) -> tuple[str, ...]:
    """Amounts, percentages and counts in `text`, normalised (thousands separators and .00 dropped)."""
    found = []
    for match in _VALUE.finditer(text):
        value = re.sub(r"\s", "", match.group(0)).replace(",", "").lower()
        if not _CLOCK.match(value):
            value = re.sub(r"\.0+(?=%|$)", "", value)
        found.append(value)
    return tuple(found)


def label_head(label: str) -> str | None:
    """The head noun of a label: its last word before a preposition or a bracket ("Monthly ATM fee rebates
    for out-of-network usage" is about rebates, "Fee for each excess withdrawal" about a fee)."""
    core = _LABEL_TAIL.split(label, maxsplit=1)[0]
    tokens = analyze(core)
    return tokens[-1] if tokens else None


def value_units(text: str) -> frozenset[str]:
    """The nouns a text's numbers count, read as the last word of the up to four words after each number
    before a preposition or punctuation ("9 complimentary lounge visits per year": visit)."""
    units = set()
    for match in _VALUE.finditer(text):
        following = _UNIT_PHRASE.match(text, match.end())
        if following:
            tokens = analyze(following.group(1))
            if tokens:
                units.add(tokens[-1])
    return frozenset(units)


def value_kinds(text: str) -> frozenset[str]:
    """The kinds of value `text` states: money ($2.50), rate (3%), duration (3 business days), count."""
    kinds = set()
    for match in _VALUE.finditer(text):
        value = match.group(0)
        if _CLOCK.match(value):
            kinds.add("time")
        elif value.lower() == UNLIMITED:
            kinds |= {"count", "money"}  # no cap on how many, nor on how much
        elif value[:1] in "$€£":
            kinds.add("money")
            # Help centers built from templates put a currency sign before counts too ("$175 free
            # transactions", "$275 active virtual cards"): followed by what it counts, it is a count as well.
            following = _UNIT_PHRASE.match(text, match.end())
            if (
                following
                and following.group(1).split()[0].lower() not in _NOT_COUNTED
                and not set(terms_of(following.group(1))) & _MONEY_WORDS
            ):
                kinds.add("count")
        elif value.rstrip().endswith("%"):
            kinds.add("rate")
        elif _DURATION.match(text, match.end()):
            kinds.add("duration")
        else:
            kinds.add("count")
    return frozenset(kinds)
