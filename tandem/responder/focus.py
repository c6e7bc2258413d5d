"""What a customer message is about, decided before anything is retrieved.

A help center describes families of products whose answers differ ("Blue Account" and "Navy Blue Account"
charge different fees), and customers rarely repeat the product in every message. In order of precedence:

1. the products the message itself names;
2. else those the latest earlier customer message of the conversation named ("I have the Navy Blue business
   checking account." then "how much is an outgoing wire?");
3. else those the customer's account facts name (a CRM's `{"card": "Platinum Rewards Card"}`);
4. else only the ticket's product line (`CustomerContext.product`), which retrieval filters on.

Names are the help center's own (tandem.knowledge.names), so "my card" is no name while "the EcoCard" is.
A capitalised product-like name the help center does not know ("Titanium Rewards Card": capitalised words
ending in a noun that ends several of the catalogue's names, such as "Card") is reported as `unknown_name`:
answering it from another product's article would be wrong.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from tandem.contracts import CustomerContext, Focus
from tandem.knowledge.bm25_index import analyze
from tandem.knowledge.names import Name, ProductNames

if TYPE_CHECKING:
    from tandem.knowledge.lexicon import Vocabulary

# A head noun names products when at least this many of the help center's names end in it.
PRODUCT_HEAD_NAMES = 2
_SENTENCE_OPENERS = frozenset(
    {"what", "how", "when", "where", "which", "who", "why", "whats", "does", "do", "did", "is", "are", "can"}
    | {"could", "will", "would", "should", "please", "hi", "hello", "hey", "thanks", "my", "our", "your"}
)
_WORD = re.compile(r"[\w'+&\u2019-]+")
# Two to five capitalised words: a name as customers write one ("Titanium Rewards Card").
_CAPITALISED_RUN = re.compile(r"\b(?:[A-Z][\w'+&\u2019-]*\s+){1,4}[A-Z][\w'+&\u2019-]*")
# An acronym and the word after it: "a custodial UTMA account", "an HSA card".
_ACRONYM_BEFORE = re.compile(r"\b([A-Z]{2,6})s?\s+([A-Za-z]+)")


def decide_focus(
    message: str,
    earlier_messages: Sequence[str],
    customer: CustomerContext,
    names: ProductNames,
    line_words: frozenset[str] = frozenset(),
    vocabulary: Vocabulary | None = None,
) -> Focus:
    """The focus of `message`; `earlier_messages` are the conversation's earlier customer messages, oldest
    first; `line_words`: the words of the help center's product lines (used when the ticket has none);
    `vocabulary`: the help center's words (an acronym it never uses names no product of it)."""
    product = customer.product
    # The line's own words but the nouns names end in: "Gold savings account" is the "Gold Account".
    words = frozenset(analyze(product.replace("_", " "))) if product else line_words
    line = words - product_heads(names)
    named = named_in(message, names) or named_in(message, names, line)
    unknown = unknown_name(message, names, words, vocabulary)
    if named or unknown:
        return Focus(names=named, source="message", product=product, unknown_name=unknown)
    for earlier in reversed(earlier_messages):
        if named := named_in(earlier, names) or named_in(earlier, names, line):
            return Focus(names=named, source="history", product=product)
    from_account = [
        name
        for value in customer.account_facts.values()
        for name in (named_in(value, names) or named_in(value, names, line))
    ]
    if from_account:
        return Focus(names=_unique(from_account), source="account", product=product)
    return Focus(product=product)


def named_in(text: str, names: ProductNames, optional: frozenset[str] = frozenset()) -> list[str]:
    """The product names `text` mentions, as written there, in order of appearance (a name's words written
    next to each other: stopwords between them make it no name). `optional`: words a name may be written
    with or without (a product line's own, "Gold savings account" for the "Gold Account" of savings)."""
    words = [(m.start(), m.end(), analyze(m.group(0))) for m in _WORD.finditer(text)]
    tokens: list[tuple[str, int, int]] = [(t, s, e) for s, e, ts in words for t in ts]
    kept = [(t, s, e) for t, s, e in tokens if t not in optional] if optional else tokens
    spans = names.spans_of_tokens([t for t, _, _ in kept])
    if not spans:
        return []
    found: list[tuple[int, str]] = []
    for span in spans:
        at = _find(span, [t for t, _, _ in kept])
        if at is None:
            continue
        start, end = kept[at][1], kept[at + len(span) - 1][2]
        if text[start:end].count("(") > text[start:end].count(")") and text[end : end + 1] == ")":
            end += 1  # "Green Account (checking)" keeps its bracket
        written = text[start:end]
        # "fee back on my card" is no "Cash Back Card": a name is written without words left out between.
        between = [w for w in _WORD.findall(written) if not (analyze(w) and set(analyze(w)) <= optional)]
        if len(between) > len(span):
            continue
        if len(between) < len(_WORD.findall(written)):
            # Found without the line's own words: kept as the help center names it ("Silver savings
            # account" is the "Silver account"), so that every later reading finds the same product.
            written = " ".join(between)
        found.append((start, written))
    return _unique([written for _, written in sorted(found)])


