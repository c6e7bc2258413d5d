"""The lexical toolkit every part shares: one analyzer (tokens, stopwords, stemming) and
a bm25s scorer that scores a query against every document (hybrid indexes and topic matching use it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

# Runs of two or more letters or digits. Unlike bm25s' default (\w\w+) an underscore separates words, so
# a tool name in a procedure ("close_bank_account_7392") is indexed as the words it is made of. The NLTK
# English list (bm25s "en_plus") so that question words such as
# "how"/"can"/"my" count neither for retrieval nor for the responder's word overlap.
_TOKEN = re.compile(r"[^\W_]{2,}")
# Contractions typed without their apostrophe ("whats", "dont"): the list has their parts ("what", "don"),
# not these, and a word the index never saw weighs like the rarest one.
_CONTRACTIONS_TYPED = (
    "whats hows wheres whos thats theres dont doesnt didnt cant couldnt wont wouldnt shouldnt isnt arent "
    "wasnt werent havent hasnt hadnt im ive youre youve theyre weve"
)
_CONTRACTIONS = frozenset(_CONTRACTIONS_TYPED.split())
STOPWORDS: frozenset[str] = frozenset(STOPWORDS_EN_PLUS) | _CONTRACTIONS
SNIPPET_CHARS = 200


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


def analyze_keeping_case(text: str) -> tuple[list[str], list[str]]:
    """`analyze(text)` and, for each token, how the word was written: "upper" (an acronym such as ATM),
    "title" (Gold) or "lower"."""
    words = [w for w in _TOKEN.findall(text) if w.lower() not in STOPWORDS]
    lowered = [w.lower() for w in words]
    tokens = _STEM(lowered) if _STEM is not None and lowered else lowered
    return tokens, [_case(w) for w in words]


def _case(word: str) -> str:
    if word.isupper():
        return "upper"
    return "title" if word[0].isupper() else "lower"


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
