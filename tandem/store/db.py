"""Engine construction for SQLite (local default) and PostgreSQL (psycopg 3); the schema and its upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Table, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel

import tandem.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(url: str, *, connect_args: dict[str, Any] | None = None) -> Engine:
    parsed = make_url(_normalize(url))
    args = dict(connect_args or {})
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, connect_args=args, pool_pre_ping=True)

    database = parsed.database or ":memory:"
    in_memory = database == ":memory:" or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # Activities run in worker threads; each thread borrows its own pooled connection.
    args.setdefault("check_same_thread", False)
    args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
    # An in-memory database exists per connection, so every session must share one.
    extra: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
    engine = create_engine(parsed, connect_args=args, **extra)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# Columns added to existing tables since the first schema, in order. There are no migrations yet: a
# database made by an older Tandem gets these with ALTER TABLE ... ADD COLUMN (nullable, so old rows stay
# valid), and the listed indexes. Only ever append here; never rename or drop.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("category", "source"),
}
ADDED_INDEXES: dict[str, tuple[str, ...]] = {
    "articles": ("ix_articles_source",),
}


def create_schema(engine: Engine) -> None:
    """Creates missing tables, then brings tables made by an older schema up to date."""
    SQLModel.metadata.create_all(engine)
    upgrade_schema(engine)


def upgrade_schema(engine: Engine) -> list[str]:
    """Adds the columns and indexes in ADDED_COLUMNS / ADDED_INDEXES that a table lacks.

    Safe to run on every start and from several processes at once; returns what it added.
    """
    added: list[str] = []
    for table_name, column_names in ADDED_COLUMNS.items():
        table = SQLModel.metadata.tables[table_name]
        existing = {column["name"] for column in inspect(engine).get_columns(table_name)}
        for name in column_names:
            if name in existing:
                continue
            column = table.c[name]
            if not column.nullable:
                raise RuntimeError(f"cannot add NOT NULL column {table_name}.{name} to existing rows")
            ddl = _add_column_ddl(engine, table, column)
            try:
                with engine.begin() as conn:
                    conn.execute(text(ddl))
            except OperationalError as exc:  # SQLite has no IF NOT EXISTS here; another process won
                if "duplicate column" not in str(exc.orig).lower():
                    raise
            added.append(f"{table_name}.{name}")
        for index_name in ADDED_INDEXES.get(table_name, ()):
            index = next(index for index in table.indexes if index.name == index_name)
            with engine.begin() as conn:
                conn.execute(CreateIndex(index, if_not_exists=True))
    return added


def _add_column_ddl(engine: Engine, table: Table, column: Column[Any]) -> str:
    preparer = engine.dialect.identifier_preparer
    kind = column.type.compile(dialect=engine.dialect)
    exists = " IF NOT EXISTS" if engine.dialect.name == "postgresql" else ""
    return (
        f"ALTER TABLE {preparer.format_table(table)} "
        f"ADD COLUMN{exists} {preparer.format_column(column)} {kind}"
    )


def _normalize(url: str) -> str:
    """Platforms hand out postgres:// or postgresql:// URLs; route both to psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one writer commits; busy_timeout makes writers queue, not fail.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
