"""The Tandem worker: registers the SupportConversation workflow and its activities on the task queue."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import functools
import logging
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import temporalio
from temporalio.client import Client
from temporalio.worker import PollerBehaviorAutoscaling, Worker

import tandem.blas_threads  # before numpy loads; also binds `tandem` for the build id
import workflows
from activities.ai_turn import AiTurnActivities
from activities.generation import GenerationActivities
from activities.handoff import HandoffActivities
from activities.knowledge import KnowledgeActivities
from activities.store import StoreActivities
from tandem.build_id import build_id
from tandem.malloc_tuning import tune_malloc
from tandem.settings import Settings, get_settings
from tandem.store import TicketStore, create_schema, make_engine
from tandem.temporal_client import connect
from tandem.workflow_runner import workflow_runner
from workflows.conversation import SupportConversation

# Activities are synchronous (database, numpy); they run on this many threads.
ACTIVITY_THREADS = 16
PR_SET_PDEATHSIG = 1  # prctl(2)
# Workflow tasks this worker holds at once. Taken tasks wait for the one interpreter that runs them: with
# Temporal's default of 100, a burst of new conversations aged them past the 4 s workflow-task timeout
# (tandem.client_start.WORKFLOW_TASK_TIMEOUT); ten keep each taken task running within half a second under
# load.
WORKFLOW_TASK_SLOTS = 10
# A stopped worker (SIGTERM: a deploy, a scale-in; an activity process whose workflow process died) finishes
# the answers it is writing for this long before it cancels them, instead of cancelling them at once: an
# offline answer takes well under a second, a model's a few. Less than the 30 s that Kubernetes and the
# compose file (`stop_grace_period`) give a process before they kill it.
GRACEFUL_SHUTDOWN = timedelta(seconds=20)
# A conversation cached by a worker that has died moves to another worker after this long, not 10 s.
STICKY_TIMEOUT = timedelta(seconds=3)
log = logging.getLogger(__name__)


@functools.cache
def workflow_build_id() -> str:
    """This checkout's build id (`tandem.build_id`)."""
    return build_id((workflows, tandem), temporalio.__version__)


def build_activities(settings: Settings) -> list:
    """Every activity of the conversation, on its domain services (store, knowledge, escalation)."""
    store = _store(settings)
    return [*_remote_activities(settings, store), *_store_activities(store)]


def _store_activities(store: TicketStore) -> list:
    """The store writes: local activities, run by the worker that runs the workflow."""
    acts = StoreActivities(store)
    return [acts.write, acts.open_ticket, acts.record_csat, acts.record_handoff]


def _store(settings: Settings) -> TicketStore:
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    return TicketStore(engine)


def _remote_activities(settings: Settings, store: TicketStore) -> list:
    """The activities a workflow schedules on the task queue (the store's run locally, in the workflow's
    own worker)."""
    from tandem.deployment import build_turn_parts  # here: a workflow process never loads index or models

    parts = build_turn_parts(settings, store)
    knowledge_acts = KnowledgeActivities(parts.knowledge, store)
    generation_acts = GenerationActivities(parts.answerer)  # drafts for agents
    return [
        knowledge_acts.categorize,
        generation_acts.answer_turn,
        AiTurnActivities(
            parts.answerer, parts.escalation, knowledge_acts.categorize, store.recent_tickets
        ).ai_turn,
        HandoffActivities(store.recent_tickets).prepare_handoff,
    ]


def build_worker(client: Client, settings: Settings, role: str = "all") -> Worker:
    """A worker on the task queue. `role`: "all" (one process does everything), "workflows" (workflow tasks
    and the store batch, a local activity: no retrieval or model call competes with workflow tasks for
    this process), or "activities" (retrieval, answers, checks, store writes on the queue)."""
    store = _store(settings)
    workflows = role in ("all", "workflows")
    activities = [] if role == "activities" else _store_activities(store)
    if role in ("all", "activities"):
        activities += _remote_activities(settings, store)
    tune_malloc()  # here, so `worker.py`, `tandem worker` and `make run` all get it
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[SupportConversation] if workflows else [],
        activities=activities,
        activity_executor=ThreadPoolExecutor(ACTIVITY_THREADS),
        max_concurrent_activities=ACTIVITY_THREADS,
        no_remote_activities=role == "workflows",
        max_cached_workflows=settings.worker_cached_conversations,
        workflow_runner=workflow_runner(client.data_converter),
        # A burst of new conversations puts their first workflow tasks on the shared queue: pollers that
        # scale with the backlog pick them up in about a second instead of four (bench/load.py's anatomy).
        workflow_task_poller_behavior=PollerBehaviorAutoscaling(),
        sticky_queue_schedule_to_start_timeout=STICKY_TIMEOUT,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        max_concurrent_workflow_tasks=WORKFLOW_TASK_SLOTS,
        build_id=workflow_build_id(),
    )


def default_processes(settings: Settings, cores: int | None = None) -> int:
    """2 when this host writes the answers itself (no Cohere key: retrieval and answers are CPU work here)
    and has two cores or more for them, else 1. On two cores the split took the load bench from 0.43-0.50x
    to 0.73-0.81x of in-process throughput at about the same memory (README, Measured); with Cohere the
    activities mostly wait on the network, which one process does well."""
    if cores is None:  # the cores this process may run on (Linux), else the machine's
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 if not settings.cohere_api_key and cores >= 2 else 1


async def run_worker(
    settings: Settings | None = None, processes: int | None = None, role: str = "all"
) -> None:
    """Run a worker. With `processes` > 1 (for role "all", default `default_processes`): this process takes
    the workflow tasks and starts `processes - 1` activity processes beside it (stopped with it), so heavy
    retrieval never starves workflow tasks of the interpreter. A process started for one role is that one
    process."""
    settings = settings or get_settings()
    if processes is None:
        processes = default_processes(settings) if role == "all" else 1
    client = await connect(settings)
    helpers: list[subprocess.Popen] = []
    if processes > 1:
        role = "workflows"
        command = [sys.executable, str(Path(__file__).resolve()), "--role", "activities"]
        helpers = [subprocess.Popen(command, preexec_fn=_die_with_parent) for _ in range(processes - 1)]
    try:
        worker = build_worker(client, settings, role)
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGTERM, signal.SIGINT):  # finish in-flight tasks, then stop the helpers too
            loop.add_signal_handler(stop, lambda: asyncio.ensure_future(worker.shutdown()))
        log.info("worker (%s) polling task queue %s", role, settings.task_queue)
        await worker.run()
    finally:
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            helper.wait(30)


def _die_with_parent() -> None:
    """In an activity process, before it runs: the kernel ends it when the worker that started it dies,
    even by SIGKILL, so no activity process outlives its worker (Linux; elsewhere `terminate` on exit)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a Tandem worker.")
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="1 workflow process + N-1 activity processes (default: 2 without a Cohere key on 2+ cores)",
    )
    parser.add_argument("--role", choices=("all", "workflows", "activities"), default="all")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run_worker(processes=args.processes, role=args.role))


if __name__ == "__main__":
    main()
