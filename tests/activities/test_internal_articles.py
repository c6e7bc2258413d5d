"""Internal (agent-only) articles through the real activities: retrieved and flagged, never quoted.

A real SQLite store and the embedded knowledge service with the bundled WordLlama; the activities run in
Temporal's `ActivityEnvironment`. The internal article carries a recovery code a customer must never see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.generation import GenerationActivities
from activities.knowledge import KnowledgeActivities
from tandem.contracts import CustomerContext, GenerationRequest, RetrievalRequest
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.ingest import ingest_path
from tandem.knowledge.service import KnowledgeService
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import ReplyPipeline
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


@pytest.fixture
def activities(tmp_path: Path) -> tuple[KnowledgeActivities, GenerationActivities]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    kb = tmp_path / "kb.jsonl"
    kb.write_text("\n".join(KB) + "\n")
    ingest_path(store, kb)
    knowledge = KnowledgeService(store, default_embedder())
    return KnowledgeActivities(knowledge, store), GenerationActivities(
        ReplyPipeline(OfflineResponder()), knowledge
    )


def test_the_procedure_is_retrieved_for_people_but_never_quoted_to_the_customer(
    activities: tuple[KnowledgeActivities, GenerationActivities],
) -> None:
    knowledge, generation = activities
    env = ActivityEnvironment()
    message = "How do I recover my account with a recovery code and reset the account email?"
    refs = env.run(knowledge.retrieve_articles, RetrievalRequest(query=message, limit=1))
    assert {(r.id, r.internal) for r in refs} == {("recovery-bypass", True), ("recover-account", False)}

    reply = env.run(
        generation.generate_reply,
        GenerationRequest(
            ticket_id="T-int", message=message, customer=CustomerContext(customer_id="c1"), articles=refs
        ),
    )
    assert CODE not in reply.text and "Bypass" not in reply.text
    assert [s.id for s in reply.sources] == ["recover-account"]
    assert [p.id for p in reply.procedures] == ["recovery-bypass"]  # for the agent's draft, flagged
