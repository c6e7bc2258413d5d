"""The HTTP layer's cost: the message endpoint against the same client call in-process, and how soon the
live event stream delivers a reply. Prints JSON (results: bench/results/api.json).

    .venv/bin/python bench/api.py [--messages 200] [--concurrency 8] [--database-url URL] [--out FILE]

A dev server, the worker (`worker.py`) and the API (`tandem api`) each run in their own process; this one
only sends. Each message goes through `POST /v1/tickets/{id}/messages` with an API key and an
Idempotency-Key; the API reports the conversation's own time in its `Server-Timing` header, so the HTTP
layer's overhead (the loopback round trip, parsing, authentication, ownership, idempotency records,
serialising) is each request's round trip minus that, per request. The same messages sent through
TandemClient from this process give the in-process client's figures beside them. The stream's delay is from
the reply's HTTP response to its event on `GET /v1/tickets/{id}/events`. `app_only` is the API's own cost
with nothing else on the machine's cores: the app called in this process (no socket) with a conversation
client that answers at once, so only routing, authentication, idempotency records and serialising count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from harness import ROOT, conversations, filled_store, report, start_worker
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tandem import search_attributes as sa
from tandem.access import secrets
from tandem.api.app import create_app
from tandem.api.config import ApiSettings
from tandem.binaries import temporal_cli
from tandem.client import TandemClient
from tandem.contracts import Author, ConversationState, CustomerContext, SupportResponse, TicketStart
from tandem.evaluation.metrics import percentile
from tandem.settings import Settings
from tandem.store import make_engine
from tandem.store.access import AccessStore

API_PORT = 8766


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report(asyncio.run(_bench(args.messages, args.concurrency, args.database_url)), args.out)


async def _bench(messages: int, concurrency: int, database_url: str | None) -> dict[str, object]:
    questions = [q for conv in conversations(messages, 1) for q in conv]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            database_url=database_url or f"sqlite:///{tmp}/tandem.db",
            task_queue=f"api-{uuid.uuid4().hex[:6]}",
        )
        filled_store(settings)
        access = AccessStore(make_engine(settings.resolved_database_url))
        key_id, key = secrets.new_api_key()
        access.add_api_key(key_id, "bench", secrets.key_hash(key), {"tickets"})
        async with await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli(),
            search_attributes=list(sa.ALL),
            data_converter=pydantic_data_converter,
            dev_server_log_level="error",
        ) as env:
            address = env.client.service_client.config.target_host
            worker = start_worker(settings, address)
            api = _start_api(settings, address)
            try:
                client = TandemClient.from_settings(env.client, settings)
                url = f"http://127.0.0.1:{API_PORT}"
                async with httpx.AsyncClient(
                    base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120
                ) as http:
                    await _ready(http)
                    await client.send_message(  # the worker has started: it answers
                        "warm-up",
                        "hello",
                        start=TicketStart(ticket_id="warm-up", customer=CustomerContext(customer_id="b")),
                    )
                    in_process = await _in_process(client, questions, concurrency)
                    through_http = await _through_http(http, questions, concurrency)
                    stream = await _stream_delay(http, questions[:20])
            finally:
                for process in (api, worker):
                    process.terminate()
                    process.wait(30)
        app_only = await _app_only(settings, key)  # with the worker and the server gone: the app alone
    return {
        "messages": messages,
        "concurrency": concurrency,
        "database": settings.resolved_database_url.split(":", 1)[0],
        "in_process_client": in_process,
        "http": through_http,
        "event_stream": stream,
        "app_only": app_only,
        "goal": "HTTP overhead p95 under 10 ms",
        "note": (
            "overhead_ms: the round trip minus the conversation's own time, over loopback, with the worker"
            " and the Temporal server on the same cores; app_only: the app's own cost"
        ),
    }


def _start_api(settings: Settings, address: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "TANDEM_TEMPORAL_ADDRESS": address,
        "TANDEM_TASK_QUEUE": settings.task_queue,
        "TANDEM_DATABASE_URL": settings.resolved_database_url,
        "TANDEM_DATA_DIR": str(settings.data_dir),
        "TANDEM_API_PORT": str(API_PORT),
        "TANDEM_REQUESTS_PER_MINUTE": "100000",
    }
    command = [sys.executable, "-m", "tandem", "api"]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def _ready(http: httpx.AsyncClient) -> None:
    for _ in range(600):
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the API did not start")


async def _in_process(client: TandemClient, questions: list[str], concurrency: int) -> dict[str, object]:
    gate = asyncio.Semaphore(concurrency)

    async def one(text: str) -> float:
        start = TicketStart(ticket_id=f"T-{uuid.uuid4().hex}", customer=CustomerContext(customer_id="bench"))
        await client.open_ticket(start)
        async with gate:
            began = time.perf_counter()
            await client.send_message(start.ticket_id, text)
            return time.perf_counter() - began

    began = time.perf_counter()
    waits = await asyncio.gather(*(one(q) for q in questions))
    return _figures(list(waits), time.perf_counter() - began)


async def _through_http(http: httpx.AsyncClient, questions: list[str], concurrency: int) -> dict[str, object]:
    gate = asyncio.Semaphore(concurrency)
    overheads: list[float] = []

    async def one(text: str) -> float:
        opened = await http.post("/v1/tickets", json={"customer": {"customer_id": "bench"}})
        ticket_id = opened.json()["ticket_id"]
        async with gate:
            began = time.perf_counter()
            response = await http.post(
                f"/v1/tickets/{ticket_id}/messages",
                json={"text": text},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            took = time.perf_counter() - began
        response.raise_for_status()
        conversation_s = float(response.headers["server-timing"].split("dur=")[1]) / 1000
        overheads.append(took - conversation_s)
        return took

    began = time.perf_counter()
    waits = await asyncio.gather(*(one(q) for q in questions))
    figures = _figures(list(waits), time.perf_counter() - began)
    ms = sorted(o * 1000 for o in overheads)
    figures["overhead_ms"] = {"p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2)}
    return figures


async def _stream_delay(http: httpx.AsyncClient, questions: list[str]) -> dict[str, object]:
    """For each question on a fresh ticket: the reply's response time to its event's arrival."""
    delays = []
    for text in questions:
        opened = await http.post("/v1/tickets", json={"customer": {"customer_id": "bench"}})
        ticket_id = opened.json()["ticket_id"]
        arrived: dict[str, float] = {}
        ready = asyncio.Event()

        async def listen(
            ticket_id: str = ticket_id, arrived: dict[str, float] = arrived, ready: asyncio.Event = ready
        ) -> None:
            async with http.stream("GET", f"/v1/tickets/{ticket_id}/events") as stream:
                ready.set()
                async for line in stream.aiter_lines():
                    if line.startswith("data: ") and '"message_id"' in line:
                        arrived[json.loads(line[6:])["message_id"]] = time.perf_counter()

        listener = asyncio.create_task(listen())
        await ready.wait()
        response = await http.post(f"/v1/tickets/{ticket_id}/messages", json={"text": text})
        answered = time.perf_counter()
        reply_id = response.json()["message_id"]
        while reply_id not in arrived:
            await asyncio.sleep(0.005)
        delays.append(arrived[reply_id] - answered)
        listener.cancel()
    ms = sorted(d * 1000 for d in delays)
    return {
        "replies": len(ms),
        "delay_ms": {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1)},
    }


class _Answering:
    """Stands in for the conversation in `app_only`: answers at once, so the app's own time is measured."""

    async def send_message(self, ticket_id: str, text: str, **kwargs: object) -> SupportResponse:
        message_id = str(kwargs.get("message_id") or uuid.uuid4().hex)
        state = ConversationState.AI_ACTIVE
        return SupportResponse(
            ticket_id=ticket_id, message_id=message_id, text="ok", author=Author.AI, state=state
        )


async def _app_only(settings: Settings, key: str, requests: int = 300) -> dict[str, object]:
    api = ApiSettings(data_dir=settings.data_dir, requests_per_minute=10**6)
    app = create_app(settings, api, _Answering())  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    auth = {"Authorization": f"Bearer {key}"}
    figures: dict[str, object] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://app", headers=auth) as http,
    ):
        for name, keyed in (("without_idempotency_key", False), ("with_idempotency_key", True)):
            took = []
            for _ in range(requests):
                headers = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
                began = time.perf_counter()
                response = await http.post("/v1/tickets/T-app/messages", json={"text": "hi"}, headers=headers)
                took.append(time.perf_counter() - began)
                response.raise_for_status()
            ms = sorted(t * 1000 for t in took)
            figures[name] = {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2)}
    return figures


def _figures(waits: list[float], seconds: float) -> dict[str, object]:
    ms = sorted(w * 1000 for w in waits)
    return {
        "requests_per_s": round(len(waits) / seconds, 2),
        "reply_ms": {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1)},
    }


if __name__ == "__main__":
    main()
