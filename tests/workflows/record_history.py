"""Record the history that tests/workflows/test_replay.py replays.

Record a new file after a workflow change (guarded with workflow.patched) so later changes replay it too:
    .venv/bin/python -m tests.workflows.record_history conversation-<date>
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
from tandem.contracts import Resolution
from tandem.knowledge.ingest import ingest_path
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine
from tests.conftest import HELPCENTER, new_ticket, running_worker, wait_for_state

HISTORIES = Path(__file__).parent / "histories"


async def record(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/tandem.db")
        engine = make_engine(settings.resolved_database_url)
        create_schema(engine)
        ingest_path(TicketStore(engine), HELPCENTER, progress=False)
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
            await tandem.send_message(tid, "How do I open a personal checking account?", start=start)
            await tandem.send_message(tid, "What are the eligibility requirements for a savings account?")
            await tandem.request_human(tid)
            from tandem.contracts import ConversationState

            await wait_for_state(tandem, tid, ConversationState.WAITING_FOR_HUMAN)
            await tandem.take_over(tid, "grace")
            await tandem.reply(tid, "grace", "Hi Ada, I can help with that.")
            await tandem.send_message(tid, "Thanks, is there a minimum deposit?")
            await tandem.hand_back(tid, "grace")
            await tandem.close(tid, Resolution.RESOLVED_BY_HUMAN, by="grace", note="explained")
            await tandem.submit_csat(tid, 4, "thanks")
            await tandem.reopen(tid, "One more thing: is there a monthly fee?")
            await tandem.close(tid, Resolution.RESOLVED_BY_AI, by="customer")
            history = await env.client.get_workflow_handle(f"ticket-{tid}").fetch_history()
    path = HISTORIES / f"{name}.json"
    path.write_text(history.to_json())
    print(f"wrote {path} ({len(history.events)} events)")


if __name__ == "__main__":
    # Keep the old files: each one proves today's code still replays conversations started by older code.
    asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "conversation"))
