"""Which schema revision a database records, read without Alembic.

Every process that opens the store checks its schema at start (`create_schema`); almost always it is current.
Alembic (about 11 MB of modules per process) is imported only when it is not: a worker and its activity
processes start faster and hold less. `HEAD` must name the newest script in `tandem/store/migrations`
(tests/store/test_schema_version.py checks it against Alembic's own reading).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, inspect, text

HEAD = "0006"
VERSION_TABLE = "alembic_version"


@dataclass(frozen=True, slots=True)
class SchemaUpgrade:
    before: str | None  # the revision found; None for an empty or a pre-migration database
    after: str
    adopted: bool = False  # a pre-migration database was stamped at the baseline first
    added_columns: tuple[str, ...] = ()  # "table.column" added while adopting it

    @property
    def changed(self) -> bool:
        return self.before != self.after


def recorded_revision(engine: Engine) -> str | None:
    """The revision in the database's version table; None when it has none (empty or pre-migration)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return rows[0] if len(rows) == 1 else None  # several heads: leave it to Alembic
