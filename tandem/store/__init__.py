"""The ticket store: Tandem's system of record (SQLite locally, PostgreSQL in production)."""

from tandem.store.db import create_schema, make_engine
from tandem.store.records import (
    AiEvent,
    AnswerCandidate,
    ApprovedAnswer,
    ArticleSourceConflict,
    FlaggedArticle,
    Review,
    SourceSummary,
    SyncCounts,
    TicketFacts,
    TicketSummary,
    UnknownAnswerError,
    UnknownArticleError,
    UnknownSourceError,
    UnknownTicketError,
    UpsertCounts,
)
from tandem.store.repository import TicketStore
from tandem.store.schema_version import SchemaUpgrade

__all__ = [
    "AiEvent",
    "AnswerCandidate",
    "ApprovedAnswer",
    "ArticleSourceConflict",
    "FlaggedArticle",
    "Review",
    "SchemaUpgrade",
    "SourceSummary",
    "SyncCounts",
    "TicketFacts",
    "TicketStore",
    "TicketSummary",
    "UnknownAnswerError",
    "UnknownArticleError",
    "UnknownSourceError",
    "UnknownTicketError",
    "UpsertCounts",
    "create_schema",
    "make_engine",
]
