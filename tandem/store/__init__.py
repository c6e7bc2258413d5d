"""The ticket store: Tandem's system of record (SQLite locally, PostgreSQL in production)."""

from tandem.store.db import create_schema, make_engine
from tandem.store.migrate import SchemaUpgrade
from tandem.store.records import (
    AiEvent,
    ArticleSourceConflict,
    FlaggedArticle,
    Review,
    SourceSummary,
    SyncCounts,
    TicketFacts,
    TicketSummary,
    UnknownArticleError,
    UnknownSourceError,
    UnknownTicketError,
    UpsertCounts,
)
from tandem.store.repository import TicketStore

__all__ = [
    "AiEvent",
    "ArticleSourceConflict",
    "FlaggedArticle",
    "Review",
    "SchemaUpgrade",
    "SourceSummary",
    "SyncCounts",
    "TicketFacts",
    "TicketStore",
    "TicketSummary",
    "UnknownArticleError",
    "UnknownSourceError",
    "UnknownTicketError",
    "UpsertCounts",
    "create_schema",
    "make_engine",
]
