"""A worker that is stopped (SIGTERM: a deploy, a scale-in) while it writes an answer finishes that answer
before it exits: the turn's activity completes on its first attempt, the next worker sends the reply without
asking the model again. Cohere's chat is the loopback wire server, answering late on purpose."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from tandem.client import TandemClient, workflow_id
from tandem.settings import Settings
from tandem.store import TicketStore
from tests.adapters.cohere_wire import CohereWireServer, server_fixture
from tests.conftest import eventually, new_ticket
from worker import build_worker

API_KEY = "graceful-test-key"
QUESTION = "How much travel insurance coverage does the Purple Account include?"
MODEL_DELAY_S = 3.0

server = server_fixture(API_KEY)


async def test_a_stopped_worker_finishes_the_answer_it_is_writing(
    local_env: WorkflowEnvironment, settings: Settings, store: TicketStore, server: CohereWireServer
) -> None:
    """`store`: the help center is in it, so the turn has articles to ask the model about."""
    cohere = settings.model_copy(
        update={
            "task_queue": f"graceful-{uuid.uuid4().hex[:8]}",
            "cohere_api_key": API_KEY,
            "cohere_base_url": server.base_url,
            "embedder": "wordllama",  # the index as built; only the answer comes from the model
        }
    )
    tandem = TandemClient.from_settings(local_env.client, cohere)
    start = new_ticket()
    server.delay_next(MODEL_DELAY_S, path="/v2/chat")

    stopping = build_worker(local_env.client, cohere)
    running = asyncio.create_task(stopping.run())
    reply = asyncio.create_task(tandem.send_message(start.ticket_id, QUESTION, start=start))

    async def asked_model() -> list | None:
        return server.requests_to("/v2/chat") or None

    await eventually(asked_model, "the model being asked")
    await stopping.shutdown()  # what the worker's SIGTERM handler does
    await running
    asked = len(server.requests_to("/v2/chat"))

    async with build_worker(local_env.client, cohere):  # the next worker sends the reply
        response = await asyncio.wait_for(reply, 60)

    assert all(r.code != "ai_unavailable" for r in response.escalation.reasons)
    assert len(server.requests_to("/v2/chat")) == asked, "the next worker asked the model again"
    history = await local_env.client.get_workflow_handle(workflow_id(start.ticket_id)).fetch_history()
    started = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    kinds = {e.event_type for e in history.events}
    assert started == [1]
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in kinds
    lost = {EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT}
    assert not kinds & lost
