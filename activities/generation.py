"""Reply generation activity: looks the cited passages up by id, then asks the responder."""

from __future__ import annotations

from temporalio import activity

from tandem.contracts import GeneratedReply, GenerationRequest
from tandem.knowledge.service import KnowledgeService
from tandem.responder.offline import OfflineResponder


class GenerationActivities:
    def __init__(self, responder: OfflineResponder, knowledge: KnowledgeService) -> None:
        self._responder = responder
        self._knowledge = knowledge

    @activity.defn
    def generate_reply(self, request: GenerationRequest) -> GeneratedReply:
        # Only ids travel through workflow history; the passages themselves are read here.
        passages = self._knowledge.articles([a.id for a in request.articles])
        return self._responder.respond(request, passages)
