"""Reply generation activity: looks the cited passages up by id, then runs the reply pipeline.

A failed Cohere call becomes a Temporal `ApplicationError` (`to_application_error`), so the activity's retry
policy owns retrying: throttling, timeouts and server errors are retried (after the server's Retry-After, when
it sent one); a request the API rejects (other 4xx) is not, since the same request would fail again.
"""

from __future__ import annotations

from temporalio import activity

from tandem.adapters.cohere_client import CohereError, to_application_error
from tandem.contracts import GeneratedReply, GenerationRequest
from tandem.knowledge.audience import customer_facing
from tandem.knowledge.interfaces import KnowledgeBackend
from tandem.responder.pipeline import ReplyPipeline


class GenerationActivities:
    def __init__(self, pipeline: ReplyPipeline, knowledge: KnowledgeBackend) -> None:
        self._pipeline = pipeline
        self._knowledge = knowledge

    @activity.defn
    def generate_reply(self, request: GenerationRequest) -> GeneratedReply:
        try:
            # Only ids travel through workflow history; the passages themselves are read here, and only those
            # a customer reply may quote (internal procedures are never shown to the responder).
            passages = self._knowledge.articles([a.id for a in customer_facing(request.articles)])
            return self._pipeline.reply(request, passages)
        except CohereError as exc:
            raise to_application_error(exc) from exc
