"""Runs every store test against SQLite (tmp_path) and PostgreSQL (one throwaway schema per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from tandem.store import TicketStore, create_schema, make_engine

DEFAULT_POSTGRES_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def _reachable_postgres() -> tuple[str | None, str]:
    """The first Postgres URL that accepts a connection, or None and why none did."""
    configured = os.environ.get("TANDEM_TEST_POSTGRES_URL")
    errors: list[str] = []
    for url in (configured,) if configured else DEFAULT_POSTGRES_URLS:
        engine = make_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return url, ""
        except OperationalError as exc:
            errors.append(f"{url}: {str(exc.orig).strip().splitlines()[0]}")
        finally:
            engine.dispose()
    return None, "; ".join(errors)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url, why = _reachable_postgres()
    if url is None:
        message = f"PostgreSQL unreachable (set TANDEM_TEST_POSTGRES_URL): {why}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)  # CI promises a database; silently skipping would hide a broken backend
        pytest.skip(message)
    return url


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

    url = request.getfixturevalue("postgres_url")
    schema = f"tandem_test_{uuid.uuid4().hex}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    create_schema(empty_engine)
    return empty_engine


@pytest.fixture
def store(engine: Engine) -> TicketStore:
    return TicketStore(engine)
