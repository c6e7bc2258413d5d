"""A worker process killed with SIGKILL in the middle of a turn: a new worker finishes the turn, the
customer gets exactly one reply, and the store holds each message exactly once."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from pathlib import Path

from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from tandem.client import TandemClient
from tandem.contracts import Author
from tandem.settings import Settings
from tandem.store import TicketStore
from tests.conftest import new_ticket, start_worker_process

# The help center answers it for customers, with a citation (FAQ: Purple Account).
QUESTION = "How much travel insurance coverage does the Purple Account include?"
ATTEMPTS = 5  # each attempt kills at the first sign of the turn; most land mid-turn


async def _wait_for_pollers(env: WorkflowEnvironment, task_queue: str) -> None:
    request = DescribeTaskQueueRequest(
        namespace=env.client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    for _ in range(600):
        try:
            if (await env.client.workflow_service.describe_task_queue(request)).pollers:
                return
        except RPCError:  # the dev server may cancel a describe call while it is busy: ask again
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("worker never started polling")


async def _answer_scheduled(env: WorkflowEnvironment, ticket_id: str) -> bool:
    try:
        history = await env.client.get_workflow_handle(f"ticket-{ticket_id}").fetch_history()
    except RPCError:
        return False  # not started yet
    return any(
        e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == "ai_turn"
        for e in history.events
    )


async def test_sigkill_mid_turn_then_a_new_worker_finishes_it(
    local_env: WorkflowEnvironment, settings: Settings, store: TicketStore, tmp_path: Path
) -> None:
    mid_turn_kills = 0
    for attempt in range(ATTEMPTS):
        task_queue = f"tandem-crash-{uuid.uuid4().hex[:8]}"
        tandem = TandemClient(local_env.client, task_queue)
        start = new_ticket(product="checking_accounts")
        tid = start.ticket_id
        first = start_worker_process(local_env, settings, task_queue, tmp_path / f"worker-{attempt}-a.log")
        second = None
        try:
            await _wait_for_pollers(local_env, task_queue)
            turn = asyncio.create_task(tandem.send_message(tid, QUESTION, start=start))
            # Kill the moment the AI turn has begun (its activity is scheduled): the reply is still to come.
            deadline = time.monotonic() + 30
            while not await _answer_scheduled(local_env, tid) and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            first.send_signal(signal.SIGKILL)
            first.wait()
            replies_at_kill = [e for e in store.transcript(tid) if e.author is Author.AI]
            mid_turn_kills += await _answer_scheduled(local_env, tid) and not replies_at_kill

            second = start_worker_process(
                local_env, settings, task_queue, tmp_path / f"worker-{attempt}-b.log"
            )
            response = await asyncio.wait_for(turn, timeout=120)
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait()

        transcript = store.transcript(tid)
        assert response.author is Author.AI and response.sources, response.escalation.reasons
        assert "$30,000" in response.text
        assert [e.author for e in transcript] == [Author.CUSTOMER, Author.AI], "exactly one reply"
        assert transcript[1].text == response.text
        assert len({e.message_id for e in transcript}) == store.message_count(tid) == 2
        if mid_turn_kills >= 2:
            break
    assert mid_turn_kills >= 1, "no kill landed between the customer's message and the AI's reply"
