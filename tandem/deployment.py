"""The deployment's answering parts, built from its settings and store: the knowledge backend, the turn
answerer and the escalation engine. The worker runs them in activities; `tandem replay` runs the same parts
in-process on stored turns, so what it reports is what the next deploy would answer."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.escalation.engine import EscalationEngine
from tandem.escalation.policy import load_policy
from tandem.knowledge.embeddings import usable_embedder
from tandem.knowledge.interfaces import Embedder, KnowledgeBackend, Reranker
from tandem.knowledge.lexicon import StoreLexicon, StoreTicketSpeller
from tandem.knowledge.service import KnowledgeService
from tandem.responder.factory import make_responder
from tandem.responder.pipeline import ReplyPipeline
from tandem.responder.turn import TurnAnswerer
from tandem.settings import Settings
from tandem.store import TicketStore


@dataclass(frozen=True)
class TurnParts:
    knowledge: KnowledgeBackend
    answerer: TurnAnswerer
    escalation: EscalationEngine


def build_turn_parts(settings: Settings, store: TicketStore) -> TurnParts:
    embedder = usable_embedder(settings)  # a Cohere outage never keeps the worker from starting
    knowledge = build_knowledge(settings, store, embedder)
    policy = load_policy(settings.policy_file) if settings.policy_file else None
    escalation = EscalationEngine(
        policy,
        embedder=embedder,
        # The deployment's own ticket history teaches the policy's topics, when it has any: reading the
        # history costs a worker start-up about 0.2 s.
        history=store.resolved_tickets() if policy is not None and policy.topics else (),
    )
    answerer = TurnAnswerer(knowledge, ReplyPipeline(make_responder(settings, knowledge.lexicon)))
    return TurnParts(knowledge, answerer, escalation)


def build_knowledge(settings: Settings, store: TicketStore, embedder: Embedder) -> KnowledgeBackend:
    """Embedded hybrid index by default; Weaviate when configured. Cohere reranks when a key is set."""
    if settings.knowledge_backend == "weaviate":
        from tandem.adapters.weaviate_backend import WeaviateKnowledge

        return WeaviateKnowledge.from_settings(
            settings,
            embedder,
            lexicon=StoreLexicon(store),
            ticket_speller=StoreTicketSpeller(store),
            still_quotable=lambda ids: set(store.get_articles(ids)),
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
