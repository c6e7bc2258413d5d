"""A supervised category model trained on the resolved tickets when the ticket index is built.

Resolved tickets carry their category, so the history is a labelled training set. The nearest-neighbour vote
of `TicketIndex` only looks at the few closest tickets; a linear model learns which words and which
directions of the embedding tell the categories apart across all of them.

  features = [sentence embedding (unit length) | tf-idf of word unigrams + bigrams (unit length)]
  model    = multinomial logistic regression (softmax), trained with mini-batch Adam, numpy only

Word features keep stopwords ("when" vs "how" separates a delivery-time question from a how-to) and count
only words and word pairs seen in at least two tickets (one seen once teaches nothing beyond its own
ticket, which the neighbour vote already finds). Training is deterministic (a fixed shuffling seed) and
stops after a fixed budget of epochs: that early stop is the regularisation.

Measured with WordLlama 256-d on the open suites (category accuracy of the 1000 banking77 / 903 bitext
ticket queries; neighbour vote alone 0.885 / 0.978): embedding alone 0.89-0.91, words alone 0.90,
embedding + words 0.93 / 0.997, adding character 3-5-grams 0.93 for three times the training time
(dropped), stemmed tokens in place of words 0.92. Mixed with the neighbour vote in `TicketIndex`: 0.932.
Training on 10,000 tickets takes 3.4 s on a quiet 2-core machine (bench/retrieval.py, more when the cores
are busy); scikit-learn's LogisticRegression on the same features plus character n-grams scored 0.925 and
took 40 s.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+")

MIN_DOCUMENT_FREQUENCY = 2
MAX_FEATURES = 50_000  # bounds the weight matrix (features x categories) on very large histories
EPOCHS = 12
MIN_STEPS = 200  # a small history still gets enough updates to fit
MAX_STEPS = 2_000  # and a very large one a bounded training time
BATCH = 512  # 256-row products made multi-threaded BLAS crawl on busy cores (9x slower in total)
LEARNING_RATE = 0.03
L2 = 1e-5
SEED = 0
# Below this many labelled tickets per category (on average) the model cannot learn much the neighbour
# vote does not already see; the index then keeps the vote alone.
MIN_EXAMPLES_PER_CATEGORY = 3.0

_Row = tuple[np.ndarray, np.ndarray]  # (feature ids, values) of one text


def word_features(text: str) -> list[str]:
    """Case-folded word unigrams and adjacent word pairs."""
    tokens = _WORD.findall(text.casefold())
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


class TicketClassifier:
    """P(category | text) from a softmax regression over the embedding and tf-idf word features."""

    def __init__(
        self,
        categories: list[str],
        vocabulary: dict[str, int],
        idf: np.ndarray,
        sparse_weights: np.ndarray,
        dense_weights: np.ndarray | None,
        bias: np.ndarray,
    ) -> None:
        self.categories = categories
        self._vocabulary = vocabulary
        self._idf = idf
        self._sparse = sparse_weights
        self._dense = dense_weights
        self._bias = bias

    @classmethod
    def train(
        cls, texts: Sequence[str], categories: Sequence[str | None], vectors: np.ndarray | None
    ) -> TicketClassifier | None:
        """A model of the labelled texts, or None when there are too few categories or examples to learn.

        `vectors` are the texts' unit-length embeddings (one row per text) or None without an embedder;
        texts whose category is None are left out.
        """
        labelled = [i for i, c in enumerate(categories) if c is not None]
        names = sorted({categories[i] for i in labelled})  # type: ignore[type-var]
        if len(names) < 2 or len(labelled) < MIN_EXAMPLES_PER_CATEGORY * len(names):
            return None
        index = {c: k for k, c in enumerate(names)}
        labels = np.asarray([index[categories[i]] for i in labelled], dtype=np.int64)  # type: ignore[index]
        tokens = [word_features(texts[i]) for i in labelled]
        vocabulary, idf = _vocabulary(tokens)
        rows = [_tfidf(t, vocabulary, idf) for t in tokens]
        dense = None if vectors is None else np.asarray(vectors[labelled], dtype=np.float32)
        sparse_w, dense_w, bias = _fit(rows, dense, labels, len(vocabulary), len(names))
        return cls(names, vocabulary, idf, sparse_w, dense_w, bias)

    def probabilities(self, text: str, vector: np.ndarray | None) -> dict[str, float]:
        """Probability of every category for `text` (its embedding `vector` when the model was trained with
        embeddings)."""
        ids, values = _tfidf(word_features(text), self._vocabulary, self._idf)
        logits = values @ self._sparse[ids] + self._bias
        if self._dense is not None and vector is not None:
            logits = logits + np.asarray(vector, dtype=np.float32) @ self._dense
        p = _softmax(logits[None, :])[0]
        return {c: float(v) for c, v in zip(self.categories, p, strict=True)}


def _vocabulary(documents: list[list[str]]) -> tuple[dict[str, int], np.ndarray]:
    df: dict[str, int] = {}
    for tokens in documents:
        for token in set(tokens):
            df[token] = df.get(token, 0) + 1
    kept = [t for t, n in df.items() if n >= MIN_DOCUMENT_FREQUENCY]
    kept.sort(key=lambda t: (-df[t], t))  # the most frequent first when capping; ties by name: deterministic
    kept = sorted(kept[:MAX_FEATURES])
    n = len(documents)
    idf = np.asarray([math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)  # smoothed
    return {t: i for i, t in enumerate(kept)}, idf


def _tfidf(tokens: list[str], vocabulary: dict[str, int], idf: np.ndarray) -> _Row:
    """Sublinear tf * idf over the known tokens, scaled to unit length (like the embedding)."""
    counts: dict[int, int] = {}
    for token in tokens:
        i = vocabulary.get(token)
        if i is not None:
            counts[i] = counts.get(i, 0) + 1
    ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * idf[ids]
    norm = float(np.linalg.norm(values))
    return ids, (values / norm if norm > 0 else values).astype(np.float32)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _segment_sums(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Sums of consecutive row segments of `values`, of the given lengths (zero for an empty segment)."""
    sums = np.zeros((len(lengths), values.shape[1]), np.float32)
    filled = lengths > 0
    if len(values):
        starts = np.cumsum(lengths) - lengths
        sums[filled] = np.add.reduceat(values, starts[filled], axis=0)
    return sums


