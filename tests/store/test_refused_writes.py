"""A write the database refuses for good is a non-retryable activity error, on SQLite and PostgreSQL alike:
retried forever it would freeze the conversation (PostgreSQL refuses a NUL byte that SQLite stores)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError

from activities.store import STORE_REJECTED, StoreActivities
from tandem.contracts import (
    Author,
    ConversationState,
    MessageRecord,
    Priority,
    StoreBatch,
    TicketRecord,
    TicketStatusUpdate,
    TranscriptEntry,
)
from tandem.store import TicketStore

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _message(ticket_id: str, text: str) -> MessageRecord:
    # Built without validation, as a payload from elsewhere could arrive: the contracts would clean it.
    entry = TranscriptEntry.model_construct(
        message_id="m-1", author=Author.CUSTOMER, text=text, at=AT, author_name="", sources=[]
    )
    return MessageRecord.model_construct(ticket_id=ticket_id, entry=entry, confidence=None)


def _closing_unknown_ticket() -> TicketStatusUpdate:
    return TicketStatusUpdate(
        ticket_id="nope",
        state=ConversationState.CLOSED,
        priority=Priority.NORMAL,
        escalated=False,
        agent=None,
        resolution=None,
        at=AT,
    )


def test_a_value_the_database_cannot_store_is_refused_for_good(store: TicketStore, engine: Engine) -> None:
    activities = StoreActivities(store)
    activities.open_ticket(
        TicketRecord(ticket_id="T-1", customer_id="c-1", product=None, subject="", opened_at=AT)
    )
    if engine.dialect.name == "postgresql":
        with pytest.raises(ApplicationError) as refused:
            activities.write(StoreBatch(writes=[_message("T-1", "bad\x00byte")]))
        assert refused.value.non_retryable and refused.value.type == STORE_REJECTED
        assert "NUL" in str(refused.value) or "0x00" in str(refused.value)
        assert store.message_count("T-1") == 0
    else:
        activities.write(StoreBatch(writes=[_message("T-1", "bad\x00byte")]))
        assert store.message_count("T-1") == 1
    activities.write(StoreBatch(writes=[_message("T-1", "fine")]))  # the store is still usable afterwards


def test_an_unknown_ticket_is_refused_for_good(store: TicketStore) -> None:
    with pytest.raises(ApplicationError) as refused:
        StoreActivities(store).write(StoreBatch(writes=[_closing_unknown_ticket()]))
    assert refused.value.non_retryable and refused.value.type == STORE_REJECTED


def test_a_batch_is_written_whole_or_not_at_all(store: TicketStore) -> None:
    """A step's writes are one transaction: a refused write leaves none of its batch behind, so a retry or the
    hand-over to a person starts from a store that agrees with the conversation."""
    activities = StoreActivities(store)
    activities.open_ticket(
        TicketRecord(ticket_id="T-2", customer_id="c-2", product=None, subject="", opened_at=AT)
    )
    with pytest.raises(ApplicationError):
        activities.write(StoreBatch(writes=[_message("T-2", "first"), _closing_unknown_ticket()]))
    assert store.message_count("T-2") == 0
    reply = _message("T-2", "second").model_copy(
        update={"entry": _message("T-2", "second").entry.model_copy(update={"message_id": "m-2"})}
    )
    activities.write(StoreBatch(writes=[_message("T-2", "first"), reply]))
    assert [e.text for e in store.transcript("T-2")] == ["first", "second"]
