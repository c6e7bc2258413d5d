"""What a help center's own text teaches retrieval: its acronyms (glossary.py), product names (names.py),
words (spelling.py: a misspelt question is read as the help center spells it) and how specific each word is
(`Vocabulary`: the responder weighs what a reply covers of a question by it).

The embedded index mines it from the articles it holds. A backend that keeps the articles elsewhere
(Weaviate) asks a `StoreLexicon`, which mines the ticket store's articles, the same ones `tandem ingest`
mirrors into Weaviate, again whenever they change; likewise `StoreTicketSpeller` for the ticket history.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import numpy as np

from tandem.knowledge.bm25_index import analyze
from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.knowledge.glossary import Glossary
from tandem.knowledge.names import Name, ProductNames
from tandem.knowledge.spelling import Speller
from tandem.knowledge.ticket_index import ticket_text

_T = TypeVar("_T")

# An article about a sibling product keeps this share of its score. The named product's own article is
# usually within 0.1-0.2 of its sibling's score; rho_bank recall@10 holds from 0.5 to 0.8.
OTHER_PRODUCT_FACTOR = 0.7
# A short question that names a product is about it: articles whose titles do not name it (general
# articles included) keep this share, so the product's own articles lead. Not for long messages, where
# products are mentioned as context and the procedure that is needed often names none (on rho_bank any
# such factor lowered MRR@10).
NOT_NAMED_FACTOR = 0.9


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """How many of the help center's articles use each analysed word: how specific a word is here."""

    documents: int = 0
    frequency: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def count(cls, texts: Sequence[str]) -> Vocabulary:
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(set(analyze(text)))
        return cls(len(texts), dict(frequency))

    def specificity(self, term: str) -> float:
        """log(1 + N / (1 + df)): a word few articles use says more about what is asked than "account"."""
        return math.log(1 + self.documents / (1 + self.frequency.get(term, 0))) if self.documents else 1.0


@dataclass(frozen=True, slots=True)
class HelpCenterLexicon:
    glossary: Glossary = field(default_factory=Glossary)
    names: ProductNames = field(default_factory=ProductNames)
    speller: Speller = field(default_factory=lambda: Speller(()))
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    # The words of the help center's product lines ("savings_accounts": save, account), which customers
    # write into product names or leave out ("Evergreen checking account" for the "Evergreen Account").
    line_words: frozenset[str] = frozenset()

    @classmethod
    def mine(cls, articles: Sequence[Article]) -> HelpCenterLexicon:
        texts = [f"{a.title}\n{a.body}" for a in articles]
        return cls(
            Glossary.mine(texts),
            ProductNames.mine([a.title for a in articles], [a.body for a in articles]),
            Speller(texts),
            Vocabulary.count(texts),
            frozenset(t for a in articles if a.product for t in analyze(a.product.replace("_", " "))),
        )

    def title_factors(self, titles: Sequence[str], query: str, *, question: bool = False) -> np.ndarray:
        """Per title, the share of its article's score kept for `query` (see `TitleNames.factors`)."""
        return TitleNames(self.names, titles).factors(query, question=question)


class TitleNames:
    """The product names of a fixed list of titles, grouped so a query checks each group once."""

    def __init__(self, names: ProductNames, titles: Sequence[str]) -> None:
        self._names = names
        self._count = len(titles)
        groups: dict[frozenset[Name], list[int]] = {}
        for position, title in enumerate(titles):
            if spans := subject_names(names, title):  # most titles name no product
                groups.setdefault(spans, []).append(position)
        self._groups = {spans: np.asarray(at) for spans, at in groups.items()}

    def factors(self, query: str, *, question: bool = False) -> np.ndarray:
        """Per title: OTHER_PRODUCT_FACTOR when it names only products other than those `query` names;
        for a `question` (a short message, not a long situation) NOT_NAMED_FACTOR when it names none of them;
        else 1. All 1 when the query names no product."""
        asked = self._names.spans(query)
        factors = np.full(self._count, NOT_NAMED_FACTOR if question and asked else 1.0)
        if not asked:
            return factors
        for title_names, positions in self._groups.items():
            if self._names.other_products(title_names, asked):
                factors[positions] = OTHER_PRODUCT_FACTOR
            elif question and any(self._names.same_product(t, a) for t in title_names for a in asked):
                factors[positions] = 1.0
        return factors


def subject_names(names: ProductNames, title: str) -> frozenset[Name]:
    """The products a title is about: those named before its colon when any are ("Gold Account: Gold
    Rewards Card holder benefits" is about the Gold Account), else all it names."""
    subject, colon, _ = title.partition(":")
    return (colon and names.spans(subject)) or names.spans(title)


class _Store(Protocol):
    def knowledge_version(self) -> str: ...

    def list_articles(self) -> list[Article]: ...

    def tickets_version(self) -> str: ...

    def resolved_tickets(self) -> list[ResolvedTicket]: ...


class _Rebuilt(Generic[_T]):
    """A value built from the store, built again when its version changes; thread-safe."""

    def __init__(self, version: Callable[[], str], build: Callable[[], _T], empty: _T) -> None:
        self._version_of = version
        self._build = build
        self._lock = threading.Lock()
        self._version: str | None = None
        self._value = empty

    def __call__(self) -> _T:
        version = self._version_of()
        with self._lock:
            if version != self._version:
                self._value = self._build()
                self._version = version
            return self._value


class StoreLexicon(_Rebuilt[HelpCenterLexicon]):
    """The lexicon of the store's articles, mined again when they change (for backends that do not hold
    the articles themselves)."""

    def __init__(self, store: _Store) -> None:
        super().__init__(
            store.knowledge_version,
            lambda: HelpCenterLexicon.mine(store.list_articles()),
            HelpCenterLexicon(),
        )


class StoreTicketSpeller(_Rebuilt[Speller]):
    """The speller of the store's resolved tickets, built again when the history changes."""

    def __init__(self, store: _Store) -> None:
        super().__init__(
            store.tickets_version,
            lambda: Speller(ticket_text(t) for t in store.resolved_tickets()),
            Speller(()),
        )
