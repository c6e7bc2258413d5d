"""Enums, error types and the base every contract shares."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict

# Error types of rejected updates, so clients can tell "closed" from "invalid" without parsing text.
REJECTED = "RequestRejected"
TICKET_CLOSED = "TicketClosed"


class ConversationState(StrEnum):
    AI_ACTIVE = "AI_ACTIVE"
    WAITING_FOR_HUMAN = "WAITING_FOR_HUMAN"
    HUMAN_ACTIVE = "HUMAN_ACTIVE"
    CLOSED = "CLOSED"


class AiMode(StrEnum):
    ON = "on"
    SHADOW = "shadow"
    OFF = "off"


class Author(StrEnum):
    CUSTOMER = "customer"
    AI = "ai"
    AGENT = "agent"
    SYSTEM = "system"


class Priority(IntEnum):
    """Queue priority; higher is more urgent. Stored as the Int search attribute `Priority`."""

    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


class Resolution(StrEnum):
    RESOLVED_BY_AI = "resolved_by_ai"
    RESOLVED_BY_HUMAN = "resolved_by_human"
    ABANDONED = "abandoned"
    CLOSED_BY_CUSTOMER = "closed_by_customer"


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")
