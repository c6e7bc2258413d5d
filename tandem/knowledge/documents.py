"""Domain records for knowledge: help-center articles and resolved tickets (never cross into workflows)."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.text_hygiene import clean_text


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    body: str
    product: str | None = None
    url: str | None = None
    category: str | None = None
    # Written for agents, not customers (see tandem.knowledge.audience): never quoted in a customer reply.
    internal: bool = False
    # Where it was ingested from (file or folder); re-ingesting that source replaces what it holds.
    source: str | None = None

    def __post_init__(self) -> None:
        # A stray control character in an export (NUL among them) would be refused by PostgreSQL and
        # quoted into replies: articles hold clean text from the moment they are read.
        object.__setattr__(self, "title", clean_text(self.title))
        object.__setattr__(self, "body", clean_text(self.body))


@dataclass(frozen=True, slots=True)
class ResolvedTicket:
    ticket_id: str
    subject: str
    body: str
    resolution: str
    category: str | None = None

    def __post_init__(self) -> None:
        for name in ("subject", "body", "resolution"):
            object.__setattr__(self, name, clean_text(getattr(self, name)))
