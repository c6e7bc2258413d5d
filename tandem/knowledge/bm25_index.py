"""Keyword search over help-center articles with bm25s (the plain first version; hybrid search comes later).

Articles are indexed as heading sections so that one relevant section of a long article is not diluted by the
rest of it; every section carries the article title, and an article scores as its best section.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

from tandem.contracts import SourceRef
from tandem.knowledge.documents import Article

# bm25s' default token pattern; the NLTK English list (bm25s "en_plus") so that question words such as
# "how"/"can"/"my" count neither for retrieval nor for the responder's word overlap.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS: frozenset[str] = frozenset(STOPWORDS_EN_PLUS)
SNIPPET_CHARS = 200
_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


def _load_stemmer() -> Callable[[list[str]], list[str]] | None:
    # PyStemmer is optional and needs no download; without it we do not stem (no new dependency).
    try:
        import Stemmer  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Stemmer.Stemmer("english").stemWords


_STEM = _load_stemmer()


def analyze(text: str) -> list[str]:
    """Lower-cased word tokens without stopwords, stemmed when PyStemmer is installed.

    The one analyzer for indexing, querying and the responder's overlap scoring, so they always agree.
    """
    tokens = [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]
    return _STEM(tokens) if _STEM is not None and tokens else tokens


def shorten(text: str, limit: int, *, flatten: bool = True) -> str:
    """Text cut at a word boundary near `limit` characters, with an ellipsis if cut.

    `flatten` collapses all whitespace (snippets); without it line breaks survive, so list structure does.
    """
    text = " ".join(text.split()) if flatten else text.strip()
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    boundary = max(head.rfind(" "), head.rfind("\n"))
    cut = head[:boundary].rstrip() if boundary > 0 else text[:limit]
    return cut.rstrip(" ,;:") + "…"


def split_sections(body: str) -> list[str]:
    """Split markdown on heading lines; each section keeps its heading. Never returns an empty list."""
    starts = [m.start() for m in _HEADING.finditer(body)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = [*starts, len(body)]
    sections = [body[a:b].strip() for a, b in itertools.pairwise(bounds)]
    return [s for s in sections if s] or [""]


class Bm25Scorer:
    """bm25s over pre-analyzed documents, scoring a query against every document at once.

    Scoring all documents (rather than bm25s' top-k retrieve) lets callers filter and aggregate exactly.
    """

    def __init__(self, documents: Sequence[list[str]]) -> None:
        self._bm25: bm25s.BM25 | None = None
        if any(documents):  # bm25s cannot index an empty corpus (or one without a single token)
            self._bm25 = bm25s.BM25()
            self._bm25.index(list(documents), show_progress=False)

    def scores(self, query: str) -> np.ndarray | None:
        """One BM25 score per document, or None when the query has no term the index knows."""
        if self._bm25 is None:
            return None
        ids = self._bm25.get_tokens_ids(analyze(query))
        if not ids:
            return None
        return self._bm25.get_scores_from_ids(ids)


class ArticleIndex:
    def __init__(self, articles: Iterable[Article]) -> None:
        self._articles: list[Article] = list(articles)
        self._by_id: dict[str, Article] = {}
        for article in self._articles:
            if article.id in self._by_id:
                raise ValueError(f"duplicate article id {article.id!r}")
            self._by_id[article.id] = article
        self._sections: list[str] = []
        owners: list[int] = []
        for position, article in enumerate(self._articles):
            for section in split_sections(article.body):
                self._sections.append(section)
                owners.append(position)
        self._owner = np.asarray(owners, dtype=np.int64)
        self._scorer = Bm25Scorer(
            [analyze(f"{self._articles[o].title}\n{s}") for o, s in zip(owners, self._sections, strict=True)]
        )
        self._products = np.asarray([a.product for a in self._articles], dtype=object)

    def __len__(self) -> int:
        return len(self._articles)

    def get(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def search(self, query: str, product: str | None = None, limit: int = 5) -> list[SourceRef]:
        """Best articles for `query`, best first.

        `product` keeps that product's articles plus the ones without a product (general articles).
        """
        if limit <= 0:
            return []
        scores = self._scorer.scores(query)
        if scores is None:
            return []
        if product is not None:
            scores = np.where(self._section_mask(product), scores, 0.0)
        results: list[SourceRef] = []
        seen: set[int] = set()
        # Walking sections best-first yields each article at its max-scoring section (max aggregation).
        for section in np.argsort(-scores, kind="stable"):
            score = float(scores[section])
            if score <= 0.0:
                break
            owner = int(self._owner[section])
            if owner in seen:
                continue
            seen.add(owner)
            article = self._articles[owner]
            results.append(
                SourceRef(
                    kind="article",
                    id=article.id,
                    title=article.title,
                    url=article.url,
                    score=score,
                    snippet=shorten(self._sections[section].lstrip("#"), SNIPPET_CHARS),
                )
            )
            if len(results) == limit:
                break
        return results

    def _section_mask(self, product: str) -> np.ndarray:
        # Cheap enough per query (one comparison per article) that caching per product is not worth it.
        allowed = (self._products == product) | (self._products == None)  # noqa: E711 (elementwise)
        return allowed[self._owner]
