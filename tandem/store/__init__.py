"""The ticket store: Tandem's system of record (SQLite locally, PostgreSQL in production)."""

from tandem.store.db import create_schema, make_engine
from tandem.store.records import (
    ArticleSourceConflict,
    SyncCounts,
    TicketSummary,
    UnknownTicketError,
    UpsertCounts,
)
from tandem.store.repository import TicketStore

__all__ = [
    "ArticleSourceConflict",
    "SyncCounts",
    "TicketStore",
    "TicketSummary",
    "UnknownTicketError",
    "UpsertCounts",
    "create_schema",
    "make_engine",
]
