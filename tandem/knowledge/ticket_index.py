"""Similar resolved tickets (hybrid BM25 + dense), re-ranked by the likely category of the message.

Past tickets are short, paraphrased questions with a category. Retrieval alone ranks a near-paraphrase of a
different intent next to true matches; the category is a much steadier signal, so it is both
`predict_category` and a re-ranking prior. Two estimates of it are mixed:

  similarity = (1 - dense_weight) * lexical + dense_weight * max(cosine, 0)      in [0, 1]
  vote(c)    = share of softmax((similarity - best) / temperature) over the top `neighbours` in category c
  model(c)   = P(c | message) of a softmax regression trained on the indexed tickets at build time
               (embedding + word 1-2-gram tf-idf; see ticket_classifier)
  prior(c)   = classifier_weight * model(c) + (1 - classifier_weight) * vote(c)
  predicted  = argmax prior(c)                                  (what `predict_category` returns)
  rank       = similarity + 1 for the predicted category's tickets, similarity for the others

With a model, the predicted category's tickets come first, most similar first, and other categories only
after them: the similar cases shown agree with the category recorded on the ticket, and an agent or the
responder is not handed a near-paraphrase of another intent. Measured against a soft boost
(similarity * (1 + 3 * prior / max prior) / 4, the previous ranking): banking77 precision@5 0.929 -> 0.932,
bitext 0.9951 -> 0.9956, in the harness that builds the index from the suite's tickets.

Results are ordered by rank; `SimilarTicket.score` is the similarity itself, an absolute measure of how close
the past question is to the message (the responder's confidence reads it). The prior decides the order only:
it says which neighbours share the likely intent, not how likely the message is to be answerable, and scaling
the score by it made in- and out-of-scope messages harder to tell apart (AUROC of the mean top-3 score on
held-out clinc150 train questions: 0.992 with the vote, 0.995 without).
Each result also carries evidence for the answer confidence (`tandem.responder.evidence.ticket_match`):
`category_probability`, the model's P(its category | message) (None without a model or under a category
filter), and `neighbourhood`, the mean dense cosine of the ten allowed tickets nearest the message (fewer
in a history with small categories; one value per search; None without embeddings). Out-of-scope messages
in a known question's frame have fewer close tickets and spread the model's probability (clinc150 scope
AUROC 0.9936 -> 0.9956 with both).
An exact duplicate of the message (same words, case and spacing aside) already carries its answer: when one
exists, the vote is taken among the duplicates alone and the model is not asked.

Without a model (fewer than two categories, or fewer than three labelled tickets per category on average)
the prior is the vote alone, a weaker guess, and only boosts: rank = similarity * (1 + w * vote) / (1 + w)
with w = vote_weight = 1.

Measured with WordLlama 256-d (`tandem eval`, precision@5 / category top-1): banking77 vote only
0.887 / 0.885, with the model and the predicted category first 0.932 / 0.932; bitext 0.974 / 0.978 ->
0.996 / 0.996. Category top-1 on banking77 by mixing weight: model alone 0.928, 0.9 0.932, 0.8 0.929,
0.5 0.92. Earlier rankings, for the record (precision@5 at weight 0.8): the absolute prior with w = 1 0.916,
w = 3 0.925, relative to the likeliest category 0.927. Training takes ~3.4 s for 10,000 tickets on a quiet
2-core machine (bench/retrieval.py), and a rebuild keeps the model while the history barely changed
(`RETRAIN_SHARE`); a query ~2-4 ms.
"""

from __future__ import annotations

import dataclasses
import hashlib
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tandem.contracts import SimilarTicket
from tandem.knowledge.bm25_index import analyze
from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.embedding_cache import EmbeddingCache
from tandem.knowledge.fusion import NormalizedBm25, category_votes, fuse
from tandem.knowledge.interfaces import Embedder
from tandem.knowledge.query_analysis import without_chatter
from tandem.knowledge.spelling import Speller
from tandem.knowledge.ticket_classifier import TicketClassifier
from tandem.snippets import shorten

