"""Reply generation activity: looks the cited passages up by id, then runs the reply pipeline."""

from __future__ import annotations

from temporalio import activity

from tandem.contracts import GeneratedReply, GenerationRequest
from tandem.knowledge.interfaces import KnowledgeBackend
from tandem.responder.pipeline import ReplyPipeline


class GenerationActivities:
    def __init__(self, pipeline: ReplyPipeline, knowledge: KnowledgeBackend) -> None:
        self._pipeline = pipeline
        self._knowledge = knowledge

    @activity.defn
    def generate_reply(self, request: GenerationRequest) -> GeneratedReply:
        # Only ids travel through workflow history; the passages themselves are read here.
        passages = self._knowledge.articles([a.id for a in request.articles])
        return self._pipeline.reply(request, passages)
