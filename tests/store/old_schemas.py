"""Databases as earlier versions of Tandem left them, for the migration tests: the schema at revision 1,
the oldest articles table, and the rows written into them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
)
from sqlmodel import SQLModel

from tandem.contracts import (
    Author,
    ConversationState,
    CustomerContext,
    EscalationReason,
    HandoffPackage,
    Priority,
    Resolution,
)
from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.store import TicketStore
from tandem.store.mapping import article_row, resolved_row, ticket_key
from tandem.store.types import UTCDateTime

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
NEW_TABLES = {"handoffs", "ai_events", "reviews"}  # revision 0002
ACCESS_TABLES = {"api_keys", "agent_accounts", "audit_events", "idempotency_keys"}  # revision 0005
ANSWER_TABLES = {"approved_answers"}  # revision 0006
BASELINE_TABLES = {
    "tickets",
    "messages",
    "escalation_events",
    "csat_responses",
    "articles",
    "resolved_tickets",
}


def previous_schema() -> tuple[MetaData, dict[str, Table]]:
    """The tables as Tandem created them before migrations (models.py at the last pre-Alembic commit)."""
    meta = MetaData()
    tables = [
        Table(
            "tickets",
            meta,
            Column("ticket_id", String, primary_key=True),
            Column("customer_id", String, nullable=False, index=True),
            Column("product", String),
            Column("subject", String, nullable=False),
            Column("state", String, nullable=False, index=True),
            Column("priority", Integer, nullable=False),
            Column("escalated", Boolean, nullable=False),
            Column("agent", String),
            Column("resolution", String),
            Column("category", String),
            Column("resolution_text", Text),
            Column("opened_at", UTCDateTime(), nullable=False, index=True),
            Column("updated_at", UTCDateTime(), nullable=False),
            Column("closed_at", UTCDateTime()),
            Column("hash_key", BigInteger, nullable=False),
        ),
        Table(
            "messages",
            meta,
            Column("ticket_id", String, primary_key=True),
            Column("message_id", String, primary_key=True),
            Column("seq", BigInteger, nullable=False),
            Column("author", String, nullable=False),
            Column("author_name", String, nullable=False),
            Column("text", Text, nullable=False),
            Column("at", UTCDateTime(), nullable=False),
            Column("confidence", Float),
            Column("sources", Text, nullable=False),
            Index("ix_messages_ticket_order", "ticket_id", "at", "seq"),
        ),
        Table(
            "escalation_events",
            meta,
            Column("ticket_id", String, primary_key=True),
            Column("event_id", String, primary_key=True),
            Column("at", UTCDateTime(), nullable=False),
            Column("trigger", String, nullable=False),
            Column("reasons", Text, nullable=False),
            Column("priority", Integer, nullable=False),
        ),
        Table(
            "csat_responses",
            meta,
            Column("ticket_id", String, primary_key=True),
            Column("rating", Integer, nullable=False),
            Column("comment", Text, nullable=False),
            Column("at", UTCDateTime(), nullable=False),
        ),
        Table(
            "articles",
            meta,
            Column("id", String, primary_key=True),
            Column("title", String, nullable=False),
            Column("body", Text, nullable=False),
            Column("product", String, index=True),
            Column("url", String),
            Column("category", String),
            Column("source", String, index=True),
            Column("content_hash", String, nullable=False),
            Column("hash_key", BigInteger, nullable=False),
            Column("updated_at", UTCDateTime(), nullable=False),
        ),
        Table(
            "resolved_tickets",
            meta,
            Column("ticket_id", String, primary_key=True),
            Column("subject", String, nullable=False),
            Column("body", Text, nullable=False),
            Column("category", String),
            Column("resolution", Text, nullable=False),
            Column("content_hash", String, nullable=False),
            Column("hash_key", BigInteger, nullable=False),
        ),
    ]
    return meta, {table.name: table for table in tables}


# The first schema's articles table: no category, no source (create_all never added them).
OLDEST = MetaData()
OLDEST_ARTICLES = Table(
    "articles",
    OLDEST,
    Column("id", String, primary_key=True),
    Column("title", String, nullable=False),
    Column("body", Text, nullable=False),
    Column("product", String),
    Column("url", String),
    Column("content_hash", String, nullable=False),
    Column("hash_key", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_articles_product", "product"),
)

ARTICLE = Article(id="a1", title="Fees", body="No fee.", product="cards", url="https://help.example/a1")
HISTORY = ResolvedTicket(ticket_id="H-1", subject="Card lost", body="Lost it", resolution="Blocked it")


def old_rows() -> dict[str, list[dict[str, Any]]]:
    """One ticket with a transcript, an escalation and a rating; an article; an imported ticket."""
    reasons = [{"code": "explicit_request", "detail": "asked for a person", "strength": 0.9}]
    return {
        "tickets": [
            {
                "ticket_id": "T-1",
                "customer_id": "c-1",
                "product": "cards",
                "subject": "Fee?",
                "state": ConversationState.CLOSED.value,
                "priority": int(Priority.HIGH),
                "escalated": True,
                "agent": None,
                "resolution": Resolution.RESOLVED_BY_HUMAN.value,
                "category": "fees",
                "resolution_text": "Explained the fee",
                "opened_at": T0,
                "updated_at": T0 + timedelta(minutes=9),
                "closed_at": T0 + timedelta(minutes=9),
                "hash_key": ticket_key("T-1", "fees", "Explained the fee"),
            }
        ],
        "messages": [
            {
                "ticket_id": "T-1",
                "message_id": f"m{n}",
                "seq": n,
                "author": author.value,
                "author_name": "",
                "text": f"text {n}",
                "at": T0 + timedelta(minutes=n),
                "confidence": None,
                "sources": "[]",
            }
            for n, author in enumerate([Author.CUSTOMER, Author.AI, Author.CUSTOMER, Author.AGENT], start=1)
        ],
        "escalation_events": [
            {
                "ticket_id": "T-1",
                "event_id": "e1",
                "at": T0 + timedelta(minutes=3),
                "trigger": "request_human",
                "reasons": json.dumps(reasons),
                "priority": int(Priority.HIGH),
            }
        ],
        "csat_responses": [
            {"ticket_id": "T-1", "rating": 5, "comment": "great", "at": T0 + timedelta(hours=1)}
        ],
        "articles": [article_row(ARTICLE, T0)],
        "resolved_tickets": [resolved_row(HISTORY)],
    }


def schema_shape(engine: Engine) -> dict[str, Any]:
    schema = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in schema.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"])) for i in schema.get_indexes(table)),
            schema.get_pk_constraint(table)["constrained_columns"],
        )
        for table in sorted(schema.get_table_names())
    }


def model_diff(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        opts = {"compare_type": True, "compare_server_default": True}
        return compare_metadata(MigrationContext.configure(conn, opts=opts), SQLModel.metadata)


def assert_old_rows_intact(store: TicketStore) -> None:
    ticket = store.get_ticket("T-1")
    assert ticket is not None
    assert (ticket.state, ticket.resolution, ticket.escalated) == (
        ConversationState.CLOSED,
        Resolution.RESOLVED_BY_HUMAN,
        True,
    )
    assert (ticket.opened_at, ticket.closed_at, ticket.message_count) == (T0, T0 + timedelta(minutes=9), 4)
    assert (ticket.reopen_count, ticket.first_response_at) == (0, None)
    assert [e.message_id for e in store.transcript("T-1")] == ["m1", "m2", "m3", "m4"]
    assert [r.code for e in store.escalations("T-1") for r in e.reasons] == ["explicit_request"]
    assert [(c.rating, c.comment) for c in store.csat("T-1")] == [(5, "great")]
    assert store.list_articles() == [ARTICLE]
    resolved = {t.ticket_id: t for t in store.resolved_tickets()}
    assert resolved["H-1"] == HISTORY and resolved["T-1"].resolution == "Explained the fee"


def assert_new_tables_usable(store: TicketStore) -> None:
    package = HandoffPackage(
        ticket_id="T-1",
        created_at=T0,
        summary="wants a person",
        customer=CustomerContext(customer_id="c-1"),
        category="fees",
        reasons=[EscalationReason(code="explicit_request", detail="asked")],
        customer_messages=["Fee?"],
        ai_answers=[],
        suggested_reply=None,
    )
    assert store.record_handoff("T-1", "h1", package) is True
    assert store.handoffs("T-1") == [package]
    assert store.record_ai_event("T-1", "m2", T0, "abstained", "no source") is True
    assert [e.kind for e in store.ai_events("T-1")] == ["abstained"]
    assert store.record_review("T-1", "r1", T0, "lead", "good", content_gap=True) is True
    assert [r.content_gap for r in store.reviews("T-1")] == [True]
    assert store.mark_reopened("T-1", "reopen-1", T0 + timedelta(days=1)) is True
    assert store.get_ticket("T-1").reopen_count == 1
    facts = store.ticket_facts()
    assert [(f.ticket_id, f.csat_rating, f.escalation_codes) for f in facts] == [
        ("T-1", 5, ["explicit_request"])
    ]
    assert (facts[0].ai_message_count, facts[0].agent_message_count, facts[0].customer_message_count) == (
        1,
        1,
        2,
    )
