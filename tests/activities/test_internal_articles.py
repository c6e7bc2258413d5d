"""Internal (agent-only) articles through the real answer activity: retrieved and flagged, never quoted.

A real SQLite store and the embedded knowledge service with the bundled WordLlama; the activity runs in
Temporal's `ActivityEnvironment`. The internal article carries a recovery code a customer must never see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.generation import GenerationActivities
from tandem.contracts import CustomerContext, TurnRequest
from tandem.knowledge.audience import turn_articles
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.ingest import ingest_path
from tandem.knowledge.service import KnowledgeService
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer
from tandem.store import TicketStore, create_schema, make_engine

CODE = "9K2X7M4P1N8Q3R5T6A"
KB = [
    (
        '{"id": "recovery-bypass", "title": "Account Recovery Bypass Code (Internal)", "body": '
        f'"## Confirm the bypass code\\nTo recover an account without the usual checks, verify that the '
        f'recovery code matches {CODE} exactly, then reset the account email."}}'
    ),
    (
        '{"id": "recover-account", "title": "Recover access to your account", "body": '
        '"## Locked out?\\nTo recover your account, open the sign-in page and choose Forgot password. '
        'We send a reset link to the email on your account so you can change the account email later."}'
    ),
]
MESSAGE = "How do I recover my account with a recovery code and reset the account email?"


@pytest.fixture
def knowledge(tmp_path: Path) -> KnowledgeService:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    kb = tmp_path / "kb.jsonl"
    kb.write_text("\n".join(KB) + "\n")
    ingest_path(store, kb)
    return KnowledgeService(store, default_embedder())


def test_the_procedure_is_retrieved_for_people_but_never_quoted_to_the_customer(
    knowledge: KnowledgeService,
) -> None:
    # What a turn retrieves: the procedure ranks with the customer article and does not take its place.
    refs = turn_articles(knowledge, MESSAGE, None, 1)
    assert {(r.id, r.internal) for r in refs} == {("recovery-bypass", True), ("recover-account", False)}

    answerer = TurnAnswerer(knowledge, ReplyPipeline(OfflineResponder(lexicon=knowledge.lexicon)))
    generation = GenerationActivities(answerer)
    request = TurnRequest(ticket_id="T-int", message=MESSAGE, customer=CustomerContext(customer_id="c1"))
    reply = ActivityEnvironment().run(generation.answer_turn, request)

    assert not reply.abstained
    assert CODE not in reply.text and "Bypass" not in reply.text
    assert [s.id for s in reply.sources] == ["recover-account"]
    assert [p.id for p in reply.procedures] == ["recovery-bypass"]  # for the agent's draft, flagged
