"""Engine construction for SQLite (local default) and PostgreSQL (psycopg 3); the schema via migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.pool import StaticPool

import tandem.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from tandem.store.schema_version import HEAD, SchemaUpgrade, recorded_revision

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


def create_schema(engine: Engine) -> SchemaUpgrade:
    """Migrates the database to the newest schema (Alembic `upgrade head`, see tandem.store.migrate).

    An empty database is created from scratch; one made before migrations existed is adopted first.
    Safe to run on every start and from several processes at once. A database already at `HEAD` is
    left as it is without loading Alembic (tandem.store.schema_version).
    """
    if recorded_revision(engine) == HEAD:
        return SchemaUpgrade(before=HEAD, after=HEAD)
    from tandem.store.migrate import upgrade  # Alembic only when there is something to do

    return upgrade(engine)


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
