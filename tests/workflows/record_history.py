"""Record the history that tests/workflows/test_replay.py replays.

Before the first release, re-record after a change that alters history; from the first release on, guard such
a change with workflow.patched and record a new file beside the old ones, so later changes replay them all:
    .venv/bin/python -m tests.workflows.record_history conversation-<date>

The conversation touches every path of the workflow: cited AI answers, an "I'm not sure", a request for a
person with a draft for the agent (from the question before the unsure one), a takeover with a held message
and its draft, a hand-back and an AI answer after it, close with a note, a rating, a reopen and a close.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tandem import search_attributes as sa
from tandem.binaries import temporal_cli
from tandem.client import TandemClient
from tandem.contracts import ConversationState, Resolution
from tandem.knowledge.ingest import ingest_path
from tandem.knowledge.loaders import load_tickets_jsonl
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine
from tests.conftest import HELPCENTER, TICKET_HISTORY, new_ticket, running_worker, wait_for_state

HISTORIES = Path(__file__).parent / "histories"
# Questions the bundled help center answers for customers, with citations (Purple Account articles).
ANSWERED = (
    "How much travel insurance coverage does the Purple Account include?",
    "Thanks! How can I get the monthly maintenance fee waived?",
    "How many complimentary airport lounge visits does the Purple Account include?",
)


async def record(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/tandem.db")
        engine = make_engine(settings.resolved_database_url)
        create_schema(engine)
        store = TicketStore(engine)
        ingest_path(store, HELPCENTER, progress=False)
        store.import_resolved_tickets(load_tickets_jsonl(TICKET_HISTORY))  # the first message's category
        async with (
            await WorkflowEnvironment.start_local(
                dev_server_existing_path=temporal_cli(),
                search_attributes=list(sa.ALL),
                data_converter=pydantic_data_converter,
                dev_server_log_level="error",
            ) as env,
            running_worker(env, settings) as tandem,
        ):
            start = new_ticket(product="checking_accounts")
            tid = start.ticket_id
            asked = await tandem.send_message(tid, ANSWERED[0], start=start)
            unsure = await tandem.send_message(
                tid, "What's the weather going to be like on Mars next Tuesday?"
            )
            assert asked.sources and not unsure.sources, "one cited answer, then an honest 'not sure'"
            await tandem.request_human(tid)
            await wait_for_state(tandem, tid, ConversationState.WAITING_FOR_HUMAN)
            await _draft_for(tandem, tid, asked.message_id)  # the unsure turn is skipped for the draft
            await tandem.take_over(tid, "grace")
            await tandem.reply(tid, "grace", "Hi Ada, I can help with the Purple Account.")
            held = await tandem.send_message(tid, ANSWERED[1])
            await _draft_for(tandem, tid, held.message_id)
            await tandem.hand_back(tid, "grace")
            await tandem.send_message(tid, ANSWERED[2])
            await tandem.close(tid, Resolution.RESOLVED_BY_HUMAN, by="grace", note="explained")
            await tandem.submit_csat(tid, 4, "thanks")
            await tandem.reopen(
                tid, "One more thing: is there a monthly maintenance fee on the Purple Account?"
            )
            await tandem.close(tid, Resolution.RESOLVED_BY_AI, by="customer")
            history = await env.client.get_workflow_handle(f"ticket-{tid}").fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    path = HISTORIES / f"{name}.json"
    path.write_text(history.to_json())
    print(f"wrote {path} ({len(history.events)} events)")


async def _draft_for(tandem: TandemClient, ticket_id: str, message_id: str) -> None:
    """Drafts are prepared after the update returns: wait for the one for `message_id`."""
    for _ in range(200):
        draft = await tandem.draft(ticket_id)
        if draft is not None and draft.for_message_id == message_id:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no draft for {message_id}")


if __name__ == "__main__":
    # Keep the old files: each one proves today's code still replays conversations started by older code.
    # (Before the first release an incompatible workflow change may replace them instead of workflow.patched.)
    asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "conversation"))