RESOLUTION_CHARS = 600
# Short paraphrases: meaning matters more than shared words (dense alone beats BM25 by ~0.1 P@5 on
# banking77); the lexical part still separates near-synonymous intents that share a telling word.
DENSE_WEIGHT = 0.75
NEIGHBOURS = 20
TEMPERATURE = 0.05  # a neighbour 0.05 less similar than the best votes e^-1 as much
VOTE_WEIGHT = 1.0
# Tickets whose mean dense cosine is `SimilarTicket.neighbourhood`: how crowded the history is around the
# message. Ten measured a little better than three or five on the validation sets (see ticket_match), whose
# intents have 80 or more tickets each; a smaller history reaches no deeper into an intent (one in eight of
# the median category's tickets, at least three): ten nearest among five per intent read a known question
# as one the history barely knows.
NEIGHBOURHOOD = 10
MIN_NEIGHBOURHOOD = 3
NEIGHBOURHOOD_SHARE = 8
# Share of the labelled history that may change before a rebuild retrains the category model.
RETRAIN_SHARE = 0.05
CLASSIFIER_WEIGHT = 0.9  # share of the trained model in the category prior; the neighbour vote has the rest


@dataclass(frozen=True, slots=True)
class TicketIndexStats:
    tickets: int
    embedded: int
    seconds: float
    classifier_seconds: float = 0.0  # part of `seconds`; 0 when no category model was trained


