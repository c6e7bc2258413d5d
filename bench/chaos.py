"""Conversations under faults: the load of bench/load.py while the worker is SIGKILLed again and again and the
Temporal server restarts once. Prints JSON (results: bench/results/chaos.json).

    .venv/bin/python bench/chaos.py [--conversations 100] [--messages 4] [--kills 10] [--workers 1]
                                    [--worker-processes 2] [--out FILE]

`--workers N` runs N independent workers on the host and SIGKILLs them in turn (each restarted at once), as a
deployment with a spare worker would see it; the default is the single worker killed every time.
`--worker-processes P` starts each as `worker.py --processes P`, 2 by default as in bench/load.py: the kill
hits its workflow process, and its activity processes stop with it (finishing the answers they are writing).

Counted afterwards from the store and from Temporal: messages lost (a customer message with no row),
duplicated (a message id stored twice, or two replies to one message), failed workflows, conversations
left without a next step (open, yet neither with the AI, in the queue nor with a person), conversations handed
to a person because their AI turn gave up (`ai_unavailable`: every attempt's worker killed), errors that
reached callers other than the client's documented ones (`TandemError`s), and the reply-time p50/p95. The
dev server keeps its state in a file, so its restart loses nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from harness import conversations, filled_store, polling, report, start_worker
from temporalio.api.enums.v1 import EventType, TimeoutType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from tandem import search_attributes as sa
from tandem.binaries import temporal_cli
from tandem.client import TandemClient, TandemError, workflow_id
from tandem.contracts import Author, ConversationState, CustomerContext, TicketStart
from tandem.evaluation.metrics import percentile
from tandem.settings import Settings
from tandem.store import TicketStore

_SA_TYPES = {"KEYWORD": "Keyword", "BOOL": "Bool", "INT": "Int", "DATETIME": "Datetime"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--messages", type=int, default=4)
    parser.add_argument("--kills", type=int, default=10, help="worker SIGKILLs during the load")
    parser.add_argument("--workers", type=int, default=1, help="independent worker processes, killed in turn")
    parser.add_argument(
        "--worker-processes", type=int, default=2, help="worker.py --processes N for each worker"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report(asyncio.run(_chaos(args)), args.out)


async def _chaos(args: argparse.Namespace) -> dict[str, object]:
    planned = conversations(args.conversations, args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        settings = Settings(
            data_dir=Path(tmp),
            database_url=f"sqlite:///{tmp}/tandem.db",
            task_queue=f"chaos-{uuid.uuid4().hex[:6]}",
            temporal_address=f"127.0.0.1:{port}",
        )
        store = filled_store(settings)
        server = _start_server(port, Path(tmp) / "temporal.db")
        client = await _connect(settings.temporal_address)
        address = settings.temporal_address
        workers = [start_worker(settings, address, args.worker_processes) for _ in range(args.workers)]
        # The faults hit running workers, as in production: the load and the kills start once they poll.
        await polling(client, settings.task_queue, args.workers)
        tandem = TandemClient.from_settings(client, settings)
        errors: Counter[str] = Counter()
        waits: list[tuple[str, float]] = []
        tickets = [f"chaos-{i}-{uuid.uuid4().hex[:6]}" for i in range(args.conversations)]
        load = asyncio.gather(
            *(
                _conversation(tandem, ticket, messages, waits, errors)
                for ticket, messages in zip(tickets, planned, strict=True)
            )
        )
        faults = asyncio.create_task(
            _faults(args, settings, port, Path(tmp) / "temporal.db", workers, server)
        )
        started = time.perf_counter()
        await load
        seconds = time.perf_counter() - started
        workers, server = await faults
        try:
            counts = await _check(client, tandem, store, tickets, args.messages)
            tail = await _tail_anatomy(client, waits)
        finally:
            for worker in workers:
                worker.kill()
            server.terminate()
            server.wait(30)
    ms = sorted(w * 1000 for _, w in waits)
    return {
        "conversations": args.conversations,
        "messages": args.conversations * args.messages,
        "worker_kills": args.kills,
        "workers": args.workers,
        "processes_per_worker": args.worker_processes,
        "server_restarts": 1,
        "seconds": round(seconds, 1),
        "reply_ms": {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1)},
        "errors_reaching_callers": dict(errors),
        **counts,
        "slowest_5_percent": tail,
        "goal": "0 lost, 0 duplicated, 0 failed, 0 without a next step, only documented errors, p95 < 30 s",
    }


async def _conversation(
    tandem: TandemClient,
    ticket: str,
    messages: list[str],
    waits: list[tuple[str, float]],
    errors: Counter[str],
) -> None:
    start = TicketStart(ticket_id=ticket, customer=CustomerContext(customer_id=f"c-{ticket}"))
    for n, text in enumerate(messages):
        began = time.perf_counter()
        while True:  # a backend retries a failed call with the same message id
            try:
                await tandem.send_message(ticket, text, message_id=f"{ticket}-m{n}", start=start)
                break
            except TandemError as err:
                errors[f"documented:{type(err).__name__}"] += 1
            except Exception as err:  # counted: callers should never see these
                errors[f"undocumented:{type(err).__name__}"] += 1
        waits.append((ticket, time.perf_counter() - began))


async def _faults(
    args: argparse.Namespace,
    settings: Settings,
    port: int,
    db: Path,
    workers: list[subprocess.Popen],
    server: subprocess.Popen,
) -> tuple[list[subprocess.Popen], subprocess.Popen]:
    """SIGKILL a worker `kills` times, the workers in turn (each started again at once), and restart the
    server once halfway."""
    for n in range(args.kills):
        await asyncio.sleep(4)
        victim = n % len(workers)
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait()
        if n == args.kills // 2:
            server.terminate()
            server.wait(30)
            server = _start_server(port, db)
        workers[victim] = start_worker(settings, settings.temporal_address, args.worker_processes)
    return workers, server


async def _check(
    client: Client, tandem: TandemClient, store: TicketStore, tickets: list[str], messages: int
) -> dict[str, int]:
    lost = duplicated = no_next_step = handed_over = 0
    for ticket in tickets:
        transcript = store.transcript(ticket)
        ids = [e.message_id for e in transcript]
        duplicated += len(ids) - len(set(ids))
        said = [e for e in transcript if e.author is Author.CUSTOMER]
        lost += messages - len({e.message_id for e in said})
        for i, entry in enumerate(transcript):  # each customer message gets at most one reply
            if entry.author is Author.CUSTOMER:
                after = transcript[i + 1 : i + 3]
                duplicated += max(0, sum(e.author is Author.AI for e in after[:2]) - 1)
        # The AI turn gave up (its attempts' workers killed): a person was brought in instead of an answer.
        handed_over += any(r.code == "ai_unavailable" for e in store.escalations(ticket) for r in e.reasons)
        status = await tandem.status(ticket)
        open_states = (
            ConversationState.AI_ACTIVE,
            ConversationState.WAITING_FOR_HUMAN,
            ConversationState.CLOSED,
        )
        if status.state not in open_states and not (
            status.state is ConversationState.HUMAN_ACTIVE and status.agent
        ):
            no_next_step += 1
    failed = 0
    async for _ in client.list_workflows('ExecutionStatus="Failed"'):
        failed += 1
    return {
        "lost": lost,
        "duplicated": duplicated,
        "failed_workflows": failed,
        "without_next_step": no_next_step,
        "handed_to_people_ai_unavailable": handed_over,
    }


async def _tail_anatomy(client: Client, waits: list[tuple[str, float]]) -> dict[str, object]:
    """Where the slowest twentieth of the replies lost their time, from their conversations' histories:
    workflow tasks that timed out (taken by a worker that was then killed: start-to-close; waiting on a dead
    worker's sticky queue: schedule-to-start) and the highest attempt a workflow task needed (attempts
    between the first and the last one that completed are not written to the history)."""
    slow = sorted(waits, key=lambda w: -w[1])[: max(1, len(waits) // 20)]
    timeouts: Counter[str] = Counter()
    attempts = []
    for ticket in sorted({t for t, _ in slow}):
        history = await client.get_workflow_handle(workflow_id(ticket)).fetch_history()
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                kind = TimeoutType.Name(event.workflow_task_timed_out_event_attributes.timeout_type)
                timeouts[kind.removeprefix("TIMEOUT_TYPE_").lower()] += 1
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
                attempts.append(event.workflow_task_scheduled_event_attributes.attempt)
    return {
        "replies": len(slow),
        "conversations": len({t for t, _ in slow}),
        "workflow_task_timeouts": dict(timeouts),
        "highest_workflow_task_attempt": max(attempts, default=0),
    }


def _start_server(port: int, db: Path) -> subprocess.Popen:
    attributes = [f"{key.name}={_SA_TYPES[key.indexed_value_type.name]}" for key in sa.ALL]
    command = [
        str(temporal_cli()),
        "server",
        "start-dev",
        "--headless",
        "--port",
        str(port),
        "--db-filename",
        str(db),
        "--log-level",
        "error",
    ]
    for attribute in attributes:
        command += ["--search-attribute", attribute]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _connect(address: str) -> Client:
    for _ in range(300):
        try:
            return await Client.connect(address, data_converter=pydantic_data_converter)
        except RuntimeError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"no Temporal server at {address}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
