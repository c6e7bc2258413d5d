"""Runs every store test against SQLite (tmp_path) and PostgreSQL (one throwaway schema per test; the
`postgres_url` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tandem.store import TicketStore, create_schema, make_engine
from tests.conftest import throwaway_schema


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A database with no tables yet: SQLite in tmp_path, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'store' / 'tandem.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return

    with throwaway_schema(request.getfixturevalue("postgres_url")) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    create_schema(empty_engine)
    return empty_engine


@pytest.fixture
def store(engine: Engine) -> TicketStore:
    return TicketStore(engine)
