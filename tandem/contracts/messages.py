"""What people send into a conversation, and the transcript it keeps."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from tandem.contracts.base import Author, Resolution, _Contract
from tandem.text_hygiene import MAX_ID_CHARS, MAX_MESSAGE_CHARS, CleanText, IdText

if TYPE_CHECKING:  # defined in a later submodule; resolved in tandem/contracts/__init__.py
    from tandem.contracts.ai import SourceRef


class CustomerMessage(_Contract):
    # Client-chosen id; the same id sent twice is one message (idempotent retries).
    message_id: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: CleanText
    # Who the sender says they are, when they opened the ticket with this message: a running ticket of
    # another customer refuses it, so knowing a ticket id never lets anyone write into it.
    customer_id: IdText | None = None


class AgentReply(_Contract):
    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: CleanText
    message_id: IdText | None = Field(default=None, max_length=MAX_ID_CHARS)


class TakeOver(_Contract):
    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)


class HandBack(_Contract):
    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    note: CleanText = ""


class HumanRequest(_Contract):
    reason: CleanText = Field(default="customer asked for a person", max_length=MAX_MESSAGE_CHARS)


class CsatResponse(_Contract):
    rating: int = Field(ge=1, le=5)
    comment: CleanText = Field(default="", max_length=MAX_MESSAGE_CHARS)


class CsatRecord(_Contract):
    ticket_id: str
    rating: int
    comment: str
    at: datetime


class ReopenRequest(_Contract):
    message_id: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: CleanText


class CloseRequest(_Contract):
    resolution: Resolution
    by: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    note: CleanText = Field(default="", max_length=MAX_MESSAGE_CHARS)


class TranscriptEntry(_Contract):
    message_id: str
    author: Author
    text: str
    at: datetime
    author_name: str = ""
    sources: list[SourceRef] = Field(default_factory=list)


class PromiseRequest(_Contract):
    """An agent records a follow-up they promised the customer ("I'll call you back tomorrow")."""

    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: CleanText = Field(min_length=1, max_length=500)
    due_at: datetime


class PromiseKept(_Contract):
    agent: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
    promise_id: IdText = Field(min_length=1, max_length=MAX_ID_CHARS)
