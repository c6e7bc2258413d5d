"""Schema migrations: Alembic configured in code, its scripts shipped in `tandem/store/migrations`.

`upgrade` runs on one connection, in one transaction, under a lock (a PostgreSQL advisory lock, or
SQLite's write lock), so several processes may start at once: the first migrates, the others wait and
then find nothing to do. On PostgreSQL the connection's search_path decides which schema is migrated.

A database made before migrations existed has Tandem's tables but no `alembic_version`. It is adopted:
the columns older versions added at startup are added if missing, then revision 0001 (whose tables and
indexes are all IF NOT EXISTS) creates whatever that version lacked and records the database as 0001;
the later revisions follow as usual. Rows are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Engine, String, func, inspect, select

from tandem.store.schema_version import VERSION_TABLE, SchemaUpgrade

__all__ = ["SchemaUpgrade", "alembic_config", "current_revision", "head", "upgrade"]

SCRIPT_LOCATION = "tandem.store:migrations"
BASELINE = "0001"
# The tables revision 0001 creates: any of them without a version table marks a pre-migration database.
BASELINE_TABLES = frozenset(
    {"tickets", "messages", "escalation_events", "csat_responses", "articles", "resolved_tickets"}
)
# Columns the pre-migration startup added to existing tables (ALTER TABLE ADD COLUMN). Frozen.
LEGACY_COLUMNS: dict[str, tuple[str, ...]] = {"articles": ("category", "source")}
# pg_advisory_xact_lock key that serialises schema upgrades ("tandem:s" as a 64-bit integer).
SCHEMA_LOCK_KEY = int.from_bytes(b"tandem:s", "big")


def alembic_config(connection: Connection | None = None, *, url: str | None = None) -> Config:
    """An Alembic config for the shipped scripts; migrations run on `connection` (or open `url`)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current_revision(bind: Engine | Connection) -> str | None:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current_revision(conn)
    return MigrationContext.configure(bind).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> SchemaUpgrade:
    """Brings the database to `revision` (adopting a pre-migration database first); idempotent."""
    with _locked(engine) as conn:
        config = alembic_config(conn)
        before = current_revision(conn)
        adopted, added = False, ()
        if before is None and _is_pre_migration(conn):
            added = add_legacy_columns(conn)
            command.upgrade(config, BASELINE)
            adopted = True
        command.upgrade(config, revision)
        after = current_revision(conn)
    assert after is not None
    return SchemaUpgrade(before=before, after=after, adopted=adopted, added_columns=added)


def add_legacy_columns(conn: Connection) -> tuple[str, ...]:
    """Adds the LEGACY_COLUMNS an old table lacks (nullable, so old rows stay valid)."""
    added: list[str] = []
    ops = Operations(MigrationContext.configure(conn))
    schema = inspect(conn)
    for table, names in LEGACY_COLUMNS.items():
        if not schema.has_table(table):
            continue  # revision 0001 creates it whole
        existing = {column["name"] for column in schema.get_columns(table)}
        for name in names:
            if name not in existing:
                ops.add_column(table, Column(name, String(), nullable=True))
                added.append(f"{table}.{name}")
    return tuple(added)


def _is_pre_migration(conn: Connection) -> bool:
    tables = set(inspect(conn).get_table_names())
    return VERSION_TABLE not in tables and bool(tables & BASELINE_TABLES)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the schema lock; committed when the block succeeds."""
    with engine.connect() as conn:
        match conn.dialect.name:
            case "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
            case "sqlite":
                # pysqlite opens transactions only before DML; take the write lock (waiting up to
                # busy_timeout) so the DDL, the version row and the check before them are one transaction.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            case other:
                raise NotImplementedError(f"unsupported database dialect: {other}")
        yield conn
        conn.commit()
