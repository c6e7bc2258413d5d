"""Ticket-store activities. Every write is keyed by an id the workflow chose, so a retry never duplicates.

A write the database refuses for good (an unknown ticket, a value it cannot store, a broken constraint) is
raised as a non-retryable `STORE_REJECTED` error: retrying it would freeze the conversation forever. A
connection that drops or a database that restarts stays retryable: the write goes through once it is back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError, StatementError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from tandem.contracts import (
    AiEventRecord,
    Author,
    CsatRecord,
    EscalationRecord,
    HandoffPackage,
    MessageRecord,
    StoreBatch,
    TicketRecord,
    TicketStatusUpdate,
)
from tandem.store import TicketStore
from tandem.store.records import UnknownTicketError

STORE_REJECTED = "StoreRejected"
_P = ParamSpec("_P")
_R = TypeVar("_R")
# DataError (a NUL byte, a value out of range), IntegrityError and ProgrammingError are the database saying
# no to this write; other StatementErrors (OperationalError: connection lost) are worth retrying.
_PERMANENT = (UnknownTicketError, ValueError, DataError, IntegrityError, ProgrammingError)


def _permanent_errors_final(write: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(write)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return write(*args, **kwargs)
        except _PERMANENT as err:
            if isinstance(err, StatementError):
                detail = f"{type(err.orig).__name__}: {err.orig}" if err.orig else str(err)
            else:
                detail = f"{type(err).__name__}: {err}"
            raise ApplicationError(detail[:500], type=STORE_REJECTED, non_retryable=True) from err

    return run


class StoreActivities:
    def __init__(self, store: TicketStore) -> None:
        self._store = store

    @activity.defn
    @_permanent_errors_final
    def open_ticket(self, record: TicketRecord) -> None:
        self._store.open_ticket(record)

    def _record_message(self, record: MessageRecord) -> None:
        self._store.record_message(record)
        if record.entry.author in (Author.AI, Author.AGENT):  # resolution-time metrics start here
            self._store.mark_first_response(record.ticket_id, record.entry.at)

    def _record_escalation(self, record: EscalationRecord) -> None:
        self._store.record_escalation(record)

    def _update_status(self, update: TicketStatusUpdate) -> None:
        self._store.update_status(update)
        if update.resolution_note:
            self._store.set_resolution_text(update.ticket_id, update.resolution_note)

    @activity.defn
    @_permanent_errors_final
    def record_csat(self, record: CsatRecord) -> None:
        self._store.record_csat(record)

    def _record_ai_event(self, record: AiEventRecord) -> None:
        if record.kind == "reopened":
            self._store.mark_reopened(ticket_id=record.ticket_id, event_id=record.event_id, at=record.at)
            return
        self._store.record_ai_event(
            record.ticket_id, record.event_id, record.at, record.kind, record.detail, record.message_id
        )

    @activity.defn
    @_permanent_errors_final
    def write(self, batch: StoreBatch) -> None:
        """A conversation step's writes in order, in one transaction (a local activity: no task queue
        round trip). A retry after a failure rewrites the whole batch; every row is keyed, so none doubles."""
        with self._store.transaction():
            self._write_each(batch)

    def _write_each(self, batch: StoreBatch) -> None:
        for record in batch.writes:
            if isinstance(record, MessageRecord):
                self._record_message(record)
            elif isinstance(record, EscalationRecord):
                self._record_escalation(record)
            elif isinstance(record, AiEventRecord):
                self._record_ai_event(record)
            else:
                self._update_status(record)

    @activity.defn
    @_permanent_errors_final
    def record_handoff(self, package: HandoffPackage) -> None:
        handoff_id = f"{package.ticket_id}:handoff:{package.created_at.isoformat()}"
        self._store.record_handoff(package.ticket_id, handoff_id, package)
