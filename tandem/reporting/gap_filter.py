"""Which unanswered messages are content gaps: questions about the business that no article answers.

Left out, so the list holds what a writer can act on:
- small talk ("hi", "thanks!", "ok") and messages that only say what the customer has ("I have the Navy
  Blue account"); a terse query ("reset PIN on card") is a question;
- venting or abuse that asks nothing and reports no problem ("you are useless");
- text addressed to an AI ("ignore previous instructions ...", tandem.knowledge.injection);
- off-topic questions: the nearest help-center article is further than `OFF_TOPIC_COSINE` (WordLlama cosine,
  the embedder bundled with Tandem) from the question. The cut is cautious on purpose: a real gap dropped
  from the list is worse than an off-topic one kept. Against the bundled Rho-Bank help center it leaves out
  32% of clinc150's out-of-scope questions (weather, jokes, travel, 2,500) and 0.3% of its banking and credit
  card ones (600); "Can I open a Roth IRA?" (0.27) stays a gap, "what's the weather like today?" (0.13)
  does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tandem.escalation.signals import frustration
from tandem.knowledge.bm25_index import analyze
from tandem.knowledge.documents import Article
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.injection import injection_reason
from tandem.knowledge.query_analysis import without_chatter
from tandem.responder.message_kinds import only_tells_what_they_have, reports_problem
from tandem.responder.question_parts import FILLER, asks_anything

OFF_TOPIC_COSINE = 0.2
_ARTICLE_CHARS = 500  # title and the opening of the body: what an article is about


class GapFilter:
    """`keeps(question)`: whether an unanswered message belongs on the content-gap list."""

    def __init__(self, articles: Sequence[Article]) -> None:
        public = [a for a in articles if not a.internal]
        self._model = default_embedder()
        self._articles = (
            self._model.embed_documents([f"{a.title}\n{a.body[:_ARTICLE_CHARS]}" for a in public])
            if public
            else None
        )

    def why_not(self, question: str) -> str | None:
        """Why the message is no content gap, or None when it is one."""
        if injection_reason(question) is not None:
            return "addressed to an AI"
        if not without_chatter(question).strip() or not set(analyze(question)) - FILLER:
            return "small talk"
        if only_tells_what_they_have(question):
            return "asks nothing"
        if (
            frustration(question) is not None
            and not asks_anything(question)
            and not reports_problem(question)
        ):
            return "venting or abuse"
        if self._articles is not None:
            nearest = float(np.max(self._articles @ self._model.embed_query(question)))
            if nearest < OFF_TOPIC_COSINE:
                return "off topic"
        return None

    def keeps(self, question: str) -> bool:
        return self.why_not(question) is None

    def embed(self, question: str) -> np.ndarray:
        """The question's embedding (unit length), for grouping gaps that ask the same thing."""
        return self._model.embed_query(question)
