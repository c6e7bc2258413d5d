"""Conversations under load: many at once through Temporal and one worker process, against the same activity
code run in-process, in one run on one machine. Prints JSON (results: bench/results/load.json).

    .venv/bin/python bench/load.py [--conversations 100] [--messages 4] [--runs 3] [--database-url URL]
                                     [--out FILE]

- in-process: each message runs what its turn's activities run (the AI turn: answer and escalation check;
  the store batch; the first message also opens the ticket) on a thread pool as large as the worker's, all
  conversations at once, messages in order, so a reply's time includes waiting for a thread, as it does
  through Temporal;
- through Temporal: a local dev server and `worker.py` in its own process (the worker host); every
  conversation is a ticket opened by its first message (update-with-start), messages sent in order, all
  conversations at once. Reply time is what `TandemClient.send_message` waits. The worker's RSS is read from
  /proc after each run (`--runs` in the same worker process: memory should stay flat).

The questions are the answers suites' (data/eval/rho_answers), over the bundled help center and tickets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from anatomy import first_turns
from harness import conversations, filled_store, polling, pss_mb, report, rss_mb, start_worker
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tandem import search_attributes as sa
from tandem.binaries import temporal_cli
from tandem.client import TandemClient
from tandem.contracts import (
    AiTurnRequest,
    Author,
    CustomerContext,
    MessageRecord,
    StoreBatch,
    TicketRecord,
    TicketStart,
    TranscriptEntry,
    TurnRequest,
)
from tandem.evaluation.metrics import percentile
from tandem.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--messages", type=int, default=4, help="per conversation")
    parser.add_argument("--runs", type=int, default=3, help="through Temporal, in one worker process")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.add_argument("--worker-processes", type=int, default=2, help="worker.py --processes N")
    args = parser.parse_args()
    report(asyncio.run(_bench(args)), args.out)


async def _bench(args: argparse.Namespace) -> dict[str, object]:
    planned = conversations(args.conversations, args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/tandem.db"
        settings = Settings(data_dir=Path(tmp), database_url=url, task_queue=f"bench-{uuid.uuid4().hex[:6]}")
        filled_store(settings)
        in_process = await _in_process(settings, planned)
        through = await _through_temporal(settings, planned, args.runs, args.worker_processes)
    return {
        "machine": {"cores": os.cpu_count(), "database": url.split(":", 1)[0]},
        "conversations": args.conversations,
        "messages": args.conversations * args.messages,
        "in_process": in_process,
        "through_temporal": through,
        "goal": "throughput >= 1/2 of in-process, p95 <= 2x in-process, worker RSS < 400 MB and flat",
    }


async def _in_process(settings: Settings, conversations: list[list[str]]) -> dict[str, object]:
    """The turn's activity code, called directly on the worker's thread pool: all conversations at once, as
    through Temporal, so a reply's time includes waiting for a free thread (the same queueing)."""
    from worker import ACTIVITY_THREADS, build_activities

    acts = {a.__name__: a for a in build_activities(settings)}
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(ACTIVITY_THREADS)

    def run(name: str, arg: object) -> asyncio.Future:
        return loop.run_in_executor(pool, acts[name], arg)

    async def conversation(index: int, messages: list[str]) -> list[float]:
        ticket = f"inproc-{index}-{uuid.uuid4().hex[:6]}"
        customer = CustomerContext(customer_id=f"c-{index}")
        now = datetime.now(UTC)
        opened = TicketRecord(
            ticket_id=ticket, customer_id=customer.customer_id, product=None, subject="", opened_at=now
        )
        opening = time.perf_counter()  # the first message opens the ticket, as it does through Temporal
        await run("open_ticket", opened)
        history: list[TranscriptEntry] = []
        waits = []
        for n, text in enumerate(messages):
            started = opening if n == 0 else time.perf_counter()
            said = TranscriptEntry(message_id=f"{ticket}-m{n}", author=Author.CUSTOMER, text=text, at=now)
            request = TurnRequest(ticket_id=ticket, message=text, customer=customer, history=history)
            asked = AiTurnRequest(turn=request, ai_turns=n + 1, unsure_turns=0, categorize=n == 0)
            turn = await run("ai_turn", asked)
            answer = TranscriptEntry(
                message_id=f"{ticket}-r{n}", author=Author.AI, text=turn.reply.text, at=now
            )
            writes = [
                MessageRecord(ticket_id=ticket, entry=said),
                MessageRecord(ticket_id=ticket, entry=answer),
            ]
            await run("write", StoreBatch(writes=writes))
            history += [said, answer]
            waits.append(time.perf_counter() - started)
        return waits

    started = time.perf_counter()
    try:
        waits = await asyncio.gather(*(conversation(i, msgs) for i, msgs in enumerate(conversations)))
    finally:
        pool.shutdown()
    figures = _figures([w for ws in waits for w in ws], time.perf_counter() - started)
    figures["first_message_reply_ms"] = _figures([ws[0] for ws in waits], 1.0)["reply_ms"]
    figures["later_messages_reply_ms"] = _figures([w for ws in waits for w in ws[1:]], 1.0)["reply_ms"]
    return figures


