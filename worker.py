"""The Tandem worker: registers the SupportConversation workflow and its activities on the task queue."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.escalation import EscalationActivities
from activities.generation import GenerationActivities
from activities.handoff import HandoffActivities
from activities.knowledge import KnowledgeActivities
from activities.store import StoreActivities
from tandem.escalation.engine import EscalationEngine
from tandem.escalation.policy import load_policy
from tandem.knowledge.embeddings import usable_embedder
from tandem.knowledge.interfaces import KnowledgeBackend, Reranker
from tandem.knowledge.lexicon import StoreLexicon, StoreTicketSpeller
from tandem.knowledge.service import KnowledgeService
from tandem.responder.factory import make_responder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer
from tandem.settings import Settings, get_settings
from tandem.store import TicketStore, create_schema, make_engine
from tandem.temporal_client import connect
from workflows.conversation import SupportConversation

# Activities are synchronous (database, numpy); they run on this many threads.
ACTIVITY_THREADS = 16
log = logging.getLogger(__name__)


def build_activities(settings: Settings) -> list:
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    store = TicketStore(engine)
    embedder = usable_embedder(settings)  # a Cohere outage never keeps the worker from starting
    knowledge = build_knowledge(settings, store, embedder)
    escalation = EscalationEngine(
        load_policy(settings.policy_file) if settings.policy_file else None,
        embedder=embedder,
        history=store.resolved_tickets(),  # the deployment's own ticket history teaches its topics
    )
    knowledge_acts = KnowledgeActivities(knowledge, store)
    generation_acts = GenerationActivities(
        TurnAnswerer(knowledge, ReplyPipeline(make_responder(settings, knowledge.lexicon)))
    )
    escalation_acts = EscalationActivities(escalation)
    store_acts = StoreActivities(store)
    handoff_acts = HandoffActivities()
    return [
        knowledge_acts.categorize,
        generation_acts.answer_turn,
        escalation_acts.check_escalation,
        store_acts.open_ticket,
        store_acts.write,
        store_acts.record_csat,
        store_acts.record_handoff,
        handoff_acts.prepare_handoff,
    ]


def build_knowledge(settings: Settings, store: TicketStore, embedder) -> KnowledgeBackend:
    """Embedded hybrid index by default; Weaviate when configured. Cohere reranks when a key is set."""
    if settings.knowledge_backend == "weaviate":
        from tandem.adapters.weaviate_backend import WeaviateKnowledge

        return WeaviateKnowledge.from_settings(
            settings, embedder, lexicon=StoreLexicon(store), ticket_speller=StoreTicketSpeller(store)
        )
    reranker: Reranker | None = None
    if settings.cohere_api_key:
        from tandem.adapters.cohere_rerank import CohereReranker

        reranker = CohereReranker(
            settings.cohere_api_key, settings.cohere_rerank_model, base_url=settings.cohere_base_url
        )
    knowledge = KnowledgeService.from_settings(store, settings, reranker, embedder=embedder)
    knowledge.warm()  # build the indexes now, not on the first customer's message
    return knowledge


def build_worker(client: Client, settings: Settings) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[SupportConversation],
        activities=build_activities(settings),
        activity_executor=ThreadPoolExecutor(ACTIVITY_THREADS),
        max_concurrent_activities=ACTIVITY_THREADS,
    )


async def run_worker(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    client = await connect(settings)
    worker = build_worker(client, settings)
    log.info("worker polling task queue %s", settings.task_queue)
    await worker.run()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run_worker())


if __name__ == "__main__":
    main()
