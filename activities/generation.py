"""The answer activity: one AI turn's reply (focus, retrieval, similar tickets, the reply pipeline).

A failed Cohere call becomes a Temporal `ApplicationError` (`to_application_error`), so the activity's retry
policy owns retrying: throttling, timeouts and server errors are retried (after the server's Retry-After, when
it sent one); a request the API rejects (other 4xx) is not, since the same request would fail again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio import activity

from activities.heartbeat import heartbeating
from tandem.adapters.cohere_errors import CohereError, to_application_error
from tandem.contracts import GeneratedReply, TurnRequest

if TYPE_CHECKING:  # the workflow process imports this module for its activity names: not the models
    from tandem.responder.turn import TurnAnswerer


class GenerationActivities:
    def __init__(self, answerer: TurnAnswerer) -> None:
        self._answerer = answerer

    @activity.defn
    def answer_turn(self, request: TurnRequest) -> GeneratedReply:
        """Only ids and short texts travel through workflow history; articles are read here."""
        try:
            with heartbeating():  # a dead worker is noticed in seconds, even during a long model call
                return self._answerer.answer(request)
        except CohereError as exc:
            raise to_application_error(exc) from exc