async def _through_temporal(
    settings: Settings, conversations: list[list[str]], runs: int, processes: int
) -> dict[str, object]:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        search_attributes=list(sa.ALL),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    ) as env:
        started = time.perf_counter()
        worker = start_worker(settings, env.client.service_client.config.target_host, processes)
        try:
            await polling(env.client, settings.task_queue)
            start_up = time.perf_counter() - started
            client = TandemClient.from_settings(env.client, settings)
            results = []
            for run in range(runs):
                t0 = time.perf_counter()
                cpu0 = _cpu_by_process(worker.pid)
                waits = await asyncio.gather(
                    *(_conversation(client, f"r{run}-{i}", msgs) for i, msgs in enumerate(conversations))
                )
                figures = _figures([w for ws in waits for w in ws], time.perf_counter() - t0)
                figures["first_message_reply_ms"] = _figures([ws[0] for ws in waits], 1.0)["reply_ms"]
                figures["later_messages_reply_ms"] = _figures([w for ws in waits for w in ws[1:]], 1.0)[
                    "reply_ms"
                ]
                figures["cpu_s"] = _cpu_used(cpu0, _cpu_by_process(worker.pid))
                figures["worker_rss_mb"] = rss_mb(worker.pid)  # the workflow process
                figures["worker_tree_rss_mb"] = _tree_mb(worker.pid, rss_mb)
                figures["worker_tree_pss_mb"] = _tree_mb(worker.pid, pss_mb)
                results.append(figures)
            anatomy = await first_turns(env.client, settings.task_queue)
            return {
                "worker_processes": processes,
                "worker_start_up_s": round(start_up, 1),
                "runs": results,
                "first_turn_anatomy": anatomy,
            }
        finally:
            worker.terminate()
            worker.wait(30)


async def _conversation(client: TandemClient, key: str, messages: list[str]) -> list[float]:
    start = TicketStart(
        ticket_id=f"load-{key}-{uuid.uuid4().hex[:6]}", customer=CustomerContext(customer_id=f"c-{key}")
    )
    waits = []
    for n, text in enumerate(messages):
        started = time.perf_counter()
        await client.send_message(start.ticket_id, text, message_id=f"{start.ticket_id}-m{n}", start=start)
        waits.append(time.perf_counter() - started)
    return waits


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _cpu_by_process(worker: int) -> dict[str, float]:
    """CPU seconds so far of the load generator (this process), the dev server, the workflow process and
    the activity processes: where a run's cycles go."""
    me = os.getpid()
    server = [p for p in _children(me) if p != worker]
    return {
        "load_generator": _cpu_seconds(me),
        "temporal_server": sum(_cpu_seconds(p) for p in server),
        "worker": _cpu_seconds(worker),
        "activity_processes": sum(_cpu_seconds(p) for p in _children(worker)),
    }


def _cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before[name], 1) for name in after}


def _tree_mb(pid: int, measure: Callable[[int], float]) -> float:
    """`measure` (RSS, or PSS: shared library pages counted once) of the worker and its activity processes."""
    return round(measure(pid) + sum(measure(k) for k in _children(pid)), 1)


def _figures(waits: list[float], seconds: float) -> dict[str, object]:
    ms = sorted(w * 1000 for w in waits)
    return {
        "messages_per_s": round(len(waits) / seconds, 2),
        "reply_ms": {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1)},
        "seconds": round(seconds, 1),
    }


if __name__ == "__main__":
    main()
