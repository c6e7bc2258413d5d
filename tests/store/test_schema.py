"""create_schema upgrades a database made by the previous schema (there are no migrations yet)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Engine, Index, MetaData, String, Table, Text, inspect

from tandem.knowledge.documents import Article
from tandem.store import SyncCounts, TicketStore, create_schema
from tandem.store.db import upgrade_schema
from tandem.store.mapping import article_row
from tandem.store.types import UTCDateTime

OLD = MetaData()
# The articles table as the first schema made it: no category, no source.
OLD_ARTICLES = Table(
    "articles",
    OLD,
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


def test_an_old_articles_table_gains_the_new_columns_and_keeps_its_rows(empty_engine: Engine) -> None:
    OLD.create_all(empty_engine)
    old = Article(id="a1", title="Fees", body="No fee.", product="cards", url="https://help.example/a1")
    row = article_row(old, datetime(2025, 1, 1, tzinfo=UTC))
    with empty_engine.begin() as conn:
        conn.execute(OLD_ARTICLES.insert().values({k: v for k, v in row.items() if k in OLD_ARTICLES.c}))

    create_schema(empty_engine)

    schema = inspect(empty_engine)
    columns = {c["name"] for c in schema.get_columns("articles")}
    assert {"category", "source"} <= columns
    assert "ix_articles_source" in {i["name"] for i in schema.get_indexes("articles")}
    assert {"tickets", "messages", "resolved_tickets"} <= set(schema.get_table_names())

    store = TicketStore(empty_engine)
    assert store.list_articles() == [old]  # category and source read back as None
    before = store.knowledge_version()
    # the old row is unowned, so the first sync of its file takes it over
    assert store.sync_articles("kb.jsonl", [old]) == SyncCounts(updated=1)
    assert store.get_articles(["a1"])["a1"].source == "kb.jsonl"
    assert store.knowledge_version() != before


def test_upgrading_is_idempotent(empty_engine: Engine) -> None:
    OLD.create_all(empty_engine)
    assert upgrade_schema(empty_engine) == ["articles.category", "articles.source"]
    assert upgrade_schema(empty_engine) == []
    create_schema(empty_engine)  # every start runs it again
    assert upgrade_schema(empty_engine) == []


def test_a_fresh_database_needs_no_upgrade(engine: Engine) -> None:
    assert upgrade_schema(engine) == []
