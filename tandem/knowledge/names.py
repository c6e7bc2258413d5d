"""The names a help center gives its products, so a question about one is not answered from its sibling.

A catalog names its products in families: "Gold Rewards Card" and "Business Gold Rewards Card", "Blue
Account" and "Navy Blue Account", "Gold Plus" and "Gold Plus Saver Account". Bag-of-words retrieval sees
nearly the same words in each, so "What is the annual fee on the Gold Rewards card?" was answered from
the Business Gold Rewards Card's fee article ($200 against $0). The fix is to know the names:

- mined at index time from the articles themselves, as multi-word phrases written capitalised inside
  running text at least `MIN_MENTIONS` times and at least as often as all in lower case (a product
  name; "Annual Fee" is not, it is mostly written "annual fee"; nor is "Annual Percentage Yield", written
  as APY too), single CamelCase words ("EcoCard"), and
  title prefixes before a colon that at least two articles share ("Gold Plus: Investment sweep feature
  explained"), written as a name is (each word capitalised: "Transferring funds to external banks: Bronze
  Saver" is a topic shared by several products' titles, not a product);
- found in a text as spans of analysed tokens, where names that overlap merge into one span ("navy
  blue" + "blue account" is "navy blue account", a name of its own);
- compared: an article whose title names products, none of them the same product as one the question
  names (`ProductNames.same_product`), is about something else and is discounted
  (`lexicon.OTHER_PRODUCT_FACTOR`). Titles naming no product (general articles, procedures) and questions
  naming none are left as they are. The responder leaves out sentences about other products the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tandem.knowledge.bm25_index import STOPWORDS, analyze, analyze_keeping_case

MIN_MENTIONS = 2
MAX_NAME_WORDS = 5

# Two to five capitalised words after a lower-case word, comma or semicolon: a name in running text, not
# the start of a sentence or a heading.
_CAPITALISED = re.compile(r"(?<=[a-z,;] )((?:[A-Z][\w+&'\u2019-]*\s){1,4}[A-Z][\w+&'\u2019-]*)")

# One word with a capital inside it: a brand name ("EcoCard"), never an ordinary word.
_CAMEL_CASE = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b")

# A noun that ends at least this many names is one products are named by ("Account", "Card").
PRODUCT_NOUN_NAMES = 3
# An acronym written on its own: two to five capitals ("APY", "ACH").
_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")

Name = tuple[str, ...]  # analysed tokens


@dataclass(frozen=True, slots=True)
class ProductNames:
    names: frozenset[Name] = frozenset()
    # Common nouns that end names ("account", "card": mostly written in lower case), which a name may drop:
    # "Silver Plus" is the "Silver Plus Account", while "Silver Plus Saver" is another product.
    heads: frozenset[str] = frozenset()
    _by_first: dict[str, list[Name]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_first: dict[str, list[Name]] = {}
        for name in sorted(self.names, key=len, reverse=True):
            by_first.setdefault(name[0], []).append(name)
        object.__setattr__(self, "_by_first", by_first)

    @classmethod
    def mine(cls, titles: Sequence[str], bodies: Iterable[str]) -> ProductNames:
        """The product names in a help center: see the module docstring."""
        capitalised: Counter[Name] = Counter()
        texts = list(bodies)
        for text in texts:
            for match in _CAPITALISED.finditer(text):
                tokens = tuple(analyze(match.group(1)))
                if 2 <= len(tokens) <= MAX_NAME_WORDS:
                    capitalised[tokens] += 1
        for text in texts:  # one-word names written in CamelCase ("EcoCard", "EveryonePay")
            for match in _CAMEL_CASE.finditer(text):
                tokens = tuple(analyze(match.group(0)))
                if len(tokens) == 1:
                    capitalised[tokens] += 1
        candidates = {name for name, count in capitalised.items() if count >= MIN_MENTIONS}
        analysed = [analyze_keeping_case(text) for text in texts]
        lower = _lower_case_occurrences(candidates, analysed)
        # A capitalised phrase of three or more words the help center also writes as its acronym is a term,
        # not a product: "Annual Percentage Yield" is the APY, "Automated Clearing House" the ACH. Not when
        # it ends in a noun products are named by ("Gold Plus Account" is no GPA), and not for two words,
        # whose initials match too much by chance ("Plus Account", PA).
        acronyms = Counter(a.lower() for text in texts for a in _ACRONYM.findall(text))
        endings = Counter(n[-1] for n in candidates)
        product_nouns = {noun for noun, count in endings.items() if count >= PRODUCT_NOUN_NAMES}
        terms = {
            n
            for n in candidates
            if len(n) >= 3
            and n[-1] not in product_nouns
            and acronyms["".join(t[0] for t in n)] >= MIN_MENTIONS
        }
        parts = {n for n in candidates if any(within(n, t) for t in terms)}  # "Percentage Yield"
        names = {n for n in candidates - terms - parts if capitalised[n] >= lower[n]}
        prefixes = Counter(
            tuple(analyze(prefix))
            for t in titles
            if ":" in t and _written_as_name(prefix := t.split(":", 1)[0])
        )
        names |= {p for p, count in prefixes.items() if count >= 2 and 2 <= len(p) <= MAX_NAME_WORDS}
        return cls(frozenset(names), _common_nouns({n[-1] for n in names}, analysed))

    def __len__(self) -> int:
        return len(self.names)

    def spans(self, text: str) -> frozenset[Name]:
        """The names `text` mentions, overlapping ones merged into one span."""
        return self.spans_of_tokens(analyze(text))

    def spans_of_tokens(self, tokens: Sequence[str]) -> frozenset[Name]:
        if not self.names:
            return frozenset()
        covered: list[tuple[int, int]] = []
        for start, token in enumerate(tokens):
            for name in self._by_first.get(token, ()):  # longest first
                end = start + len(name)
                if tuple(tokens[start:end]) == name:
                    covered.append((start, end))
                    break
        merged: list[list[int]] = []
        for start, end in covered:  # in order of start
            if merged and start < merged[-1][1]:  # overlapping, not merely adjacent
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return frozenset(tuple(tokens[start:end]) for start, end in merged)

    def other_products(self, title_spans: frozenset[Name], asked: frozenset[Name]) -> bool:
        """True when a title (or sentence) names products and none of them is one `asked` names.

        It is the same product when its name is within an asked name ("Gold Saver Account" for "the Gold
        Saver Account APY") or one of the two is the other without its final common noun ("Silver Plus
        Account" for "Silver Plus"); "Business Gold Rewards Card" is not the "Gold Rewards Card" asked about.
        """
        if not title_spans or not asked:
            return False
        return not any(self.same_product(t, q) for t in title_spans for q in asked)

    def same_product(self, name: Name, asked: Name) -> bool:
        # A dropped final noun matches only the name without one: "Diamond Elite Card" and "Diamond
        # Elite Account" both have theirs, and are two products. A name that starts the asked span is the
        # product asked about ("Gold Saver Account" in "Gold Saver Account APY"); one after a modifier is
        # a sibling ("Blue Account" in "Light Blue Account", "Gold Rewards Card" in "Business Gold ...").
        return asked[: len(name)] == name or self._core(name) == asked or name == self._core(asked)

    def _core(self, name: Name) -> Name:
        # One noun only: "Gold Years Account" is not the "Gold Account", though "year" is common too.
        return name[:-1] if len(name) > 1 and name[-1] in self.heads else name


def within(inner: Name, outer: Name) -> bool:
    """Whether `inner` occurs in `outer` as consecutive tokens."""
    size = len(inner)
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))


def _lower_case_occurrences(
    phrases: set[Name], analysed: Sequence[tuple[list[str], list[str]]]
) -> Counter[Name]:
    """How often each phrase is written without a capitalised word ("annual fee", "ATM fees"; not "Annual
    Fee") in texts analysed by `analyze_keeping_case`."""
    counts: Counter[Name] = Counter()
    by_first: dict[str, list[Name]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    for tokens, cases in analysed:
        for start, token in enumerate(tokens):
            for phrase in by_first.get(token, ()):
                end = start + len(phrase)
                if tuple(tokens[start:end]) == phrase and "title" not in cases[start:end]:
                    counts[phrase] += 1
    return counts


def _common_nouns(tokens: set[str], analysed: Sequence[tuple[list[str], list[str]]]) -> frozenset[str]:
    """The tokens written in lower case at least as often as capitalised ("account", not "saver")."""
    lower: Counter[str] = Counter()
    title: Counter[str] = Counter()
    for words, cases in analysed:
        for word, case in zip(words, cases, strict=True):
            if word in tokens:
                (lower if case == "lower" else title)[word] += 1
    return frozenset(t for t in tokens if lower[t] >= MIN_MENTIONS and lower[t] >= title[t])


def _written_as_name(text: str) -> bool:
    """Each word capitalised, but a digit or a function word ("Bank of the West", "Pay in 4"): "Gold Plus
    Saver Account", not "Transferring funds to external banks"."""
    words = text.split()
    return bool(words) and all(w[0].isupper() or not w[0].isalpha() or w in STOPWORDS for w in words)
