"""The Weaviate backend's schema, records and ids, without a server: the collection spec against the
installed client, schema problems, deterministic ids, chunk records."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import pytest
from weaviate.collections.classes.config import DataType, Tokenization, Vectorizers
from weaviate.collections.collections.executor import _CollectionsExecutor

from tandem.adapters import weaviate_queries as q
from tandem.adapters.weaviate_connection import WeaviateImportError, schema_problems
from tandem.adapters.weaviate_schema import (
    ARTICLE_PROPERTIES,
    TICKET_PROPERTIES,
    ArticleChunk,
    article_chunks,
    chunk_properties,
    chunk_uuid,
    chunk_vector_text,
    collection_spec,
    tagged_embedder,
    ticket_uuid,
)
from tandem.knowledge.documents import Article
from tests.adapters.weaviate_stand_ins import FixedEmbedder

# --- schema, records, ids ----------------------------------------------------------------------------


def _chunk(article_id: str, chunk_id: int, text: str = "text", **kw: Any) -> ArticleChunk:
    return ArticleChunk(article_id=article_id, chunk_id=chunk_id, title=f"T {article_id}", text=text, **kw)


def test_collection_spec() -> None:
    spec = collection_spec(
        "PfxTandemArticleChunk",
        ARTICLE_PROPERTIES,
        multi_tenant=True,
        embedder_name="wordllama",
        dim=256,
        what="chunks",
    )
    assert spec["name"] == "PfxTandemArticleChunk"
    assert spec["vector_config"].vectorizer.vectorizer == Vectorizers.NONE  # bring-your-own vectors
    assert spec["inverted_index_config"].indexNullState is True  # needed by product IS NULL
    assert spec["multi_tenancy_config"].enabled is True
    assert tagged_embedder(spec["description"]) == ("wordllama", 256)
    props = {p.name: p for p in spec["properties"]}
    assert set(props) == {
        "article_id",
        "chunk_id",
        "title",
        "text",
        "product",
        "category",
        "url",
        "source",
        "internal",
        "content_hash",
    }
    assert props["internal"].dataType == DataType.BOOL and props["internal"].indexFilterable is True
    for key in ("article_id", "product", "category", "content_hash"):
        assert props[key].tokenization == Tokenization.FIELD and props[key].indexSearchable is False
    assert props["text"].tokenization == Tokenization.WORD

    plain = collection_spec("X", TICKET_PROPERTIES, multi_tenant=False, embedder_name="e", dim=3, what="t")
    assert plain["multi_tenancy_config"] is None
    assert {p.name for p in plain["properties"]} == {"ticket_id", "subject", "body", "category", "resolution"}


def test_collection_spec_fits_the_installed_client_without_deprecated_arguments() -> None:
    spec = collection_spec("X", ARTICLE_PROPERTIES, multi_tenant=False, embedder_name="e", dim=3, what="t")
    inspect.signature(_CollectionsExecutor.create).bind(object(), **spec)
    # create() warns at run time for these (deprecated since client 4.16 in favour of vector_config).
    assert not {"vectorizer_config", "vector_index_config"} & set(spec)


def test_schema_problems() -> None:
    embedder = FixedEmbedder()
    ok = dict(multi_tenant=False, index_null_state=True, description="[embedder=fixed;dim=2]", tenant=None)
    assert schema_problems("C", embedder=embedder, **ok) == []
    assert schema_problems("C", embedder=embedder, **{**ok, "description": None}) == []  # untagged: trusted

    def problems(**changes: Any) -> str:
        return " ".join(schema_problems("C", embedder=embedder, **{**ok, **changes}))

    assert "without multi-tenancy" in problems(tenant="acme")
    assert "no tenant is configured" in problems(multi_tenant=True)
    assert "index_null_state" in problems(index_null_state=False)
    assert "'other'" in problems(description="Tandem [embedder=other;dim=2]")
    assert "dim 384" in problems(description="[embedder=fixed;dim=384]")


def test_ids_are_deterministic_and_distinct() -> None:
    assert chunk_uuid("a", 0) == chunk_uuid("a", 0)
    assert len({chunk_uuid("a", 0), chunk_uuid("a", 1), chunk_uuid("b", 0), ticket_uuid("a")}) == 4
    assert chunk_uuid("a:1", 0) != chunk_uuid("a", 10)


def test_chunk_records_leave_missing_values_null() -> None:
    props = chunk_properties(_chunk("a", 0, product=None, url="https://help/a"))
    assert "product" not in props and "category" not in props
    assert props["url"] == "https://help/a" and props["chunk_id"] == 0
    assert chunk_vector_text(_chunk("a", 0, text="body")) == "T a\nbody"
    assert chunk_vector_text(_chunk("a", 0, text="body", embed_text="ctx\nbody")) == "ctx\nbody"


@dataclass
class _FakeChunk:
    position: int
    text: str
    content_hash: str
    indexed_text: str


def test_article_chunks_carry_article_metadata() -> None:
    article = Article(id="a", title="Cards", body="...", product="cards", url="u", category="c", source="s")
    chunks = article_chunks(
        article, chunker=lambda a: [_FakeChunk(0, "one", "h0", "Cards\none"), _FakeChunk(1, "two", "h1", "x")]
    )
    assert [(c.chunk_id, c.text, c.content_hash, c.embed_text) for c in chunks] == [
        (0, "one", "h0", "Cards\none"),
        (1, "two", "h1", "x"),
    ]
    assert {(c.article_id, c.title, c.product, c.url, c.category, c.source) for c in chunks} == {
        ("a", "Cards", "cards", "u", "c", "s")
    }


def test_article_chunks_with_the_knowledge_chunker_rebuild_the_body() -> None:
    pytest.importorskip("tandem.knowledge.chunking")
    body = "Intro line.\n\n## Fees\n\nNo fee.\n\n## Limits\n\n" + "A long paragraph. " * 100
    article = Article(id="a", title="Gold", body=body, product="cards")
    chunks = article_chunks(article)
    assert [c.chunk_id for c in chunks] == list(range(len(chunks)))
    assert q.chunk_counts(chunks) == {"a": len(chunks)}
    joined = q.join_chunks(chunk_properties(c) for c in chunks)["a"][1]
    assert joined.split() == body.split()  # non-overlapping pieces: joining loses no word


def test_import_error_names_the_failed_records() -> None:
    failures = [(f"a#{i}", "vector lengths don't match") for i in range(7)]
    error = WeaviateImportError("TandemArticleChunk", 10, failures)
    assert str(error).startswith("7 of 10 objects failed to import into TandemArticleChunk: a#0: vector")
    assert "(and 2 more)" in str(error)
    assert error.failures == failures
