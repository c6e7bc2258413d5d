"""Starting a ticket: who the customer is, the conversation's clocks and business hours."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from tandem.contracts.base import AiMode, _Contract
from tandem.text_hygiene import MAX_ID_CHARS, CleanText, IdText

if TYPE_CHECKING:  # defined in a later submodule; resolved in tandem/contracts/__init__.py
    from tandem.contracts.state import CarriedState


class PreviousTicket(_Contract):
    ticket_id: IdText
    subject: CleanText = ""
    resolution: CleanText = ""
    # How it ended, in a few words ("resolved by a person on 2026-11-02", "still open"): filled in when the
    # store supplies the customer's previous tickets (tandem.conversation.previous_tickets).
    outcome: CleanText = ""


class CustomerContext(_Contract):
    customer_id: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    name: CleanText = ""
    tier: CleanText = "standard"
    high_value: bool = False
    product: IdText | None = None
    account_facts: dict[CleanText, CleanText] = Field(default_factory=dict)
    previous_tickets: list[PreviousTicket] = Field(default_factory=list)


class ConversationTimeouts(_Contract):
    """Every timer of the conversation. Defaults come from settings; a ticket may override any of them."""

    pickup: timedelta = timedelta(minutes=5)
    ai_time_limit: timedelta = timedelta(minutes=20)
    ai_turn_limit: int = 8
    inactivity: timedelta = timedelta(minutes=15)
    csat_window: timedelta = timedelta(hours=24)  # after close: the satisfaction survey stays open this long


class BusinessHours(_Contract):
    """When people are at work; the pickup clock only runs then. Parse from settings with
    `tandem.escalation.business_hours.parse_business_hours`."""

    weekdays: list[int] = Field(min_length=1)  # 0 = Monday
    opens: time
    closes: time
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # An unknown zone would fail every workflow task that reads the hours: refuse it where it is set.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)") from None
        return value


class TicketStart(_Contract):
    ticket_id: str = Field(min_length=1, max_length=MAX_ID_CHARS, pattern=r"^[A-Za-z0-9._:-]+$")
    customer: CustomerContext
    subject: CleanText = ""
    # None: the deployment's defaults (settings), filled in by TandemClient when it starts the ticket.
    timeouts: ConversationTimeouts | None = None
    business_hours: BusinessHours | None = None  # None: people are always there (or settings fill it in)
    # Gradual rollout, decided when the ticket starts: "on" (AI answers), "shadow" (AI drafts, people send),
    # "off" (straight to people). None: the deployment's rollout settings decide.
    ai_mode: AiMode | None = None
    # Categories the AI must leave to people (rollout by category, applied once the first message is
    # categorised). None: the deployment's settings decide.
    human_only_categories: list[str] | None = None
    # A simulated conversation (`tandem simulate`): kept out of the report, the review and the similar-ticket
    # history unless asked for.
    simulated: bool = False
    # Set only by continue-as-new: the state the previous run handed over.
    carried: CarriedState | None = None