class TicketIndex:
    def __init__(
        self,
        tickets: Iterable[ResolvedTicket],
        embedder: Embedder | None,
        *,
        cache: EmbeddingCache | None = None,
        dense_weight: float = DENSE_WEIGHT,
        neighbours: int = NEIGHBOURS,
        temperature: float = TEMPERATURE,
        vote_weight: float = VOTE_WEIGHT,
        classifier_weight: float = CLASSIFIER_WEIGHT,
        previous: TicketIndex | None = None,
    ) -> None:
        """`previous`: the index this one replaces; its category model is kept while the labelled history
        has changed by at most `RETRAIN_SHARE` since that model was trained (see `_reusable_model`)."""
        started = time.perf_counter()
        self._tickets: list[ResolvedTicket] = list(tickets)
        self._embedder = embedder
        self._dense_weight = dense_weight if embedder is not None else 0.0
        self._neighbours = neighbours
        self._temperature = temperature
        self._vote_weight = vote_weight
        self._classifier_weight = classifier_weight
        texts = [ticket_text(t) for t in self._tickets]
        self._lexical = NormalizedBm25([analyze(t) for t in texts])
        self._speller = Speller(texts)  # a misspelt word is read as the history spells it
        self._categories = np.asarray([t.category for t in self._tickets], dtype=object)
        self._ids = np.asarray([t.ticket_id for t in self._tickets], dtype=object)
        self._neighbourhood_size = _neighbourhood_size(self._tickets)
        self._exact: dict[str, list[int]] = {}
        for position, text in enumerate(texts):
            self._exact.setdefault(_normal(text), []).append(position)
        embedded = 0
        hashes = [_digest(t) for t in texts]  # the embedding cache's keys and what the model learned from
        self._vectors: np.ndarray | None = None
        if embedder is not None:
            if cache is None:  # (an empty cache is falsy: test for None, not truth)
                cache = EmbeddingCache(None, embedder.name, embedder.dim)
            self._vectors, embedded = cache.vectors(hashes, texts, embedder)
            cache.save(hashes)
        trained = time.perf_counter()
        self._classifier = None
        # What the model learned from: (text digest, category) of every labelled ticket.
        self._trained_on: frozenset[tuple[str, str]] = frozenset(
            (digest, t.category) for digest, t in zip(hashes, self._tickets, strict=True) if t.category
        )
        reused = self._reusable_model(previous) if classifier_weight > 0 else None
        if reused is not None:
            self._classifier, self._trained_on = reused
        elif classifier_weight > 0:
            self._classifier = TicketClassifier.train(texts, list(self._categories), self._vectors)
        # Whether this build trained its own category model (False when it kept the previous one or has none).
        self.retrained = reused is None and self._classifier is not None
        self.stats = TicketIndexStats(
            len(self._tickets),
            embedded,
            time.perf_counter() - started,
            time.perf_counter() - trained if self.retrained else 0.0,
        )

    def __getstate__(self) -> dict[str, object]:
        """For a snapshot (tandem.knowledge.snapshots): everything but the live model clients."""
        return {**self.__dict__, "_embedder": None}

    def attach(self, embedder: Embedder | None, reranker: object = None) -> None:
        """After loading a snapshot: the embedder it was built with (the snapshot is named by it). Tickets
        are not reranked."""
        self._embedder = embedder
        self.stats = dataclasses.replace(self.stats, embedded=0)  # loaded: nothing embedded now

    def __len__(self) -> int:
        return len(self._tickets)

    def _reusable_model(
        self, previous: TicketIndex | None
    ) -> tuple[TicketClassifier, frozenset[tuple[str, str]]] | None:
        """The previous model, when the history it learned from is still (almost) this one.

        Every closed ticket with a resolution changes the history, and retraining on 10,000 tickets takes
        seconds; a model that has not seen the last few tickets still knows their categories (the neighbour
        vote sees the new tickets at once). A new category, or more than `RETRAIN_SHARE` of the labelled
        tickets added, removed or changed since it was trained, and it is trained afresh."""
        if previous is None or previous._classifier is None or previous._embedder is not self._embedder:
            return None
        categories = {category for _, category in self._trained_on}
        if categories != set(previous._classifier.categories):
            return None
        drift = len(self._trained_on ^ previous._trained_on)
        if drift > RETRAIN_SHARE * max(len(previous._trained_on), 1):
            return None
        return previous._classifier, previous._trained_on

    def search(
        self,
        query: str,
        category: str | None = None,
        limit: int = 3,
        exclude_ticket_id: str | None = None,
    ) -> list[SimilarTicket]:
        """Most similar tickets, best first (by rank), each scored by its similarity to `query` in [0, 1].

        `category` keeps only that category's tickets.
        """
        if limit <= 0:
            return []
        query = self._read(query)
        similarity, vector, cosine = self._similarity(query)
        if similarity is None:
            return []
        allowed = similarity > 0.0
        if category is not None:
            allowed &= self._categories == category
        if exclude_ticket_id is not None:
            # The ticket being answered may already be indexed; it must not be its own "similar case".
            allowed &= self._ids != exclude_ticket_id
        # One category left (an explicit filter): nothing to weigh, and the model need not run.
        model = None
        if self._classifier is not None and category is None:
            model = self._classifier.probabilities(query, vector)
        votes = self._votes(query, similarity, allowed, model)
        if self._classifier is not None and votes:
            # The trained prior is right more often (0.93 vs 0.885 on banking77): its category goes first.
            predicted = max(votes, key=votes.__getitem__)
            ranks = np.where(allowed, similarity + (self._categories == predicted), -1.0)
        else:
            prior = np.asarray([votes.get(c, 0.0) for c in self._categories], dtype=np.float32)
            boost = (1 + self._vote_weight * prior) / (1 + self._vote_weight)
            ranks = np.where(allowed, similarity * boost, -1.0)
        neighbourhood = self._neighbourhood(cosine, allowed)
        results: list[SimilarTicket] = []
        for position in np.argsort(-ranks, kind="stable")[:limit]:
            if ranks[position] < 0:
                break
            ticket = self._tickets[position]
            results.append(
                SimilarTicket(
                    ticket_id=ticket.ticket_id,
                    subject=ticket.subject,
                    category=ticket.category,
                    resolution=shorten(ticket.resolution, RESOLUTION_CHARS, flatten=False),
                    score=round(float(similarity[position]), 6),
                    category_probability=(
                        None
                        if model is None or ticket.category is None
                        else round(model.get(ticket.category, 0.0), 6)
                    ),
                    neighbourhood=neighbourhood,
                )
            )
        return results

    def predict_category(self, query: str) -> str | None:
        """The likeliest category by the trained model and the neighbours' vote (None: nothing similar)."""
        query = self._read(query)
        similarity, vector, _ = self._similarity(query)
        if similarity is None:
            return None
        model = None if self._classifier is None else self._classifier.probabilities(query, vector)
        votes = self._votes(query, similarity, similarity > 0.0, model)
        if not votes:
            return None
        return max(votes, key=votes.__getitem__)  # ties: the first category to appear, i.e. the closest

    def _read(self, query: str) -> str:
        """The message as searched: without its chatter, misspellings as the history spells them."""
        return self._speller.correct(without_chatter(query))

    def _similarity(self, query: str) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """The fused similarity of every ticket, the query's embedding and every ticket's dense cosine (both
        None without an embedder)."""
        if not self._tickets:
            return None, None, None
        lexical = self._lexical.scores(analyze(query))
        vector = cosine = None
        if self._embedder is not None and self._vectors is not None:
            vector = self._embedder.embed_query(query)
            cosine = self._vectors @ vector
        return fuse(lexical, cosine, self._dense_weight), vector, cosine

    def _neighbourhood(self, cosine: np.ndarray | None, allowed: np.ndarray) -> float | None:
        """Mean dense cosine (clipped to [0, 1]) of the allowed tickets nearest the query; None without
        embeddings or allowed tickets."""
        if cosine is None or not allowed.any():
            return None
        cosine = np.clip(cosine[allowed], 0.0, 1.0)
        size = self._neighbourhood_size
        if len(cosine) > size:
            cosine = np.partition(cosine, len(cosine) - size)[-size:]
        return round(float(cosine.mean()), 6)

    def _votes(
        self,
        query: str,
        similarity: np.ndarray,
        allowed: np.ndarray,
        model: dict[str, float] | None,
    ) -> dict[str, float]:
        """The category prior: the trained model's probabilities (`model`, None to go without) mixed with
        the allowed neighbours' vote.

        Exact duplicates of the query decide alone: they were answered already, with their category.
        """
        duplicates = [p for p in self._exact.get(_normal(query), []) if allowed[p]]
        if duplicates:
            categories = [self._categories[p] for p in duplicates]
            return category_votes(np.zeros(len(duplicates)), categories, self._temperature)
        candidates = np.flatnonzero(allowed)
        if len(candidates) == 0:
            return {}
        votes = self._neighbour_votes(similarity, candidates)
        if model is None:
            return votes
        weight = self._classifier_weight
        # Neighbours' categories first: max() keeps the first of equal scores, and dict order is stable.
        return {
            c: weight * model.get(c, 0.0) + (1 - weight) * votes.get(c, 0.0)
            for c in dict.fromkeys([*votes, *model])
        }

    def _neighbour_votes(self, similarity: np.ndarray, candidates: np.ndarray) -> dict[str, float]:
        if len(candidates) > self._neighbours:
            top = np.argpartition(-similarity[candidates], self._neighbours - 1)[: self._neighbours]
            candidates = candidates[top]
        candidates = candidates[np.argsort(-similarity[candidates], kind="stable")]
        return category_votes(similarity[candidates], list(self._categories[candidates]), self._temperature)


def ticket_text(ticket: ResolvedTicket) -> str:
    """What a past ticket is about: its subject and the customer's words (not the agent's resolution)."""
    # Suites often repeat the message as subject and body; counting it twice only inflates term frequency.
    if ticket.body.strip().startswith(ticket.subject.strip()):
        return ticket.body
    return f"{ticket.subject}\n{ticket.body}"


def _neighbourhood_size(tickets: list[ResolvedTicket]) -> int:
    """How many nearest tickets make the neighbourhood: NEIGHBOURHOOD, fewer for small categories."""
    sizes = Counter(t.category for t in tickets if t.category is not None)
    typical = statistics.median_low(sizes.values()) if sizes else len(tickets)
    return max(MIN_NEIGHBOURHOOD, min(NEIGHBOURHOOD, typical // NEIGHBOURHOOD_SHARE))


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
