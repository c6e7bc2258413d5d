"""Long conversations continue-as-new when Temporal suggests it, and nothing is lost across the boundary."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tandem import search_attributes as sa
from tandem.binaries import temporal_cli
from tandem.client import TandemClient
from tandem.contracts import Author, ConversationState
from tandem.settings import Settings
from tandem.store import TicketStore
from tests.conftest import new_ticket, running_worker

SUGGEST_AFTER_EVENTS = 40  # the dev server suggests continue-as-new far sooner than its default


@pytest.fixture(scope="module")
async def short_history_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        search_attributes=list(sa.ALL),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
        dev_server_extra_args=[
            "--dynamic-config-value",
            f"limit.historyCount.suggestContinueAsNew={SUGGEST_AFTER_EVENTS}",
        ],
    )
    async with env:
        yield env


async def test_conversation_carries_on_across_continue_as_new(
    short_history_env: WorkflowEnvironment, settings: Settings, store: TicketStore
) -> None:
    start = new_ticket(product="credit_cards")
    tid = start.ticket_id
    questions = [
        # Each one answered from the help center, so no run of unsure answers escalates the conversation.
        "What does the Gold Rewards Card earn on purchases?",
        "Is there an annual fee on the platinum rewards card?",
        "How much cash back does the Platinum Rewards Card earn?",
        "What is the annual fee for the Diamond Elite Card?",
    ]
    async with running_worker(short_history_env, settings) as tandem:
        tandem: TandemClient
        first = await tandem.send_message(tid, questions[0], message_id="q0", start=start)
        for i, question in enumerate(questions[1:], start=1):
            await tandem.send_message(tid, question, message_id=f"q{i}")
        again = await tandem.send_message(tid, questions[0], message_id="q0")  # a retry after the boundary
        status = await tandem.status(tid)
        transcript = await tandem.transcript(tid)
        description = await short_history_env.client.get_workflow_handle(f"ticket-{tid}").describe()

    assert description.run_id != description.raw_description.workflow_execution_info.first_run_id
    assert again == first, "a retried message is answered from memory, not run again"
    assert status.state is ConversationState.AI_ACTIVE
    assert status.ai_turns == len(questions)
    stored = store.transcript(tid)
    assert [e.message_id for e in transcript] == [e.message_id for e in stored]
    assert [e.author for e in stored].count(Author.CUSTOMER) == len(questions)
