"""Domain records for knowledge: help-center articles and resolved tickets (never cross into workflows)."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class ResolvedTicket:
    ticket_id: str
    subject: str
    body: str
    resolution: str
    category: str | None = None
