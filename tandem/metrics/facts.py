"""What the metrics read: one record per ticket, the store's `TicketFacts` or anything shaped like it.

The metrics never touch the store. They take any objects with the attributes of `TicketFactsLike`
(duck typing), so tests and one-off analyses can build records by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from tandem.contracts import ConversationState, Resolution


class TicketFactsLike(Protocol):
    """The per-ticket facts the metrics use (read-only attributes)."""

    @property
    def ticket_id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def product(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def state(self) -> ConversationState | str: ...
    @property
    def resolution(self) -> Resolution | str | None: ...
    @property
    def escalated(self) -> bool: ...
    @property
    def opened_at(self) -> datetime: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def first_response_at(self) -> datetime | None: ...
    @property
    def escalated_at(self) -> datetime | None: ...
    @property
    def reopen_count(self) -> int: ...
    @property
    def csat_rating(self) -> int | None: ...
    @property
    def escalation_codes(self) -> list[str]: ...
    @property
    def ai_message_count(self) -> int: ...
    @property
    def agent_message_count(self) -> int: ...
    @property
    def customer_message_count(self) -> int: ...


class SupportPath(StrEnum):
    """Who handled a ticket."""

    AI_ONLY = "ai_only"  # never escalated
    ESCALATED = "escalated"  # the AI answered at least once, then a person took over
    HUMAN_ONLY = "human_only"  # escalated without a single AI message: AI off, shadow mode, taken at once


# Closed without a person and without giving up: what containment counts.
CONTAINED_RESOLUTIONS = frozenset({Resolution.RESOLVED_BY_AI.value, Resolution.CLOSED_BY_CUSTOMER.value})


def value_of(item: Any) -> Any:
    """The plain value of an enum member; anything else unchanged (records may hold enums or strings)."""
    return getattr(item, "value", item)


def as_utc(at: datetime) -> datetime:
    """Naive datetimes are taken to be UTC already (as the store does)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def is_closed(t: TicketFactsLike) -> bool:
    return value_of(t.state) == ConversationState.CLOSED.value


def resolution_of(t: TicketFactsLike) -> str | None:
    return value_of(t.resolution) if t.resolution is not None else None


def is_abandoned(t: TicketFactsLike) -> bool:
    return is_closed(t) and resolution_of(t) == Resolution.ABANDONED.value


def was_escalated(t: TicketFactsLike) -> bool:
    """Escalated at any point of the ticket's life.

    The ticket's `escalated` flag is cleared when a customer reopens it, so a recorded escalation time or
    escalation code counts as well.
    """
    return bool(t.escalated or t.escalated_at is not None or t.escalation_codes)


def is_contained(t: TicketFactsLike) -> bool:
    """Closed, never escalated, and resolved by the AI or closed by the customer."""
    return is_closed(t) and not was_escalated(t) and resolution_of(t) in CONTAINED_RESOLUTIONS


def support_path(t: TicketFactsLike) -> SupportPath:
    if not was_escalated(t):
        return SupportPath.AI_ONLY
    return SupportPath.ESCALATED if t.ai_message_count > 0 else SupportPath.HUMAN_ONLY


def ever_closed(t: TicketFactsLike) -> bool:
    """Closed now, or closed once and reopened since (reopening clears `closed_at`)."""
    return is_closed(t) or t.reopen_count > 0
