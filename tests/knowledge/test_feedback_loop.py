"""The feedback loop: a person's resolution of an escalated ticket becomes similar-ticket knowledge."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tandem.contracts import (
    Author,
    ConversationState,
    MessageRecord,
    Priority,
    Resolution,
    TicketRecord,
    TicketStatusUpdate,
    TranscriptEntry,
)
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.service import KnowledgeService
from tandem.store import TicketStore, create_schema, make_engine

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _ticket(store: TicketStore, ticket_id: str, question: str, state: ConversationState, note: str) -> None:
    store.open_ticket(
        TicketRecord(ticket_id=ticket_id, customer_id="c", product=None, subject="", opened_at=AT)
    )
    entry = TranscriptEntry(message_id=f"{ticket_id}-m1", author=Author.CUSTOMER, text=question, at=AT)
    store.record_message(MessageRecord(ticket_id=ticket_id, entry=entry))
    resolution = Resolution.RESOLVED_BY_HUMAN if state is ConversationState.CLOSED else None
    update = TicketStatusUpdate(
        ticket_id=ticket_id,
        state=state,
        priority=Priority.NORMAL,
        escalated=True,
        resolution=resolution,
        at=AT,
    )
    store.update_status(update)
    store.set_resolution_text(ticket_id, note)


def test_a_human_resolution_is_found_for_the_next_customer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    knowledge = KnowledgeService(store, default_embedder(), tmp_path / "index")
    question = "My pension deposit bounced back from the Zorbank transfer"
    assert not knowledge.similar_tickets(question, None, 3)

    _ticket(
        store,
        "done-1",
        question,
        ConversationState.CLOSED,
        "Re-sent the Zorbank transfer with the IBAN fixed",
    )
    _ticket(
        store, "open-1", "Zorbank transfer bounced twice", ConversationState.HUMAN_ACTIVE, "still looking"
    )

    found = knowledge.similar_tickets("Why did my Zorbank transfer bounce?", None, 3)
    assert [t.ticket_id for t in found] == ["done-1"], "only resolved tickets teach"
    assert "IBAN fixed" in found[0].resolution
