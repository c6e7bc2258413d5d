"""What the load and chaos benchmarks share: the questions, a store filled with the bundled help center and
ticket history, a worker process, its memory, and writing the result."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.api.enums.v1 import TaskQueueType  # noqa: E402
from temporalio.api.taskqueue.v1 import TaskQueue  # noqa: E402
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest  # noqa: E402
from temporalio.client import Client  # noqa: E402

import tandem.blas_threads  # noqa: E402, F401  (before numpy loads)
from tandem.evaluation.suite import load_suite  # noqa: E402
from tandem.knowledge.ingest import ingest_path  # noqa: E402
from tandem.knowledge.loaders import load_tickets_jsonl  # noqa: E402
from tandem.settings import Settings  # noqa: E402
from tandem.store import TicketStore, create_schema, make_engine  # noqa: E402

HELPCENTER = ROOT / "data/helpcenter/rho_bank"
TICKETS = ROOT / "data/tickets/bitext/tickets.jsonl"
QUESTIONS = ROOT / "data/eval/rho_answers"


def conversations(count: int, messages: int) -> list[list[str]]:
    """`count` conversations of `messages` customer questions each, from the answers suite."""
    suite = load_suite(QUESTIONS)
    assert suite.answers is not None
    questions = [case.question for case in suite.answers]
    return [[questions[(c * messages + m) % len(questions)] for m in range(messages)] for c in range(count)]


def filled_store(settings: Settings) -> TicketStore:
    """The settings' store with its schema, the bundled help center and ticket history."""
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    store = TicketStore(engine)
    ingest_path(store, HELPCENTER, progress=False)
    store.import_resolved_tickets(load_tickets_jsonl(TICKETS))
    return store


def start_worker(settings: Settings, address: str, processes: int = 1) -> subprocess.Popen:
    """`worker.py` in its own process, for the settings' store and task queue."""
    environment = {
        **os.environ,
        "TANDEM_TEMPORAL_ADDRESS": address,
        "TANDEM_TASK_QUEUE": settings.task_queue,
        "TANDEM_DATABASE_URL": settings.resolved_database_url,
        "TANDEM_DATA_DIR": str(settings.data_dir),
    }
    command = [sys.executable, "worker.py", "--processes", str(processes)]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def rss_mb(pid: int) -> float:
    return _proc_mb(pid, "status", "VmRSS:")


def pss_mb(pid: int) -> float:
    """Proportional set size: pages shared with other processes (the same libraries mapped by a worker and
    its activity processes) counted by share, so the sum over processes is the memory they hold together."""
    return _proc_mb(pid, "smaps_rollup", "Pss:")


def _proc_mb(pid: int, name: str, key: str) -> float:
    """A kB figure of /proc/<pid>/<name>, in MB."""
    for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
        if line.startswith(key):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def report(result: dict[str, object], out: Path | None) -> None:
    """Print the result as JSON, and write it to `out` too."""
    text = json.dumps(result, indent=2)
    if out is not None:
        out.write_text(text + "\n")
    print(text)


async def polling(client: Client, task_queue: str, workers: int = 1) -> None:
    """Until `workers` workers poll the task queue for workflow and for activity tasks: they have started."""
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        request = DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=kind
        )
        while True:
            described = await client.workflow_service.describe_task_queue(request)
            if len({poller.identity for poller in described.pollers}) >= workers:
                break
            await asyncio.sleep(0.1)
