"""`run_report` and `run_review` on a real (SQLite) TicketStore: its TicketFacts and AiEvent records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem.contracts import (
    Author,
    ConversationState,
    CsatRecord,
    EscalationReason,
    EscalationRecord,
    MessageRecord,
    Priority,
    Resolution,
    TicketRecord,
    TicketStatusUpdate,
    TranscriptEntry,
)
from tandem.reporting import run_report
from tandem.reporting.review import run_review
from tandem.store import TicketStore, create_schema, make_engine

T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)
NOW = datetime(2025, 3, 20, tzinfo=UTC)
QUESTION = "How do I reset my card PIN?"


@pytest.fixture
def store(tmp_path) -> TicketStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)

    def open_with_messages(ticket_id: str, at: datetime, product: str) -> None:
        store.open_ticket(
            TicketRecord(ticket_id=ticket_id, customer_id="c", product=product, subject="s", opened_at=at)
        )
        for n, author in enumerate((Author.CUSTOMER, Author.AI)):
            entry = TranscriptEntry(
                message_id=f"m{n}", author=author, text="hi", at=at + timedelta(minutes=n)
            )
            store.record_message(MessageRecord(ticket_id=ticket_id, entry=entry))

    def close(ticket_id: str, at: datetime, resolution: Resolution, escalated: bool) -> None:
        store.update_status(
            TicketStatusUpdate(
                ticket_id=ticket_id,
                state=ConversationState.CLOSED,
                priority=Priority.NORMAL,
                escalated=escalated,
                resolution=resolution,
                at=at,
            )
        )

    # A1: the AI alone, 1 h; rated 2; it abstained once.
    open_with_messages("A1", T0, "cards")
    close("A1", T0 + timedelta(hours=1), Resolution.RESOLVED_BY_AI, False)
    store.record_csat(CsatRecord(ticket_id="A1", rating=2, comment="", at=T0 + timedelta(hours=2)))
    store.record_ai_event("A1", "e1", T0 + timedelta(minutes=1), "abstained", QUESTION, "m1")
    # B1: the AI answered, then a person took over for frustration; 5 h.
    b0 = T0 + timedelta(days=1)
    open_with_messages("B1", b0, "loans")
    reasons = [EscalationReason(code="frustration", detail="upset")]
    store.record_escalation(
        EscalationRecord(
            event_id="x1",
            ticket_id="B1",
            at=b0 + timedelta(minutes=2),
            trigger="turn",
            reasons=reasons,
            priority=Priority.HIGH,
        )
    )
    close("B1", b0 + timedelta(hours=5), Resolution.RESOLVED_BY_HUMAN, True)
    return store


def test_run_report_on_the_store(store, tmp_path, capsys) -> None:
    out = tmp_path / "report.html"
    assert run_report(store, None, None, out, now=NOW) == 0
    printed = capsys.readouterr().out
    # Containment: A1 of the 2 closed; escalation: B1 of 2; reasons: frustration once.
    assert "50.0% (1/2)" in printed and "frustration" in printed
    assert "2 tickets: 2 closed" in printed
    assert out.read_text(encoding="utf-8").count("<svg") == 5

    assert run_report(store, T0 + timedelta(hours=12), "loans", None, now=NOW) == 0
    assert "1 ticket: 1 closed" in capsys.readouterr().out


def test_run_review_on_the_store(store, capsys) -> None:
    assert run_review(store) == 0
    printed = capsys.readouterr().out
    assert "Conversations to review (2 of 2)" in printed
    assert "low CSAT 2/5" in printed and f"AI abstained x1: {QUESTION!r}" in printed
    assert "escalated after 1 AI message (frustration)" in printed
    assert f"1 x  {QUESTION}" in printed
