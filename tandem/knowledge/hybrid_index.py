"""The embedded hybrid retriever for help-center articles: BM25 and dense cosine over heading chunks.

search(query):
  1. query analysis: chatter is cut, a long message is reduced to the clauses that say what is needed
     (query_analysis.py), and words the help center never uses are read as the ones it does (spelling.py);
  2. every chunk gets lexical = normalised BM25 in [0, 1] and cosine = dense similarity (fusion.py); the
     lexical side indexes each acronym the articles define with its long form, in chunks and query alike
     (glossary.py);
  3. chunk score = (1 - dense_weight) * lexical + dense_weight * max(cosine, 0);
  4. product filter: chunks of that product's articles and of articles without a product;
  5. an article scores as its best chunk (max aggregation), which also picks the snippet;
  5b. when the message names a product, articles whose titles name only other products are discounted
     (lexicon.py, names.py: "Business Gold Rewards Card" is not the "Gold Rewards Card" asked about),
     and for a short question also those whose titles do not name it;
  6. without a product filter, product routing orders articles of the products the best matches agree on
     first (routing.py);
  7. optionally a reranker re-scores the best `rerank_candidates` articles (title + best chunk).

`SourceRef.score` is the article's fused score after routing (or the reranker's relevance when one is
configured), in [0, 1] and comparable across queries: about 0.7+ when the words and the meaning of the
message both match one section well, about 0.3 when only loosely related, 0 for nothing in common.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tandem.contracts import SourceRef
from tandem.knowledge.bm25_index import SNIPPET_CHARS, analyze
from tandem.knowledge.chunking import MAX_CHUNK_CHARS, Chunk, chunk_article
from tandem.knowledge.documents import Article
from tandem.knowledge.embedding_cache import EmbeddingCache
from tandem.knowledge.fusion import NormalizedBm25, fuse
from tandem.knowledge.interfaces import Embedder, Reranker
from tandem.knowledge.lexicon import HelpCenterLexicon, TitleNames
from tandem.knowledge.query_analysis import analyze_query
from tandem.knowledge.routing import product_groups, routed
from tandem.snippets import shorten

# Measured on rho_bank (long situational queries), where the dense model adds little, and chosen low enough
# that exact product and procedure words keep deciding; see `tandem eval` for the effect of changing it.
DENSE_WEIGHT = 0.3
RERANK_CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class IndexStats:
    documents: int
    chunks: int
    embedded: int  # chunks embedded during this build (the rest came from the cache)
    seconds: float


class HybridArticleIndex:
    def __init__(
        self,
        articles: Iterable[Article],
        embedder: Embedder | None,
        *,
        cache: EmbeddingCache | None = None,
        reranker: Reranker | None = None,
        dense_weight: float = DENSE_WEIGHT,
        max_chunk_chars: int = MAX_CHUNK_CHARS,
        rerank_candidates: int = RERANK_CANDIDATES,
    ) -> None:
        started = time.perf_counter()
        self._articles: list[Article] = list(articles)
        self._by_id: dict[str, Article] = {}
        for article in self._articles:
            if article.id in self._by_id:
                raise ValueError(f"duplicate article id {article.id!r}")
            self._by_id[article.id] = article
        self._embedder = embedder
        self._reranker = reranker
        self._dense_weight = dense_weight if embedder is not None else 0.0
        self._rerank_candidates = rerank_candidates

        self._chunks: list[Chunk] = []
        owners: list[int] = []
        for position, article in enumerate(self._articles):
            for chunk in chunk_article(article, max_chunk_chars):
                self._chunks.append(chunk)
                owners.append(position)
        self._owner = np.asarray(owners, dtype=np.int64)
        self._products = np.asarray([a.product for a in self._articles], dtype=object)
        self._product_groups = product_groups([a.product for a in self._articles])
        texts = [c.indexed_text for c in self._chunks]
        self.lexicon = HelpCenterLexicon.mine(self._articles)
        self._title_names = TitleNames(self.lexicon.names, [a.title for a in self._articles])
        self._lexical = NormalizedBm25([analyze(self.lexicon.glossary.expand(t)) for t in texts])

        embedded = 0
        self._vectors: np.ndarray | None = None
        if embedder is not None:
            if cache is None:  # (an empty cache is falsy: test for None, not truth)
                cache = EmbeddingCache(None, embedder.name, embedder.dim)
            hashes = [c.content_hash for c in self._chunks]
            self._vectors, embedded = cache.vectors(hashes, texts, embedder)
            cache.save(hashes)
        self.stats = IndexStats(
            len(self._articles), len(self._chunks), embedded, time.perf_counter() - started
        )

    def __getstate__(self) -> dict[str, object]:
        """For a snapshot (tandem.knowledge.snapshots): everything but the live model clients."""
        return {**self.__dict__, "_embedder": None, "_reranker": None}

    def attach(self, embedder: Embedder | None, reranker: Reranker | None) -> None:
        """After loading a snapshot: the clients it was built with (the snapshot is named by the embedder)."""
        self._embedder = embedder
        self.stats = dataclasses.replace(self.stats, embedded=0)  # loaded: nothing embedded now
        self._reranker = reranker

    def __len__(self) -> int:
        return len(self._articles)

    def get(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def search(
        self,
        query: str,
        product: str | None = None,
        limit: int = 5,
        *,
        timings: dict[str, float] | None = None,
    ) -> list[SourceRef]:
        """Best articles for `query`, best first; `timings`, when given, receives seconds per stage."""
        if limit <= 0 or not self._chunks:
            return []
        clock = _Clock(timings)
        plan = analyze_query(query)
        focus = self.lexicon.speller.correct(plan.focus)
        clock.lap("analysis")
        lexical = self._lexical.scores(analyze(self.lexicon.glossary.expand(focus)))
        clock.lap("lexical")
        cosine = None
        if self._embedder is not None and self._vectors is not None:
            cosine = self._vectors @ self._embedder.embed_query(focus)
        clock.lap("dense")
        scores = fuse(lexical, cosine, self._dense_weight)
        if scores is None:
            return []
        if product is not None:
            scores = np.where(self._chunk_mask(product), scores, 0.0)
        best_chunk = self._best_chunk_per_article(scores)
        article_scores = scores[best_chunk] * self._title_names.factors(focus, question=not plan.is_long)
        # With a product filter the section is already known; without one, the best matches route it.
        if product is None:
            article_scores = routed(article_scores, self._product_groups)
        ranked = [a for a in np.argsort(-article_scores, kind="stable") if article_scores[a] > 0.0]
        clock.lap("fusion")
        if self._reranker is not None and ranked:
            results = self._rerank(focus, ranked[: max(limit, self._rerank_candidates)], best_chunk, limit)
            clock.lap("rerank")
            return results
        return [self._ref(int(a), int(best_chunk[a]), float(article_scores[a])) for a in ranked[:limit]]

    def _best_chunk_per_article(self, scores: np.ndarray) -> np.ndarray:
        """For every article, the position of its highest-scoring chunk (max aggregation)."""
        # Sort chunks by (article, score); the last chunk of each article's run is its best.
        order = np.lexsort((scores, self._owner))
        last = np.r_[self._owner[order][1:] != self._owner[order][:-1], True]
        best = np.zeros(len(self._articles), dtype=np.int64)
        best[self._owner[order][last]] = order[last]
        return best

    def _rerank(
        self, query: str, candidates: list[int], best_chunk: np.ndarray, limit: int
    ) -> list[SourceRef]:
        assert self._reranker is not None
        passages = [self._chunks[best_chunk[a]].indexed_text for a in candidates]
        ranked = self._reranker.rerank(query, passages, top_n=limit)
        return [
            self._ref(int(candidates[i]), int(best_chunk[candidates[i]]), float(np.clip(relevance, 0.0, 1.0)))
            for i, relevance in ranked[:limit]
        ]

    def _ref(self, article_position: int, chunk_position: int, score: float) -> SourceRef:
        article = self._articles[article_position]
        chunk = self._chunks[chunk_position]
        return SourceRef(
            kind="article",
            id=article.id,
            title=article.title,
            url=article.url,
            score=round(score, 6),
            snippet=shorten(_plain(chunk.text), SNIPPET_CHARS),
            internal=article.internal,
        )

    def _chunk_mask(self, product: str) -> np.ndarray:
        allowed = (self._products == product) | (self._products == None)  # noqa: E711 (elementwise)
        return allowed[self._owner]


def _plain(markdown: str) -> str:
    lines = (line.lstrip("#").strip() for line in markdown.splitlines())
    return " ".join(line for line in lines if line).replace("**", "")


class _Clock:
    """Adds the seconds since the previous lap to `timings[stage]`; does nothing without a dict."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self._timings = timings
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        if self._timings is None:
            return
        now = time.perf_counter()
        self._timings[stage] = self._timings.get(stage, 0.0) + now - self._last
        self._last = now
