"""The names a help center gives its products, so a question about one is not answered from its sibling.

A catalog names its products in families: "Gold Rewards Card" and "Business Gold Rewards Card", "Blue
Account" and "Navy Blue Account", "Gold Plus" and "Gold Plus Saver Account". Bag-of-words retrieval sees
nearly the same words in each, so "What is the annual fee on the Gold Rewards card?" was answered from
the Business Gold Rewards Card's fee article ($200 against $0). The fix is to know the names:

- mined at index time from the articles themselves, as multi-word phrases written capitalised inside
  running text at least `MIN_MENTIONS` times and at least as often as all in lower case (a product
  name; "Annual Fee" is not, it is mostly written "annual fee"), and title prefixes before a colon that
  at least two articles share ("Gold Plus: Investment sweep feature explained");
- found in a text as spans of analysed tokens, where names that overlap merge into one span ("navy
  blue" + "blue account" is "navy blue account", a name of its own);
- compared: an article whose title names products, none of them within a name the question gives, is
  about something else and is discounted (`lexicon.OTHER_PRODUCT_FACTOR`). Titles naming no product
  (general articles, procedures) and questions naming none are left as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tandem.knowledge.bm25_index import analyze, analyze_keeping_case

MIN_MENTIONS = 2
MAX_NAME_WORDS = 5

# Two to five capitalised words after a lower-case word, comma or semicolon: a name in running text, not
# the start of a sentence or a heading.
_CAPITALISED = re.compile(r"(?<=[a-z,;] )((?:[A-Z][\w+&'\u2019-]*\s){1,4}[A-Z][\w+&'\u2019-]*)")

Name = tuple[str, ...]  # analysed tokens


@dataclass(frozen=True, slots=True)
class ProductNames:
    names: frozenset[Name] = frozenset()
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
        candidates = {name for name, count in capitalised.items() if count >= MIN_MENTIONS}
        lower = _lower_case_occurrences(candidates, texts)
        names = {n for n in candidates if capitalised[n] >= lower[n]}
        prefixes = Counter(tuple(analyze(t.split(":", 1)[0])) for t in titles if ":" in t)
        names |= {p for p, count in prefixes.items() if count >= 2 and 2 <= len(p) <= MAX_NAME_WORDS}
        return cls(frozenset(names))

    def __len__(self) -> int:
        return len(self.names)

    def spans(self, text: str) -> frozenset[Name]:
        """The names `text` mentions, overlapping or adjacent ones merged into one span."""
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


def names_other_products(title_spans: frozenset[Name], query_spans: frozenset[Name]) -> bool:
    """True when the title names products and none of them is within a name the query gives.

    Within, not equal: "Gold Saver Account" is what "the Gold Saver Account APY" asks about, while
    "Business Gold Rewards Card" is a different card from the "Gold Rewards Card" asked about.
    """
    if not title_spans or not query_spans:
        return False
    return not any(within(t, q) for t in title_spans for q in query_spans)


def within(inner: Name, outer: Name) -> bool:
    """Whether `inner` occurs in `outer` as consecutive tokens."""
    size = len(inner)
    return any(outer[i : i + size] == inner for i in range(len(outer) - size + 1))


def _lower_case_occurrences(phrases: set[Name], texts: Iterable[str]) -> Counter[Name]:
    """How often each phrase is written without a capitalised word in `texts` ("annual fee", "ATM fees";
    not "Annual Fee")."""
    counts: Counter[Name] = Counter()
    by_first: dict[str, list[Name]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    for text in texts:
        tokens, cases = analyze_keeping_case(text)
        for start, token in enumerate(tokens):
            for phrase in by_first.get(token, ()):
                end = start + len(phrase)
                if tuple(tokens[start:end]) == phrase and "title" not in cases[start:end]:
                    counts[phrase] += 1
    return counts
