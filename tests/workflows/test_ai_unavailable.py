"""When the AI cannot answer at all (the model refuses the key, retrieval is broken), the customer is never
left waiting on it: the conversation hands them to a person at once, with the reason recorded (dev server)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tandem.client import TandemClient
from tandem.contracts import (
    AiTurnRequest,
    AiTurnResult,
    Author,
    CategoryRequest,
    ConversationState,
    GeneratedReply,
    HandoffPackage,
    HandoffRequest,
    TurnRequest,
)
from tandem.settings import Settings
from tandem.store import TicketStore
from tests.conftest import new_ticket
from worker import _store_activities, workflow_build_id
from workflows.conversation import SupportConversation

CALLS: list[str] = []


@activity.defn(name="ai_turn")
def refused_turn(request: AiTurnRequest) -> AiTurnResult:
    CALLS.append("ai_turn")
    raise ApplicationError("the model refused the API key", type="CohereUnauthorized", non_retryable=True)


@activity.defn(name="answer_turn")
def refused_draft(request: TurnRequest) -> GeneratedReply:
    raise ApplicationError("the model refused the API key", type="CohereUnauthorized", non_retryable=True)


@activity.defn(name="categorize")
def no_category(request: CategoryRequest) -> str | None:
    return None


@activity.defn(name="prepare_handoff")
def refused_handoff(request: HandoffRequest) -> HandoffPackage:
    raise ApplicationError("the model refused the API key", type="CohereUnauthorized", non_retryable=True)


async def test_an_ai_that_cannot_answer_hands_the_customer_to_a_person_at_once(
    local_env: WorkflowEnvironment, settings: Settings, store: TicketStore
) -> None:
    queue = settings.model_copy(update={"task_queue": f"tandem-test-{uuid.uuid4().hex[:8]}"})
    tandem = TandemClient.from_settings(local_env.client, queue)
    start = new_ticket()
    CALLS.clear()
    async with Worker(
        local_env.client,
        task_queue=queue.task_queue,
        workflows=[SupportConversation],
        activities=[*_store_activities(store), refused_turn, refused_draft, no_category, refused_handoff],
        activity_executor=ThreadPoolExecutor(4),
        build_id=workflow_build_id(),
    ):
        response = await tandem.send_message(start.ticket_id, "How much is an outgoing wire?", start=start)
        transcript = await tandem.transcript(start.ticket_id)

    assert CALLS == ["ai_turn"], "a refusal that will not change is not asked again"
    assert response.state is ConversationState.WAITING_FOR_HUMAN and response.escalation.escalate
    assert "ai_unavailable" in {r.code for r in response.escalation.reasons}
    # The customer is told what happens next, and that they will not have to repeat themselves.
    assert "won't need to repeat" in response.text, response.text
    assert [e.author for e in transcript] == [Author.CUSTOMER, Author.AI]
    stored = store.get_ticket(start.ticket_id)
    assert stored is not None and stored.escalated
    recorded = store.escalations(start.ticket_id)
    assert [e.trigger for e in recorded] == ["turn"]
    assert "ai_unavailable" in {r.code for r in recorded[0].reasons}, "the reason is kept for the team"
