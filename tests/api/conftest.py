"""The HTTP API served by uvicorn on a loopback port, in front of a real worker on the dev server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from tandem.access import secrets
from tandem.api.app import create_app
from tandem.api.config import ApiSettings
from tandem.client import TandemClient
from tandem.settings import Settings
from tandem.store import TicketStore, make_engine
from tandem.store.access import AccessStore

AGENT_PASSWORD = "a long enough password"


@dataclass
class Api:
    url: str
    access: AccessStore
    backend_key: str
    settings: ApiSettings

    def client(self, credential: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=60)

    def add_key(self, name: str, scopes: set[str]) -> tuple[str, str]:
        key_id, key = secrets.new_api_key()
        self.access.add_api_key(key_id, name, secrets.key_hash(key), scopes)
        return key_id, key

    def add_agent(self, agent_id: str) -> None:
        self.access.add_agent(agent_id, secrets.password_hash(AGENT_PASSWORD), agent_id.title())


@asynccontextmanager
async def serving(
    settings: Settings, api_settings: ApiSettings, tandem: TandemClient | None
) -> AsyncIterator[str]:
    """The app on a free loopback port; its base URL."""
    app = create_app(settings, api_settings, tandem)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # start-up failed: raise its error
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
async def api(settings: Settings, store: TicketStore, local_tandem: TandemClient) -> AsyncIterator[Api]:
    api_settings = ApiSettings(data_dir=settings.data_dir, api_secret="test-secret-" + "x" * 32)
    async with serving(settings, api_settings, local_tandem) as url:
        access = AccessStore(make_engine(settings.resolved_database_url))
        key_id, key = secrets.new_api_key()
        access.add_api_key(key_id, "test backend", secrets.key_hash(key), {"tickets"})
        yield Api(url, access, key, api_settings)
