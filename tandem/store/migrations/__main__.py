"""Maintainer commands for the ticket store's migrations; no alembic.ini needed.

    python -m tandem.store.migrations revision "add reviews.score"  # autogenerate the next revision
    python -m tandem.store.migrations upgrade --url URL              # what every start does (create_schema)
    python -m tandem.store.migrations current --url URL
    python -m tandem.store.migrations sql --url postgresql://host/db # print upgrade head's SQL, run nothing

`revision` compares models.py with a scratch SQLite database migrated to head and writes what differs
to versions/NNNN_<message>.py: read it, complete it (data moves, server defaults), run ruff format on it.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command

from tandem.store.db import _normalize, create_schema, make_engine
from tandem.store.migrate import alembic_config, current_revision, head


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tandem.store.migrations")
    parser.add_argument("command", choices=["revision", "upgrade", "current", "sql"])
    parser.add_argument("message", nargs="?", default="")
    parser.add_argument("--url", default="", help="database URL (upgrade, current, sql)")
    args = parser.parse_args(argv)

    if args.command == "revision":
        if not args.message:
            parser.error("revision needs a message")
        with tempfile.TemporaryDirectory() as scratch:
            engine = make_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
            try:
                create_schema(engine)
                with engine.connect() as conn:
                    config = alembic_config(conn)
                    command.revision(config, args.message, autogenerate=True, rev_id=f"{int(head()) + 1:04d}")
            finally:
                engine.dispose()
        return

    if not args.url:
        parser.error(f"{args.command} needs --url")
    if args.command == "sql":
        command.upgrade(alembic_config(url=_normalize(args.url)), "head", sql=True)
        return
    engine = make_engine(args.url)
    try:
        if args.command == "upgrade":
            print(create_schema(engine))
        else:
            print(current_revision(engine) or "none")
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
