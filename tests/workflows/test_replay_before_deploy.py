"""`tandem replay` on a store of real recorded conversations (dev server, its own store): with nothing
changed, nothing is reported and the exit code says so; after a help-center change that alters one answer,
exactly that turn is reported; and one ticket's history reads as a timeline and replays deterministically."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tandem.deployment import build_turn_parts
from tandem.evaluation.replay import replay_store
from tandem.knowledge.ingest import ingest_path
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine
from tests.conftest import new_ticket, running_worker
from tests.test_cli import _cli

ARTICLES = {
    "renew": "# Renewing a Quokka pass\n\nTo renew a Quokka pass, open the Passes tab and tap Renew. "
    "The renewed Quokka pass keeps its number.\n",
    "fees": "# Quokka pass fees\n\n- Quokka pass replacement fee: $15.00\n- Quokka pass monthly fee: $4.00\n",
    "lost": "# Reporting a lost Quokka pass\n\nIf you lose your Quokka pass, freeze it in the Passes tab "
    "right away; a frozen pass cannot be used by anyone.\n",
}
QUESTIONS = {
    "renew": "How do I renew my Quokka pass?",
    "fees": "How much is the replacement fee for a Quokka pass?",
    "lost": "I lost my Quokka pass, what should I do?",
}


def _write(folder: Path, articles: dict[str, str]) -> None:
    for name, text in articles.items():
        (folder / "quokka" / f"{name}.md").write_text(text)


async def _replay(env: WorkflowEnvironment, settings: Settings, *args: str) -> tuple[int, str]:
    address = env.client.service_client.config.target_host
    result = await _cli(address, settings, "replay", *args, TANDEM_DATA_DIR=str(settings.data_dir))
    return result.returncode, result.stdout + result.stderr


async def test_replay_reports_exactly_the_turn_a_help_center_change_alters(
    local_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(
        data_dir=data_dir, database_url=f"sqlite:///{tmp_path / 'tandem.db'}", knowledge_version_ttl_s=0
    )
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    store = TicketStore(engine)
    folder = tmp_path / "helpcenter"
    (folder / "quokka").mkdir(parents=True)
    _write(folder, ARTICLES)
    ingest_path(store, folder, progress=False)

    tickets: dict[str, str] = {}
    async with running_worker(local_env, settings) as tandem:
        for name, question in QUESTIONS.items():
            start = new_ticket(customer_id=f"cust-{uuid.uuid4().hex[:6]}", product="quokka")
            reply = await tandem.send_message(start.ticket_id, question, start=start)
            assert reply.sources, (name, reply.text)
            tickets[name] = start.ticket_id

    parts = build_turn_parts(settings, store)
    unchanged = replay_store(store, parts.answerer, parts.escalation)
    assert (unchanged.turns, unchanged.changes) == (3, [])
    code, printed = await _replay(local_env, settings)
    assert code == 0 and "3 AI turns of 3 tickets: 0 would change" in printed, printed

    _write(folder, {"fees": ARTICLES["fees"].replace("$15.00", "$18.00")})
    ingest_path(store, folder, progress=False)
    code, printed = await _replay(local_env, settings, "--json")
    assert code == 1, printed
    summary = json.loads(printed)
    assert (summary["turns"], summary["changed"]) == (3, 1)
    [change] = summary["changes"]
    assert change["ticket_id"] == tickets["fees"] and "answer" in change["changed"]
    assert "$15.00" in change["before"]["body"] and "$18.00" in change["after"]["body"]

    code, printed = await _replay(local_env, settings, tickets["renew"])
    assert code == 0 and "Replays deterministically" in printed, printed
    assert "workflow execution started: SupportConversation" in printed and "ai_turn" in printed
