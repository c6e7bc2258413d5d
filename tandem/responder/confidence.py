"""How sure a reply may be, from the evidence behind it: shared by the offline and the Cohere responder.

The offline responder's measure (see `OfflineResponder`) is

    evidence = sqrt(coverage * retrieval)

  coverage  = IDF-weighted share of the message's distinct content words found in the cited text of one
              source (the best-supported one), IDF taken over the sentences of all given passages;
  retrieval = s / (s + score_half_point) for the top retrieval score s among the sources.

This module computes the same two numbers for a source as a whole (a model paraphrases, so what it used of a
document is the document, not a sentence we picked) and adds the third factor a generated answer needs:

  citation coverage = share of the answer's (non-whitespace) characters inside spans the model cited.

    grounded confidence = sqrt(coverage * retrieval * citation_coverage)

An extractive reply is cited throughout (citation coverage 1), so for the same evidence both responders give
the same number and one threshold (`settings.answer_confidence_threshold`) serves both.

The sentence splitting, filler list and IDF weights are the offline responder's own (imported, not copied),
so both measure words the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tandem.knowledge.bm25_index import analyze
from tandem.responder.offline import _FILLER, _term_weights, _units

DEFAULT_SCORE_HALF_POINT = 0.5  # the offline responder's default, fit to the hybrid retriever's [0, 1] scores


@dataclass(frozen=True, slots=True)
class Evidence:
    """Retrieval evidence for a set of cited sources."""

    coverage: float  # IDF-weighted share of the message's content words in the best-supported cited source
    retrieval: float  # s / (s + half point) for the best retrieval score among the cited sources

    @property
    def strength(self) -> float:
        """The offline responder's confidence: sqrt(coverage * retrieval)."""
        return min(1.0, math.sqrt(self.coverage * self.retrieval))


NO_EVIDENCE = Evidence(coverage=0.0, retrieval=0.0)


def query_terms(message: str) -> set[str]:
    """The message's content words: analyzed (stopwords out, stemmed if available), chat filler out."""
    return set(analyze(message)) - _FILLER


def retrieval_evidence(score: float, score_half_point: float = DEFAULT_SCORE_HALF_POINT) -> float:
    """s / (s + half point): a score of `score_half_point` maps to 0.5; negative scores count as 0."""
    if score_half_point <= 0:
        raise ValueError(f"score_half_point must be positive, got {score_half_point}")
    score = max(score, 0.0)
    return score / (score + score_half_point)


def source_evidence(
    message: str,
    texts: Sequence[str],
    scores: Sequence[float],
    cited: Iterable[int],
    score_half_point: float = DEFAULT_SCORE_HALF_POINT,
) -> Evidence:
    """Evidence for the sources at positions `cited` among all given passages (`texts`, `scores`).

    IDF weights come from the sentences of every passage, as in the offline responder; coverage is that of
    the best-supported cited source, retrieval that of the best-scored cited source.
    """
    if len(texts) != len(scores):
        raise ValueError("texts and scores must have the same length")
    query = query_terms(message)
    cited = sorted({i for i in cited if 0 <= i < len(texts)})
    if not query or not cited:
        return NO_EVIDENCE
    units = [unit for index, text in enumerate(texts) for unit in _units(text, index)]
    weight = _term_weights(units, query)
    total = sum(weight.values())
    covered: dict[int, set[str]] = {i: set() for i in cited}
    for unit in units:
        if unit.source in covered:
            covered[unit.source].update(unit.terms & query)
    coverage = max(sum(weight[t] for t in terms) for terms in covered.values()) / total if total else 0.0
    retrieval = retrieval_evidence(max(scores[i] for i in cited), score_half_point)
    return Evidence(coverage=coverage, retrieval=retrieval)


def citation_coverage(text: str, spans: Iterable[tuple[int, int]]) -> float:
    """Share of the non-whitespace characters of `text` inside the union of the [start, end) spans."""
    inside = [False] * len(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            inside[i] = True
    counted = [flag for ch, flag in zip(text, inside, strict=True) if not ch.isspace()]
    return sum(counted) / len(counted) if counted else 0.0


def grounded_confidence(evidence: Evidence, cited_share: float) -> float:
    """sqrt(coverage * retrieval * citation coverage), in [0, 1]."""
    share = min(max(cited_share, 0.0), 1.0)
    return min(1.0, math.sqrt(evidence.coverage * evidence.retrieval * share))
