"""The schema check every start makes: read without Alembic, and Alembic still runs when needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tandem.store import SchemaUpgrade, create_schema, make_engine
from tandem.store.migrate import head, upgrade
from tandem.store.schema_version import HEAD, recorded_revision


def test_head_names_the_newest_migration_script() -> None:
    assert head() == HEAD


def test_the_recorded_revision_is_read_from_the_database(empty_engine: Engine) -> None:
    assert recorded_revision(empty_engine) is None
    create_schema(empty_engine)
    assert recorded_revision(empty_engine) == HEAD
    assert create_schema(empty_engine) == SchemaUpgrade(before=HEAD, after=HEAD)


def test_an_older_database_is_still_migrated(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0005")
    assert recorded_revision(empty_engine) == "0005"
    result = create_schema(empty_engine)
    assert result.before == "0005" and result.after == HEAD


def test_a_current_database_starts_without_loading_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tandem.db'}"
    create_schema(make_engine(url))
    probe = (
        "import sys; from tandem.store import create_schema, make_engine; "
        f"create_schema(make_engine({url!r})); print(any(m.startswith('alembic') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
