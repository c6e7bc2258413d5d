"""What every part of the ticket store shares: the engine, short sessions and dialect-aware inserts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

# Ids per IN list: far below SQLite's and Postgres' parameter limits.
CHUNK = 500


class StoreBase:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._batch = threading.local()  # the connection of this thread's open transaction(), if any

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write in the block on one connection, committed together at its end or not at all: one
        commit for a conversation step's writes instead of one per row. Per thread, so concurrent
        activities each have their own."""
        if getattr(self._batch, "connection", None) is not None:
            yield
            return
        with self._engine.begin() as connection:
            self._batch.connection = connection
            try:
                yield
            finally:
                self._batch.connection = None

    @contextmanager
    def _session(self) -> Iterator[Session]:
        shared: Connection | None = getattr(self._batch, "connection", None)
        if shared is None:
            with Session(self._engine, expire_on_commit=False) as session:
                yield session
            return
        # Inside transaction(): a method's own commit() only flushes; the block commits once at its end.
        with Session(bind=shared, expire_on_commit=False, join_transaction_mode="rollback_only") as session:
            yield session

    def _insert_once(self, model: type[SQLModel], row: dict[str, Any]) -> bool:
        with self._session() as s:
            inserted = s.exec(self._insert_ignore(model, row)).rowcount == 1
            s.commit()
        return inserted

    def _dialect_insert(self, model: type[SQLModel]) -> Any:
        table = table_of(model)
        match self._engine.dialect.name:
            case "postgresql":
                stmt = postgresql.insert(table)
            case "sqlite":
                stmt = sqlite.insert(table)
            case other:
                raise NotImplementedError(f"unsupported database dialect: {other}")
        # SQLAlchemy only keeps an INSERT's rowcount when asked; it tells us whether a row was written.
        return stmt.execution_options(preserve_rowcount=True)

    def _insert_ignore(self, model: type[SQLModel], row: dict[str, Any]) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING: safe even when two writers race on the same key."""
        return self._dialect_insert(model).values(row).on_conflict_do_nothing()

    def _upsert_changed(self, model: type[SQLModel]) -> Any:
        """Insert, or overwrite a row whose content_hash differs; an identical row is left untouched."""
        table = table_of(model)
        stmt = self._dialect_insert(model)
        return stmt.on_conflict_do_update(
            index_elements=list(table.primary_key.columns),
            set_={c.name: stmt.excluded[c.name] for c in table.columns if not c.primary_key},
            where=table.c.content_hash != stmt.excluded.content_hash,
        )

    @staticmethod
    def _insert_many(s: Session, stmt: Any, rows: list[dict[str, Any]]) -> int:
        """Executes a bulk INSERT; RETURNING counts the rows actually written (executemany has no rowcount).

        One compiled statement for all rows: SQLAlchemy batches it into multi-row VALUES per round trip.
        """
        if not rows:
            return 0
        keys = list(stmt.table.primary_key.columns)
        return len(s.exec(stmt.returning(*keys), params=rows).all())


def table_of(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def chunked(rows: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def stamp(value: datetime | None) -> str:
    return value.isoformat() if value else "-"