def _fit(
    rows: list[_Row], dense: np.ndarray | None, labels: np.ndarray, features: int, classes: int
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Softmax regression by mini-batch Adam; sparse rows update lazily (only the batch's features)."""
    n = len(rows)
    batches = math.ceil(n / BATCH)
    epochs = max(1, min(max(EPOCHS, math.ceil(MIN_STEPS / batches)), MAX_STEPS // batches))
    params = [np.zeros((features, classes), np.float32), np.zeros(classes, np.float32)]
    if dense is not None:
        params.append(np.zeros((dense.shape[1], classes), np.float32))
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    targets = np.eye(classes, dtype=np.float32)[labels]
    lengths = np.asarray([len(ids) for ids, _ in rows])
    rng = np.random.default_rng(SEED)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, BATCH):
            batch = order[start : start + BATCH]
            ids = np.concatenate([rows[i][0] for i in batch])
            values = np.concatenate([rows[i][1] for i in batch])
            # Sparse products by gather and segment sums: a row has a few dozen of the batch's thousands of
            # features, so a dense product would be mostly zeros.
            logits = _segment_sums(params[0][ids] * values[:, None], lengths[batch]) + params[1]
            if dense is not None:
                logits += dense[batch] @ params[2]
            error = (_softmax(logits) - targets[batch]) / len(batch)
            used, column, counts = np.unique(ids, return_inverse=True, return_counts=True)
            by_feature = np.argsort(column, kind="stable")
            row = np.repeat(np.arange(len(batch)), lengths[batch])[by_feature]
            sparse_grad = _segment_sums(values[by_feature, None] * error[row], counts)
            grads: list[tuple[int, np.ndarray | slice, np.ndarray]] = [
                (0, used, sparse_grad + L2 * params[0][used]),
                (1, slice(None), error.sum(axis=0)),
            ]
            if dense is not None:
                grads.append((2, slice(None), dense[batch].T @ error + L2 * params[2]))
            step += 1
            scale1, scale2 = 1 - beta1**step, 1 - beta2**step
            for k, where, grad in grads:
                m = beta1 * first[k][where] + (1 - beta1) * grad
                v = beta2 * second[k][where] + (1 - beta2) * grad * grad
                first[k][where], second[k][where] = m, v
                params[k][where] -= LEARNING_RATE * (m / scale1) / (np.sqrt(v / scale2) + eps)
    return params[0], params[2] if dense is not None else None, params[1]