def unknown_name(
    text: str,
    names: ProductNames,
    line: frozenset[str] = frozenset(),
    vocabulary: Vocabulary | None = None,
) -> str | None:
    """A capitalised run ending in a catalogue head noun ("Card", "Account") that names no known product, or
    two or more capitalised words written before the product line's words ("Slate Blue business checking",
    as customers name a product without its noun), or an acronym the help center never uses written before
    them ("a custodial UTMA account")."""
    heads = product_heads(names)
    if not heads:
        return None
    if vocabulary is not None:
        for match in _ACRONYM_BEFORE.finditer(text):
            acronym, after = analyze(match.group(1)), analyze(match.group(2))
            if acronym and after and after[0] in line | heads and not vocabulary.frequency.get(acronym[0]):
                return match.group(1)
    in_line = ProductMatch(names, line)
    for match in _CAPITALISED_RUN.finditer(text):
        after = analyze(" ".join(text[match.end() :].split()[:1]))
        words = match.group(0).split()
        # A sentence's first word is capitalised anyway: "Does Platinum Plus ..." starts at "Platinum"; a
        # name may open a message too ("Titanium Rewards Card annual fee?").
        opens = match.start() == 0 or text[: match.start()].rstrip().endswith((".", "!", "?"))
        if opens and (not analyze(words[0]) or words[0].lower() in _SENTENCE_OPENERS):
            words = words[1:]
        tokens = tuple(t for w in words for t in analyze(w))
        before_line = len(words) >= 2 and bool(after) and after[0] in line | heads
        if len(tokens) < 2 or (tokens[-1] not in heads and not before_line):
            continue
        if tokens[-1] not in heads:
            # "Dark Green account" is the "Dark Green Account", "Silver Zoom card" the "Silver Zoom Card":
            # known when a name the help center uses is written with these words, or with the same words
            # but the line's own ("Business Bronze Saver account" among the business savings accounts).
            if not any(
                _find(tokens, list(name)) is not None or in_line.same(tokens, name) for name in names.names
            ):
                return " ".join(words)
            continue
        # Known when the run is (within) a name the help center uses; "Titanium Rewards Card" is not the
        # "Rewards Card" inside it.
        if not any(in_line.same(tokens, span) for span in names.spans_of_tokens(tokens)):
            return " ".join(words)
    return None


@lru_cache(maxsize=16)  # one catalogue per help center; asked on every turn
def product_heads(names: ProductNames) -> frozenset[str]:
    """The nouns the catalogue's names mostly end in ("Account", "Card"): at least two names end in one, and a
    quarter as many as in the commonest ("Customer Support" or "Security Code" is no product)."""
    endings = Counter(name[-1] for name in names.names if name[-1] in names.heads)
    most = max(endings.values(), default=0)
    return frozenset(head for head, n in endings.items() if n >= PRODUCT_HEAD_NAMES and n * 4 >= most)


def _find(span: Name, tokens: list[str]) -> int | None:
    size = len(span)
    for i in range(len(tokens) - size + 1):
        if tuple(tokens[i : i + size]) == span:
            return i
    return None


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """Whether two product names are one product, within a ticket's product line.

    A help center writes the product line into some names and not others ("Platinum Savings Account" and
    "Platinum Account" among the savings accounts): within the line, names that differ only by the line's
    own words are the same product. Siblings stay apart ("Platinum Plus Account" is not the "Platinum
    Account"; see `ProductNames.same_product`).
    """

    names: ProductNames
    line: frozenset[str] = frozenset()  # analysed words of the product line ("savings_accounts")

    @classmethod
    def for_line(cls, names: ProductNames, product: str | None) -> ProductMatch:
        return cls(names, frozenset(analyze(product.replace("_", " "))) if product else frozenset())

    def same(self, name: Name, asked: Name) -> bool:
        if self.names.same_product(name, asked):
            return True
        core, asked_core = (tuple(t for t in n if t not in self.line) for n in (name, asked))
        return bool(core) and core == asked_core

    def other_products(self, spans: frozenset[Name], asked: frozenset[Name]) -> bool:
        """True when `spans` name products and none of them is one `asked` names."""
        return bool(spans) and bool(asked) and not any(self.same(s, a) for s in spans for a in asked)
