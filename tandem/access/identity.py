"""Who is calling, as the gateway established it from their credentials (never from a request field)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    BACKEND = "backend"  # a company's backend, with an API key
    CUSTOMER = "customer"  # one customer, with a token a backend minted
    AGENT = "agent"  # a person on the support team


class Scope(StrEnum):
    TICKETS = "tickets"  # open tickets and act for any customer; mint customer tokens
    OPERATOR = "operator"  # reports, reviews, help-center sources, keys


@dataclass(frozen=True, slots=True)
class Caller:
    kind: Kind
    subject: str  # the key id, the customer id, the agent id
    scopes: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        """One string per caller: rate limits and idempotency keys are kept per caller."""
        return f"{self.kind.value}:{self.subject}"

    def may(self, scope: Scope) -> bool:
        return scope.value in self.scopes
