"""Whatever callers send, a live conversation never fails a workflow task and never loses its next step.

Hypothesis draws sequences of customer and agent requests with arbitrary text, ids and ratings (control
characters, NUL bytes, empty and odd strings included) and plays each sequence through `TandemClient` on one
new ticket of the dev server, with the store on SQLite and on PostgreSQL (which refuses what SQLite takes).
Callers only ever see the client's documented errors; afterwards the history holds no failed workflow task,
the conversation is with the AI, waiting for a person, with an agent or closed, every customer message it
took is in its transcript once and in the store as written there, and "talk to a human" still works.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from tandem.client import RequestRejected, TandemClient, TicketClosedError, workflow_id
from tandem.contracts import Author, ConversationState, Resolution, TranscriptEntry
from tandem.knowledge.ingest import ingest_path
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine
from tests.conftest import (
    HELPCENTER,
    new_ticket,
    running_worker,
    throwaway_schema,
    wait_for_state,
)

AGENTS = st.sampled_from(["grace", "linus"]) | st.text(max_size=12)
QUESTIONS = ["How much is an outgoing wire?", "I want to cancel my account"]
CONTROLS = "\x00\x07\x1b[31m\r\x7f\x9b\t\n"  # NUL (PostgreSQL refuses it), bell, escapes, C1
TEXTS = (
    st.sampled_from(QUESTIONS)
    | st.text(max_size=40)
    | st.text(alphabet=st.sampled_from(f"ab {CONTROLS}"), max_size=20)
)
REQUESTS = st.one_of(
    st.tuples(st.just("message"), TEXTS),
    st.tuples(st.just("message_with_id"), TEXTS, st.text(min_size=1, max_size=12)),  # "": the client picks
    st.tuples(st.just("request_human"), TEXTS),
    st.tuples(st.just("take_over"), AGENTS),
    st.tuples(st.just("reply"), AGENTS, TEXTS),
    st.tuples(st.just("hand_back"), AGENTS, TEXTS),
    st.tuples(st.just("close"), AGENTS, st.sampled_from(list(Resolution)), TEXTS),
    st.tuples(st.just("csat"), st.integers(min_value=-2, max_value=7), TEXTS),
    st.tuples(st.just("reopen"), TEXTS),
)
WITH_A_NEXT_STEP = (
    ConversationState.AI_ACTIVE,
    ConversationState.WAITING_FOR_HUMAN,
    ConversationState.CLOSED,
)


@pytest.fixture(scope="module")
async def postgres_tandem(
    local_env: WorkflowEnvironment,
    settings: Settings,
    postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[TandemClient, TicketStore]]:
    """A worker whose store is a throwaway PostgreSQL schema holding the bundled help center."""
    with throwaway_schema(postgres_url) as url:
        engine = make_engine(url)
        try:
            create_schema(engine)
            store = TicketStore(engine)
            ingest_path(store, HELPCENTER, progress=False)
            on_postgres = settings.model_copy(
                update={"database_url": url, "data_dir": tmp_path_factory.mktemp("tandem-postgres")}
            )
            async with running_worker(local_env, on_postgres) as tandem:
                yield tandem, store
        finally:
            engine.dispose()


async def _play(tandem: TandemClient, ticket_id: str, request: tuple) -> str | None:
    """Send one request; returns the id of a customer message the conversation took, if any."""
    kind, *values = request
    if kind == "message":
        message_id = uuid.uuid4().hex
        await tandem.send_message(ticket_id, values[0], message_id=message_id)
        return message_id
    if kind == "message_with_id":
        await tandem.send_message(ticket_id, values[0], message_id=values[1])
        return values[1]
    if kind == "request_human":
        await tandem.request_human(ticket_id, values[0])
    elif kind == "take_over":
        await tandem.take_over(ticket_id, values[0])
    elif kind == "reply":
        await tandem.reply(ticket_id, values[0], values[1])
    elif kind == "hand_back":
        await tandem.hand_back(ticket_id, values[0], values[1])
    elif kind == "close":
        await tandem.close(ticket_id, values[1], values[0], values[2])
    elif kind == "csat":
        await tandem.submit_csat(ticket_id, values[0], values[1])
    elif kind == "reopen":
        message_id = uuid.uuid4().hex
        await tandem.reopen(ticket_id, values[0], message_id=message_id)
        return message_id
    return None


async def _stored_once_written(store: TicketStore, ticket_id: str, wanted: set[str]) -> list[TranscriptEntry]:
    """The ticket's stored transcript once it holds the customer messages `wanted` (a signal's writes follow
    its state change), or as it is after 5 s: the assertions on it then say what is missing."""
    for _ in range(100):
        stored = store.transcript(ticket_id)
        if wanted <= {e.message_id for e in stored if e.author is Author.CUSTOMER}:
            break
        await asyncio.sleep(0.05)
    return stored


async def _check_arbitrary_requests(
    env: WorkflowEnvironment, tandem: TandemClient, store: TicketStore, requests: list[tuple]
) -> None:
    start = new_ticket()
    tid = start.ticket_id
    first = f"{tid}-first"
    await tandem.send_message(tid, "How do I open a checking account?", message_id=first, start=start)
    taken = [first]
    for request in requests:
        try:
            message_id = await _play(tandem, tid, request)
        except (RequestRejected, TicketClosedError):  # documented refusals; anything else fails the test
            continue
        if message_id is not None:
            taken.append(message_id)

    history = await env.client.get_workflow_handle(workflow_id(tid)).fetch_history()
    assert not [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
    status = await tandem.status(tid)
    assert status.state in WITH_A_NEXT_STEP or (
        status.state is ConversationState.HUMAN_ACTIVE and status.agent
    ), status
    said = [e.message_id for e in await tandem.transcript(tid) if e.author is Author.CUSTOMER]
    stored_entries = await _stored_once_written(store, tid, set(taken))
    stored = [e.message_id for e in stored_entries if e.author is Author.CUSTOMER]
    for message_id in set(taken):  # a retried id is one message
        assert said.count(message_id) == 1, (message_id, said)
        assert stored.count(message_id) == 1, (message_id, stored)
    stored_text = {e.message_id: e.text for e in stored_entries}
    assert all(
        stored_text[e.message_id] == e.text for e in await tandem.transcript(tid) if e.message_id in taken
    )
    if status.state is ConversationState.AI_ACTIVE:
        await tandem.request_human(tid)
        await wait_for_state(tandem, tid, ConversationState.WAITING_FOR_HUMAN)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests=st.lists(REQUESTS, min_size=1, max_size=5))
@example(requests=[("message", "a NUL\x00 and an \x1b[31mescape"), ("request_human", "now\x00")])
async def test_arbitrary_requests_never_fail_a_workflow_task_or_strand_the_customer(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, store: TicketStore, requests: list[tuple]
) -> None:
    await _check_arbitrary_requests(local_env, local_tandem, store, requests)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests=st.lists(REQUESTS, min_size=1, max_size=5))
@example(requests=[("message", "a NUL\x00 and an \x1b[31mescape"), ("request_human", "now\x00")])
async def test_arbitrary_requests_on_postgresql_never_fail_a_workflow_task_or_strand_the_customer(
    local_env: WorkflowEnvironment,
    postgres_tandem: tuple[TandemClient, TicketStore],
    requests: list[tuple],
) -> None:
    await _check_arbitrary_requests(local_env, *postgres_tandem, requests)
