"""Serving the API: uvicorn in the caller's event loop (`make run` runs it beside the worker), and the demo
credentials `make run` prints so a new user can try the API at once."""

from __future__ import annotations

import asyncio
import secrets as random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn

from tandem.access import secrets
from tandem.api.app import create_app
from tandem.api.config import ApiSettings
from tandem.api.routes_events import stop_streams
from tandem.client import TandemClient
from tandem.settings import Settings
from tandem.store import create_schema, make_engine
from tandem.store.access import AccessStore

DEMO_AGENT = "demo-agent"
# Event streams (the API's and the pages') are told to end on shutdown; any other response still running
# after this long is cut.
SHUTDOWN_GRACE_S = 3


@dataclass(frozen=True)
class DemoCredentials:
    agent_id: str
    agent_password: str
    api_key: str


async def serve(settings: Settings, api: ApiSettings, tandem: TandemClient, stop: asyncio.Event) -> None:
    app = create_app(settings, api, tandem)
    config = uvicorn.Config(
        app,
        host=api.api_host,
        port=api.api_port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stop_streams(app)
    server.should_exit = True
    await task


@asynccontextmanager
async def serving(
    settings: Settings, api_settings: ApiSettings, tandem: TandemClient | None
) -> AsyncIterator[str]:
    """The app on a free loopback port until the block ends; its base URL. For tests and
    benchmarks."""
    app = create_app(settings, api_settings, tandem)
    config = uvicorn.Config(
        app, "127.0.0.1", 0, log_level="warning", lifespan="on", timeout_graceful_shutdown=SHUTDOWN_GRACE_S
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # start-up failed: raise its error
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_streams(app)
        server.should_exit = True
        await task


def demo_credentials(settings: Settings) -> DemoCredentials:
    """A demo agent and a demo backend key, made on first use and kept (readable by this user only) in the
    data folder, so every `make run` prints the same ones."""
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    access = AccessStore(engine)
    password = secrets.kept(settings.data_dir / "demo-agent-password", lambda: random.token_urlsafe(12))
    if access.agent_login(DEMO_AGENT) is None:
        access.add_agent(DEMO_AGENT, secrets.password_hash(password), "Demo Agent")

    def new_key() -> str:
        key_id, key = secrets.new_api_key()
        access.add_api_key(key_id, "demo backend (make run)", secrets.key_hash(key), {"tickets", "operator"})
        return key

    key = secrets.kept(settings.data_dir / "demo-api-key", new_key)
    return DemoCredentials(DEMO_AGENT, password, key)
