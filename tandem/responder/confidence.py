"""Citation coverage and query terms for a generated (Cohere) answer's confidence.

A reply's confidence is `tandem.responder.answer_confidence` on what it quotes or cites. A generated answer
needs a third factor:

  citation coverage = share of the answer's (non-whitespace) characters inside spans the model cited.

    grounded confidence = quoted * sqrt(citation_coverage)

An extractive reply is cited throughout (citation coverage 1), so for the same evidence both responders give
the same number and one threshold (`settings.answer_confidence_threshold`) serves both.
"""

from __future__ import annotations

from collections.abc import Iterable

from tandem.knowledge.bm25_index import analyze
from tandem.responder.question_parts import FILLER

__all__ = ["citation_coverage", "query_terms"]


def query_terms(message: str) -> set[str]:
    """The message's content words: analyzed (stopwords out, stemmed if available), chat filler out."""
    return set(analyze(message)) - FILLER


def citation_coverage(text: str, spans: Iterable[tuple[int, int]]) -> float:
    """Share of the non-whitespace characters of `text` inside the union of the [start, end) spans."""
    inside = [False] * len(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            inside[i] = True
    counted = [flag for ch, flag in zip(text, inside, strict=True) if not ch.isspace()]
    return sum(counted) / len(counted) if counted else 0.0
