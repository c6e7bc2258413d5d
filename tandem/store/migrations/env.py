"""Alembic environment of the ticket store, configured in code (there is no alembic.ini).

`tandem.store.migrate` passes an open connection in `config.attributes["connection"]`: the migrations run
inside that connection's transaction, under its lock, in its search_path. Without one (offline `--sql`
mode, or a script run by hand) `sqlalchemy.url` names the database.
"""

from typing import Any

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import tandem.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from tandem.store.types import UTCDateTime

config = context.config


def render_item(kind: str, obj: Any, _context: Any) -> str | bool:
    """Generated revisions spell the store's column types in plain SQLAlchemy, so they never import Tandem."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    return False


# Batch operations keep generated revisions portable to SQLite, which cannot ALTER most things in place.
OPTIONS: dict[str, Any] = {
    "target_metadata": SQLModel.metadata,
    "compare_type": True,
    "render_as_batch": True,
    "render_item": render_item,
}


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return

    from tandem.store.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
