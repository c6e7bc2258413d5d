"""Behaviour of TicketStore on SQLite and PostgreSQL (see conftest.py for the backends)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from tandem.contracts import (
    Author,
    ConversationState,
    CsatRecord,
    EscalationReason,
    EscalationRecord,
    MessageRecord,
    Priority,
    Resolution,
    SourceRef,
    TicketRecord,
    TicketStatusUpdate,
    TranscriptEntry,
)
from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.store import TicketStore, UnknownTicketError, UpsertCounts, make_engine

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def open_ticket(store: TicketStore, at: datetime = T0, subject: str = "Refund please") -> str:
    ticket_id = uid("T")
    record = TicketRecord(
        ticket_id=ticket_id, customer_id="c-1", product="billing", subject=subject, opened_at=at
    )
    assert store.open_ticket(record) is True
    return ticket_id


def msg(
    ticket_id: str, message_id: str, at: datetime, text: str = "hi", author: Author = Author.CUSTOMER, **extra
) -> MessageRecord:
    entry = TranscriptEntry(message_id=message_id, author=author, text=text, at=at, **extra)
    return MessageRecord(ticket_id=ticket_id, entry=entry)


def status(ticket_id: str, state: ConversationState, at: datetime, **extra) -> TicketStatusUpdate:
    fields = {"priority": Priority.NORMAL, "escalated": False} | extra
    return TicketStatusUpdate(ticket_id=ticket_id, state=state, at=at, **fields)


def escalation(ticket_id: str, event_id: str, at: datetime = T0) -> EscalationRecord:
    reasons = [EscalationReason(code="explicit_request", detail="asked for a person", strength=0.9)]
    return EscalationRecord(
        event_id=event_id, ticket_id=ticket_id, at=at, trigger="turn", reasons=reasons, priority=Priority.HIGH
    )


# --- engine --------------------------------------------------------------------------------------------


def test_sqlite_engine_creates_folder_and_uses_wal(tmp_path):
    path = tmp_path / "nested" / "dir" / "tandem.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    engine.dispose()
    assert path.exists()


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"])
def test_postgres_urls_use_psycopg3(url):
    engine = make_engine(url)  # no connection is made here
    assert engine.url.drivername == "postgresql+psycopg"
    assert (engine.url.host, engine.url.database) == ("h", "db")


# --- tickets -------------------------------------------------------------------------------------------


def test_open_ticket_is_idempotent(store):
    ticket_id = open_ticket(store)
    again = TicketRecord(ticket_id=ticket_id, customer_id="other", product=None, subject="x", opened_at=T0)
    assert store.open_ticket(again) is False

    ticket = store.get_ticket(ticket_id)
    assert ticket is not None
    assert (ticket.customer_id, ticket.subject, ticket.product) == ("c-1", "Refund please", "billing")
    assert (ticket.state, ticket.priority, ticket.escalated) == (
        ConversationState.AI_ACTIVE,
        Priority.NORMAL,
        False,
    )
    assert ticket.opened_at == T0 and ticket.opened_at.utcoffset() == timedelta(0)
    assert ticket.closed_at is None and ticket.message_count == 0
    assert store.get_ticket(uid("missing")) is None


def test_update_status_sets_fields_and_closed_at(store):
    ticket_id = open_ticket(store)
    taken = T0 + timedelta(minutes=3)
    store.update_status(
        status(
            ticket_id,
            ConversationState.HUMAN_ACTIVE,
            taken,
            agent="ana",
            escalated=True,
            priority=Priority.URGENT,
        )
    )
    ticket = store.get_ticket(ticket_id)
    assert (ticket.state, ticket.agent, ticket.escalated) == (ConversationState.HUMAN_ACTIVE, "ana", True)
    assert (ticket.priority, ticket.updated_at, ticket.closed_at) == (Priority.URGENT, taken, None)

    closed = T0 + timedelta(minutes=9)
    close = status(ticket_id, ConversationState.CLOSED, closed, resolution=Resolution.RESOLVED_BY_HUMAN)
    store.update_status(close)
    store.update_status(close)  # a retried activity
    ticket = store.get_ticket(ticket_id)
    assert ticket.state is ConversationState.CLOSED and ticket.resolution is Resolution.RESOLVED_BY_HUMAN
    assert ticket.closed_at == closed and ticket.closed_at.tzinfo is not None
    assert ticket.agent is None


def test_stale_status_update_does_not_roll_back(store):
    ticket_id = open_ticket(store)
    closed = T0 + timedelta(minutes=10)
    store.update_status(status(ticket_id, ConversationState.CLOSED, closed, resolution=Resolution.ABANDONED))
    store.update_status(
        status(ticket_id, ConversationState.HUMAN_ACTIVE, T0 + timedelta(minutes=5), agent="x")
    )
    ticket = store.get_ticket(ticket_id)
    assert (ticket.state, ticket.agent, ticket.closed_at) == (ConversationState.CLOSED, None, closed)


def test_unknown_ticket_raises(store):
    missing = uid("missing")
    with pytest.raises(UnknownTicketError) as caught:
        store.update_status(status(missing, ConversationState.CLOSED, T0))
    assert caught.value.ticket_id == missing
    with pytest.raises(UnknownTicketError):
        store.set_category(missing, "billing")
    with pytest.raises(UnknownTicketError):
        store.set_resolution_text(missing, "refunded")
    with pytest.raises(UnknownTicketError):
        store.mark_first_response(missing, T0)


def test_list_tickets_newest_first_filtered_with_counts(store):
    old = open_ticket(store, at=T0)
    new = open_ticket(store, at=T0 + timedelta(hours=1))
    mid = open_ticket(store, at=T0 + timedelta(minutes=30))
    store.record_message(msg(mid, "m1", T0 + timedelta(minutes=31)))
    store.record_message(msg(mid, "m2", T0 + timedelta(minutes=32)))
    store.update_status(status(old, ConversationState.CLOSED, T0 + timedelta(hours=2)))

    assert [t.ticket_id for t in store.list_tickets()] == [new, mid, old]
    assert [t.message_count for t in store.list_tickets()] == [0, 2, 0]
    assert [t.ticket_id for t in store.list_tickets(ConversationState.AI_ACTIVE)] == [new, mid]
    assert [t.ticket_id for t in store.list_tickets(ConversationState.CLOSED)] == [old]
    assert [t.ticket_id for t in store.list_tickets(limit=1)] == [new]


# --- transcript and escalations ------------------------------------------------------------------------


def test_same_message_id_twice_is_one_row(store):
    ticket_id = open_ticket(store)
    assert store.record_message(msg(ticket_id, "m1", T0, text="first")) is True
    assert store.record_message(msg(ticket_id, "m1", T0 + timedelta(seconds=5), text="changed")) is False
    assert [(e.message_id, e.text, e.at) for e in store.transcript(ticket_id)] == [("m1", "first", T0)]
    assert store.message_count(ticket_id) == 1


def test_message_ids_are_scoped_per_ticket(store):
    first, second = open_ticket(store), open_ticket(store)
    assert store.record_message(msg(first, "1", T0)) is True
    assert store.record_message(msg(second, "1", T0)) is True
    assert store.message_count(first) == store.message_count(second) == 1


def test_concurrent_duplicate_writers_insert_once(store):
    ticket_id = open_ticket(store)
    record = msg(ticket_id, "dup", T0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: store.record_message(record), range(24)))
    assert results.count(True) == 1
    assert store.message_count(ticket_id) == 1


def test_transcript_order_and_aware_datetimes(store):
    ticket_id = open_ticket(store)
    plus_two = timezone(timedelta(hours=2))
    source = SourceRef(id="kb-1", title="Refunds", url="https://help/refunds", score=0.8, snippet="30 days")
    writes = [
        msg(ticket_id, "late", T0 + timedelta(minutes=2), text="third"),
        msg(ticket_id, "early", T0, text="first"),
        # The next two share one instant; the first is written with a +02:00 offset.
        msg(ticket_id, "zz-tie", (T0 + timedelta(minutes=1)).astimezone(plus_two), text="second-a"),
        msg(
            ticket_id,
            "aa-tie",
            T0 + timedelta(minutes=1),
            text="second-b",
            author=Author.AI,
            author_name="Tandem",
            sources=[source],
        ),
    ]
    for record in writes:
        assert store.record_message(record)

    entries = store.transcript(ticket_id)
    # Time first; equal times keep insertion order, not id order.
    assert [e.message_id for e in entries] == ["early", "zz-tie", "aa-tie", "late"]
    assert all(e.at.utcoffset() == timedelta(0) for e in entries)
    assert entries[1].at == T0 + timedelta(minutes=1)
    assert entries[2].author is Author.AI and entries[2].author_name == "Tandem"
    assert entries[2].sources == [source]


def test_record_escalation_is_idempotent_and_marks_ticket(store):
    ticket_id = open_ticket(store)
    event = escalation(ticket_id, "esc-1", T0 + timedelta(minutes=1))
    assert store.record_escalation(event) is True
    assert store.record_escalation(event) is False
    assert store.escalations(ticket_id) == [event]
    assert store.get_ticket(ticket_id).escalated is True


def test_replayed_escalation_does_not_undo_a_hand_back(store):
    ticket_id = open_ticket(store)
    event = escalation(ticket_id, "esc-1")
    store.record_escalation(event)
    store.update_status(status(ticket_id, ConversationState.AI_ACTIVE, T0 + timedelta(minutes=5)))
    assert store.record_escalation(event) is False
    assert store.get_ticket(ticket_id).escalated is False


# --- knowledge -----------------------------------------------------------------------------------------


def articles(prefix: str) -> list[Article]:
    return [
        Article(
            id=f"{prefix}-1", title="Refunds", body="Within 30 days.", product="billing", url="https://h/1"
        ),
        Article(id=f"{prefix}-2", title="Login", body="Reset your password.", product="app"),
        Article(id=f"{prefix}-3", title="Contact", body="Write to us."),
    ]


def test_upsert_articles_counts_and_version(store):
    prefix = uid("kb")
    empty = store.knowledge_version()
    assert store.upsert_articles(articles(prefix)) == UpsertCounts(added=3, updated=0, unchanged=0)
    loaded = store.knowledge_version()
    assert loaded != empty

    assert store.upsert_articles(articles(prefix)) == UpsertCounts(added=0, updated=0, unchanged=3)
    assert store.knowledge_version() == loaded  # nothing rewritten, nothing changed

    first, second, third = articles(prefix)
    edited = [replace(first, body="Within 60 days."), second, replace(third, url="https://h/3")]
    extra = Article(id=f"{prefix}-4", title="Shipping", body="2-5 days.")
    assert store.upsert_articles([*edited, extra]) == UpsertCounts(added=1, updated=2, unchanged=1)
    changed = store.knowledge_version()
    assert changed != loaded
    assert store.get_articles([first.id, "nope"]) == {first.id: edited[0]}

    assert store.delete_articles([extra.id, "nope"]) == 1
    assert store.knowledge_version() not in {changed, loaded}


def test_list_and_get_articles(store):
    prefix = uid("kb")
    store.upsert_articles(articles(prefix))
    assert [a.id for a in store.list_articles()] == [f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"]
    assert store.list_articles("billing") == [articles(prefix)[0]]
    assert store.get_articles([f"{prefix}-2", f"{prefix}-3"]) == {a.id: a for a in articles(prefix)[1:]}


# --- history -------------------------------------------------------------------------------------------


def history(prefix: str, count: int) -> list[ResolvedTicket]:
    return [
        ResolvedTicket(
            ticket_id=f"{prefix}-{n}",
            subject=f"Issue {n}",
            body=f"It broke {n}",
            resolution=f"Fixed {n}",
            category="tech" if n % 2 else None,
        )
        for n in range(count)
    ]


def test_import_resolved_tickets_is_idempotent(store):
    tickets = history(uid("H"), 3)
    assert store.import_resolved_tickets(tickets) == 3
    version = store.tickets_version()
    assert store.import_resolved_tickets(tickets) == 0
    assert store.tickets_version() == version
    assert sorted(store.resolved_tickets(), key=lambda t: t.ticket_id) == tickets

    corrected = replace(tickets[0], resolution="Fixed properly")
    assert store.import_resolved_tickets([corrected, *tickets[1:]]) == 1
    assert store.tickets_version() != version
    assert corrected in store.resolved_tickets()


def test_resolved_tickets_include_live_closed_tickets(store):
    store.import_resolved_tickets(history(uid("H"), 2))
    live = open_ticket(store, subject="Card charged twice")
    store.record_message(msg(live, "c1", T0 + timedelta(minutes=1), text="I was charged twice"))
    store.record_message(msg(live, "a1", T0 + timedelta(minutes=2), text="Sorry!", author=Author.AI))
    store.record_message(msg(live, "c2", T0 + timedelta(minutes=3), text="on March 1"))
    no_text = open_ticket(store)
    still_open = open_ticket(store)
    store.set_resolution_text(still_open, "not closed yet")
    for ticket_id in (live, no_text):
        store.update_status(status(ticket_id, ConversationState.CLOSED, T0 + timedelta(minutes=9)))

    before = store.tickets_version()
    assert len(store.resolved_tickets()) == 2
    store.set_resolution_text(live, "Refunded the duplicate charge")
    with_text = store.tickets_version()
    assert with_text != before
    store.set_category(live, "billing")
    assert store.tickets_version() != with_text

    resolved = {t.ticket_id: t for t in store.resolved_tickets()}
    assert len(resolved) == 3 and no_text not in resolved and still_open not in resolved
    assert resolved[live] == ResolvedTicket(
        ticket_id=live,
        subject="Card charged twice",
        body="I was charged twice\non March 1",
        resolution="Refunded the duplicate charge",
        category="billing",
    )
    summary = store.get_ticket(live)
    assert (summary.category, summary.resolution_text) == ("billing", "Refunded the duplicate charge")


def test_bulk_import_keeps_every_row(store):
    # Speed is measured in bench/, not here; this checks batching loses nothing.
    tickets = history(uid("H"), 5000)
    assert store.import_resolved_tickets(tickets) == 5000
    assert len(store.resolved_tickets()) == 5000


def test_csat_is_recorded_once_per_ticket(store):
    ticket = open_ticket(store)
    first = CsatRecord(ticket_id=ticket, rating=4, comment="clear", at=T0)
    assert store.record_csat(first) is True
    assert store.record_csat(first.model_copy(update={"rating": 1})) is False  # a retry changes nothing
    assert [(c.rating, c.comment) for c in store.csat(ticket)] == [(4, "clear")]
    assert store.csat(ticket)[0].at == T0
