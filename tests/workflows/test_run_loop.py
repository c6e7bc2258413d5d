"""The run loop when a timer and a handler land in one activation (after worker downtime, say): the
customer's message is answered, and the loop never spins without letting the handler run."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import UpdateRef, WaitPolicy
from temporalio.api.workflowservice.v1 import PollWorkflowExecutionUpdateRequest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from tandem.client import TandemClient, TandemUnavailable, workflow_id
from tandem.contracts import Author, ConversationState, ConversationTimeouts
from tandem.settings import Settings
from tandem.store import TicketStore
from tests.conftest import new_ticket
from worker import build_worker, workflow_build_id


async def _until_timer_fired(env: WorkflowEnvironment, ticket_id: str) -> None:
    handle = env.client.get_workflow_handle(workflow_id(ticket_id))
    for _ in range(400):
        history = await handle.fetch_history()
        if any(e.event_type == EventType.EVENT_TYPE_TIMER_FIRED for e in history.events):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the inactivity timer never fired")


async def _until_admitted(env: WorkflowEnvironment, ticket_id: str, update_id: str) -> None:
    """Until the server holds the update (no worker has seen it yet)."""
    request = PollWorkflowExecutionUpdateRequest(
        namespace=env.client.namespace,
        update_ref=UpdateRef(
            workflow_execution=WorkflowExecution(workflow_id=workflow_id(ticket_id)), update_id=update_id
        ),
        wait_policy=WaitPolicy(
            lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
        ),
    )
    for _ in range(400):
        try:
            await env.client.workflow_service.poll_workflow_execution_update(request)
            return
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
        await asyncio.sleep(0.05)
    raise AssertionError("the update never reached the server")


async def test_a_message_arriving_with_the_inactivity_timer_is_answered(
    local_env: WorkflowEnvironment, settings: Settings, store: TicketStore
) -> None:
    queue_settings = settings.model_copy(update={"task_queue": f"tandem-test-{uuid.uuid4().hex[:8]}"})
    tandem = TandemClient.from_settings(local_env.client, queue_settings)
    start = new_ticket()
    start.timeouts = ConversationTimeouts(inactivity=timedelta(seconds=2))
    tid = start.ticket_id
    async with build_worker(local_env.client, queue_settings):
        await tandem.send_message(tid, "How do I open a checking account?", start=start)

    # No worker: the inactivity timer fires, then the customer writes; both wait for the next worker.
    await _until_timer_fired(local_env, tid)
    pending = asyncio.create_task(
        tandem.send_message(tid, "And how much is an outgoing wire?", message_id="m-late")
    )
    await _until_admitted(local_env, tid, "msg-m-late")
    async with build_worker(local_env.client, queue_settings):
        reply = await asyncio.wait_for(pending, timeout=60)
        status = await tandem.status(tid)
        transcript = await tandem.transcript(tid)

    assert reply.author is Author.AI and reply.text
    assert status.state is not ConversationState.CLOSED  # the customer was not gone
    assert [e.message_id for e in transcript].count("m-late") == 1
    # Each workflow task names the build that ran it (an operator reads it in the Temporal UI).
    history = await local_env.client.get_workflow_handle(workflow_id(tid)).fetch_history()
    builds = {
        e.workflow_task_completed_event_attributes.worker_version.build_id
        for e in history.events
        if e.HasField("workflow_task_completed_event_attributes")
    }
    assert builds == {workflow_build_id()}


async def test_the_client_rides_out_a_worker_restart_and_reports_only_its_own_errors(
    local_env: WorkflowEnvironment, settings: Settings, store: TicketStore
) -> None:
    """A read while no worker runs is retried until one is back; when none comes back within the retry
    budget, the caller gets TandemUnavailable, never a raw Temporal error."""
    queue_settings = settings.model_copy(update={"task_queue": f"tandem-test-{uuid.uuid4().hex[:8]}"})
    tandem = TandemClient.from_settings(local_env.client, queue_settings)
    start = new_ticket()
    tid = start.ticket_id
    async with build_worker(local_env.client, queue_settings):
        await tandem.send_message(tid, "How do I open a checking account?", start=start)

    impatient = TandemClient(local_env.client, queue_settings.task_queue, retry_for=timedelta(seconds=1))
    with pytest.raises(TandemUnavailable):
        await impatient.status(tid)

    reading = asyncio.create_task(tandem.status(tid))  # no worker yet: retried, not failed
    async with build_worker(local_env.client, queue_settings):
        status = await asyncio.wait_for(reading, timeout=60)
    assert status.ticket_id == tid and status.state is ConversationState.AI_ACTIVE
