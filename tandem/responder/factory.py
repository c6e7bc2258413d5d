"""Which responder a deployment uses: Cohere when an API key is configured, else the offline responder."""

from __future__ import annotations

from collections.abc import Callable

from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.responder.offline import OfflineResponder
from tandem.responder.pipeline import Responder
from tandem.settings import Settings


def make_responder(settings: Settings, lexicon: Callable[[], HelpCenterLexicon] | None = None) -> Responder:
    """`CohereResponder` (settings.cohere_chat_model) when `cohere_api_key` is set, else `OfflineResponder`.

    Both use `answer_confidence_threshold`; the Cohere client has the SDK's retries off (Temporal retries).
    `lexicon` (the knowledge backend's): product names keep a reply to the product asked about, and word
    specificity weighs the confidence (both responders).
    """
    if settings.cohere_api_key:
        # Here: an offline deployment never loads the Cohere SDK (and httpx with it).
        from tandem.adapters.cohere_client import make_cohere_client
        from tandem.responder.cohere_responder import CohereResponder

        client = make_cohere_client(settings.cohere_api_key, settings.cohere_base_url)
        return CohereResponder(
            client,
            settings.cohere_chat_model,
            confidence_threshold=settings.answer_confidence_threshold,
            lexicon=lexicon,
        )
    return OfflineResponder(confidence_threshold=settings.answer_confidence_threshold, lexicon=lexicon)
