"""`make run`: Temporal dev server + Web UI, the sample help center, and a worker, on one machine.

The dev server keeps its database under the data folder, so conversations survive a restart.
Ctrl-C stops everything this started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import subprocess
from pathlib import Path

from temporalio.common import SearchAttributeIndexedValueType

from tandem import search_attributes as sa
from tandem.binaries import temporal_cli
from tandem.settings import Settings
from tandem.temporal_client import connect

UI_PORT = 8233
SERVER_START_TIMEOUT_S = 60
_TYPE_NAMES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
}


def dev_server_command(settings: Settings) -> list[str]:
    host, _, port = settings.temporal_address.rpartition(":")
    command = [
        temporal_cli(),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        host or "localhost",
        "--port",
        port,
        "--ui-port",
        str(UI_PORT),
        "--log-level",
        "error",
    ]
    for key in sa.ALL:
        command += ["--search-attribute", f"{key.name}={_TYPE_NAMES[key.indexed_value_type]}"]
    return command


def run_dev_stack(settings: Settings, helpcenter: Path) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / "temporal-server.log"
    with open(log_path, "ab") as log:
        server = subprocess.Popen(dev_server_command(settings), stdout=log, stderr=subprocess.STDOUT)
    try:
        return asyncio.run(_serve(settings, helpcenter, server, log_path))
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(server)
        print("Stopped the worker and the Temporal dev server. Conversations are kept in", settings.data_dir)


async def _serve(settings: Settings, helpcenter: Path, server: subprocess.Popen, log_path: Path) -> int:
    from tandem.api import server as api_server
    from tandem.api.config import ApiSettings
    from tandem.client import TandemClient
    from worker import build_worker

    client = await _wait_for_server(settings, server, log_path)
    _ingest_helpcenter(settings, helpcenter)
    worker = build_worker(client, settings)
    api = ApiSettings(data_dir=settings.data_dir)
    demo = api_server.demo_credentials(settings)
    print(_next_steps(settings, api, demo))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        await api_server.serve(settings, api, TandemClient.from_settings(client, settings), stop)
    return 0


async def _wait_for_server(settings: Settings, server: subprocess.Popen, log_path: Path):
    deadline = asyncio.get_running_loop().time() + SERVER_START_TIMEOUT_S
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the Temporal dev server exited (code {server.returncode}); see {log_path}")
        with contextlib.suppress(Exception):
            return await connect(settings)
        if asyncio.get_running_loop().time() > deadline:
            raise SystemExit(
                f"the Temporal dev server did not start in {SERVER_START_TIMEOUT_S}s; see {log_path}"
            )
        await asyncio.sleep(0.5)


def _ingest_helpcenter(settings: Settings, path: Path) -> None:
    from tandem.knowledge.ingest import ingest_path
    from tandem.store import TicketStore, create_schema, make_engine

    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    print("Help center " + ingest_path(TicketStore(engine), path, progress=False).summary())


def _next_steps(settings: Settings, api, demo) -> str:
    from tandem.access import tokens

    url = f"http://{api.api_host}:{api.api_port}"
    chat_token = tokens.mint(api.signing_secret(), tokens.CUSTOMER, "ada", api.customer_token_ttl).token
    ttl_min = api.customer_token_ttl_seconds // 60
    return f"""
Tandem is running (task queue {settings.task_queue!r}, Temporal at {settings.temporal_address}).

  HTTP API:             {url}/v1  (docs: {url}/docs, OpenAPI: {url}/openapi.json)
  Demo agent login:     {demo.agent_id} / {demo.agent_password}   (POST {url}/v1/agent/login)
  Agent console:        {url}/console   (sign in as {demo.agent_id})
  Customer chat page:   {url}/chat?token={chat_token}
                        (customer "ada", {ttl_min} min; POST /v1/customer-tokens mints more)
  Open a ticket:        KEY={demo.api_key}
                        curl -s {url}/v1/tickets -H "Authorization: Bearer $KEY" \\
                          -H "Content-Type: application/json" \\
                          -d '{{"customer": {{"customer_id": "ada"}}, "message": "How do I order a card?"}}'
  Temporal Web UI:      http://localhost:{UI_PORT}  (filter: `Status`="WAITING_FOR_HUMAN")
  Chat as a customer:   .venv/bin/tandem chat --name Ada --product checking_accounts
  List tickets:         .venv/bin/tandem tickets
  Agent queue:          .venv/bin/tandem agent queue
  Take over as agent:   .venv/bin/tandem agent take TICKET
  Reply / hand back:    .venv/bin/tandem agent reply TICKET "text" | hand-back TICKET | close TICKET

Press Ctrl-C to stop.
"""


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


logging.getLogger("temporalio").setLevel(logging.WARNING)
