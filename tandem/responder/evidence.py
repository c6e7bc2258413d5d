"""Evidence that resolved tickets know a question: how strongly the nearest ones match it (see
`tandem.responder.confidence` for the validation behind each factor). A reply's own confidence, measured on
what it quotes, is `tandem.responder.answer_confidence`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tandem.contracts import SimilarTicket
from tandem.knowledge.embeddings import default_embedder, normalize_rows

# s / (s + 0.1): the hybrid retriever's scores for an answerable question (0.25 to 0.7) give 0.7 to 0.9, a
# passage it barely found (0.02) 0.17. Unnormalised scores (raw BM25) need a half point on their own scale.
DEFAULT_SCORE_HALF_POINT = 0.1
TICKET_MATCH_TICKETS = 3  # the workflow retrieves three similar tickets a turn
# Weight of the category model's probability in the ticket match: 0.1 and 0.3 are within 0.0004 AUROC on
# the clinc150 folds, but from 0.3 on banking77 (77 close intents share probability) loses; 0.2 holds both.
CATEGORY_EXPONENT = 0.2
# 0.29 ** 0.85 = 0.349: where the F1 of abstaining peaked for similarity * coverage on the validation sets
TICKET_MATCH_EXPONENT = 0.85


def ticket_match(message: str, tickets: Sequence[SimilarTicket]) -> float:
    """How strongly resolved tickets match the message, in [0, 1]: `match_strength` of the best three.

    The best three by the index's similarity, each with its `subject_coverage` of the message. Where the
    index supplies them, its neighbourhood (mean dense cosine of the ten nearest tickets) stands for their
    similarity and their category probabilities join in; tickets from a backend without them (or from an
    older workflow history) are measured by their scores alone.
    """
    best = sorted(tickets, key=lambda t: -t.score)[:TICKET_MATCH_TICKETS]
    message_tokens = _token_units(message)  # once for the three subjects
    coverages = [_coverage(message_tokens, t.subject) for t in best]
    neighbourhood = [t.neighbourhood for t in best if t.neighbourhood is not None]
    scores = [neighbourhood[0]] if neighbourhood else [t.score for t in best]
    probabilities = [t.category_probability for t in best if t.category_probability is not None]
    return match_strength(scores, coverages, probabilities or None)


def match_strength(
    scores: Sequence[float], coverages: Sequence[float], category_probabilities: Sequence[float] | None = None
) -> float:
    """(mean similarity * mean coverage * mean category probability ** 0.2) ** 0.85, in [0, 1].

    0 without scores or coverages; without category probabilities (None) that factor is 1. The three means
    may be over different counts (one neighbourhood similarity, three coverages).

    Similarity says the message reads like the past questions: the ticket index's neighbourhood (mean dense
    cosine of the ten nearest tickets) or, without one, the mean of the tickets' scores. Coverage says it
    also asks what they asked: a message that shares a question's frame but swaps its subject ("how long
    until my milk expires" against "how long until my card expires") is similar but leaves the subject's
    word uncovered. The category probability (the index's softmax model, P(ticket's category | message))
    says it asks what one intent of the history asks: an out-of-scope message in a banking frame spreads its
    probability over several intents. A mean over several tickets rather than the best one: a question that
    recurs in the history is answerable, a single near-paraphrase is less telling.

    The validation behind each factor (AUROC and F1 of abstaining on held-out clinc150 train questions,
    banking77 and bitext queries; never clinc150's scope.jsonl) is in `tandem.responder.confidence`.
    The exponent only places the threshold: the F1 of abstaining peaked at a product (before ** 0.85) of
    0.28 to 0.31 on those sets (0.27 to 0.31 for the earlier measure); 0.29 ** 0.85 = 0.349, the default.
    Calibrated with the default embedder (WordLlama); another embedder's cosines sit on another scale.
    """
    if not scores or not coverages:
        return 0.0
    similarity = sum(min(max(s, 0.0), 1.0) for s in scores) / len(scores)
    coverage = sum(min(max(c, 0.0), 1.0) for c in coverages) / len(coverages)
    category = 1.0
    if category_probabilities:
        category = sum(min(max(p, 0.0), 1.0) for p in category_probabilities) / len(category_probabilities)
    return (similarity * coverage * category**CATEGORY_EXPONENT) ** TICKET_MATCH_EXPONENT


def subject_coverage(message: str, subject: str) -> float:
    """How much of a past ticket's subject the message covers, in [0, 1], from WordLlama's token vectors.

    Each subject token counts with its best cosine to a message token, weighted by its vector norm (WordLlama
    average-pools unnormalised token vectors, so the norm is how much a token weighs in its embeddings:
    "my" 3.9, "milk" 17). A max-match rather than the pooled cosine: one uncovered telling word, drowned in
    the average, shows. Only this direction: the message's own extra words (a merchant, a place) are
    common in questions the tickets answer. 0 when either has no token.
    """
    return _coverage(_token_units(message), subject)


def _token_units(text: str) -> np.ndarray:
    # The bundled WordLlama's token vectors whatever embedder retrieval uses, so one threshold holds.
    return normalize_rows(default_embedder().token_vectors(text))


def _coverage(message_units: np.ndarray, subject: str) -> float:
    subject_vectors = default_embedder().token_vectors(subject)
    weight = np.linalg.norm(subject_vectors, axis=1)
    if not len(message_units) or not len(subject_vectors) or weight.sum() <= 0:
        return 0.0
    best = np.clip((normalize_rows(subject_vectors) @ message_units.T).max(axis=1), 0.0, 1.0)
    return float((best * weight).sum() / weight.sum())
