"""Request and response bodies of the HTTP API that are not the conversation's own contracts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tandem.contracts import (
    ConversationState,
    CsatResponse,
    CustomerContext,
    Resolution,
    SupportResponse,
)
from tandem.text_hygiene import MAX_MESSAGE_CHARS, CleanText, IdText


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenTicket(_Body):
    """A backend passes the customer (id, product, account facts); a customer's own token says who they are,
    and they may name a product only."""

    ticket_id: IdText | None = Field(default=None, description="backends only: your own id for the ticket")
    customer: CustomerContext | None = Field(default=None, description="backends only")
    product: IdText | None = Field(default=None, description="customers: the product the question is about")
    subject: CleanText = Field(default="", max_length=300)
    message: CleanText | None = Field(
        default=None, max_length=MAX_MESSAGE_CHARS, description="the first message"
    )


class NewMessage(_Body):
    text: CleanText = Field(max_length=MAX_MESSAGE_CHARS)


class HumanRequestBody(_Body):
    reason: CleanText = Field(default="customer asked for a person", max_length=500)


class Rating(_Body):
    rating: int = Field(ge=1, le=5)
    comment: CleanText = Field(default="", max_length=2000)


class AgentMessage(_Body):
    text: CleanText = Field(max_length=MAX_MESSAGE_CHARS)
    used_draft: bool = Field(
        default=False, description="the reply is the AI's draft (recorded in the audit trail)"
    )


class HandBackBody(_Body):
    note: CleanText = Field(default="", max_length=2000)


class CloseBody(_Body):
    resolution: Resolution = Resolution.RESOLVED_BY_HUMAN
    note: CleanText = Field(default="", max_length=4000, description="how it was resolved")


class OpenedTicket(BaseModel):
    ticket_id: str
    state: ConversationState
    reply: SupportResponse | None = None


class CustomerView(BaseModel):
    """What a customer sees of their ticket: no escalation reasons, scores or internal notes."""

    ticket_id: str
    state: ConversationState
    agent: str | None
    opened_at: datetime
    resolution: Resolution | None
    csat: CsatResponse | None
    reopened: int


class CustomerTicket(BaseModel):
    ticket_id: str
    subject: str
    state: ConversationState
    opened_at: datetime


class Login(_Body):
    agent_id: IdText
    password: str = Field(min_length=1, max_length=200)


class TokenRequest(_Body):
    customer_id: IdText = Field(min_length=1)
    ttl_seconds: int | None = Field(default=None, ge=60, le=86400)


class IssuedToken(BaseModel):
    token: str
    expires_at: datetime
    subject: str


class PromiseBody(_Body):
    text: CleanText = Field(min_length=1, max_length=500, description="what you promised the customer")
    due_at: datetime = Field(description="when it is due; missed, it raises the ticket's priority")


class PromiseForm(_Body):
    """The console's promise form: due a number of hours from now."""

    text: CleanText = Field(min_length=1, max_length=500)
    hours: int = Field(ge=1, le=1440)


class ApproveForm(_Body):
    title: CleanText = Field(min_length=1, max_length=200)
