"""The HTTP API served by uvicorn on a loopback port, in front of a real worker on the dev server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from tandem.access import secrets
from tandem.api.config import ApiSettings
from tandem.api.server import serving
from tandem.client import TandemClient
from tandem.knowledge.ingest import ingest_path
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine
from tandem.store.access import AccessStore
from tests.conftest import HELPCENTER, running_worker

AGENT_PASSWORD = "a long enough password"


@dataclass
class Api:
    url: str
    access: AccessStore
    backend_key: str
    settings: ApiSettings
    tandem: TandemClient

    def client(self, credential: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=60)

    def add_key(self, name: str, scopes: set[str]) -> tuple[str, str]:
        key_id, key = secrets.new_api_key()
        self.access.add_api_key(key_id, name, secrets.key_hash(key), scopes)
        return key_id, key

    def add_agent(self, agent_id: str) -> None:
        self.access.add_agent(agent_id, secrets.password_hash(AGENT_PASSWORD), agent_id.title())


@pytest.fixture(scope="session")
async def api(local_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    """Its own store and worker: tickets the API tests close never become another test's ticket history."""
    data_dir = tmp_path_factory.mktemp("api-data")
    settings = Settings(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'tandem.db'}", knowledge_version_ttl_s=0
    )
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    ingest_path(TicketStore(engine), HELPCENTER, progress=False)
    api_settings = ApiSettings(data_dir=data_dir, api_secret="test-secret-" + "x" * 32)
    async with running_worker(local_env, settings) as tandem, serving(settings, api_settings, tandem) as url:
        access = AccessStore(engine)
        key_id, key = secrets.new_api_key()
        access.add_api_key(key_id, "test backend", secrets.key_hash(key), {"tickets"})
        yield Api(url, access, key, api_settings, tandem)
