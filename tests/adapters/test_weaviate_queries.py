"""The Weaviate backend's pure parts, without a server: filters (as built and as sent over gRPC), hybrid
arguments (checked against the installed client's signature), chunk aggregation, votes and connection
parameters. Schema and ids: test_weaviate_schema.py; the query path: test_weaviate_query_path.py."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from weaviate.collections.classes.filters import _FilterAnd, _FilterOr, _FilterValue, _Operator
from weaviate.collections.classes.grpc import HybridFusion
from weaviate.collections.filters import _FilterToGRPC
from weaviate.collections.queries.hybrid.query.executor import _HybridQueryExecutor
from weaviate.proto.v1 import base_pb2

from tandem.adapters import weaviate_queries as q
from tandem.adapters.weaviate_backend import WeaviateKnowledge
from tandem.adapters.weaviate_schema import (
    ArticleChunk,
)
from tests.adapters.weaviate_stand_ins import FixedEmbedder, RecordingClient


def _value(f: Any) -> tuple[str, str, Any]:
    assert isinstance(f, _FilterValue)
    return (f.target, f.operator, f.value)


# --- filters -----------------------------------------------------------------------------------------


def test_no_product_means_no_filter() -> None:
    assert q.product_filter(None) is None


def test_product_filter_is_product_or_general() -> None:
    f = q.product_filter("cards")
    assert isinstance(f, _FilterOr)
    assert [_value(part) for part in f.filters] == [
        ("product", _Operator.EQUAL, "cards"),
        ("product", _Operator.IS_NULL, True),
    ]


def test_product_filter_on_the_wire() -> None:
    wire = _FilterToGRPC.convert(q.product_filter("cards"))
    assert wire.operator == base_pb2.Filters.OPERATOR_OR
    equal, null = wire.filters
    assert (equal.operator, equal.value_text, equal.target.property) == (
        base_pb2.Filters.OPERATOR_EQUAL,
        "cards",
        "product",
    )
    # IsNull true (not false, not a text "None"): general articles are the ones without a product.
    assert (null.operator, null.value_boolean, null.target.property) == (
        base_pb2.Filters.OPERATOR_IS_NULL,
        True,
        "product",
    )


@pytest.mark.parametrize(
    ("category", "exclude", "expected"),
    [
        (None, None, None),
        ("billing", None, [("category", _Operator.EQUAL, "billing")]),
        (None, "T-1", [("ticket_id", _Operator.NOT_EQUAL, "T-1")]),
        (
            "billing",
            "T-1",
            [("category", _Operator.EQUAL, "billing"), ("ticket_id", _Operator.NOT_EQUAL, "T-1")],
        ),
    ],
)
def test_ticket_filter(category: str | None, exclude: str | None, expected: list | None) -> None:
    f = q.ticket_filter(category, exclude)
    if expected is None:
        assert f is None
    elif len(expected) == 1:
        assert _value(f) == expected[0]
    else:
        assert isinstance(f, _FilterAnd)
        assert [_value(part) for part in f.filters] == expected


def test_article_ids_filter() -> None:
    assert _value(q.article_ids_filter(["a", "b"])) == ("article_id", _Operator.CONTAINS_ANY, ["a", "b"])
    with pytest.raises(ValueError):
        q.article_ids_filter([])


def test_stale_chunks_filter_groups_articles_by_chunk_count() -> None:
    assert q.stale_chunks_filter({}) is None

    single = q.stale_chunks_filter({"a": 3})
    assert isinstance(single, _FilterAnd)
    assert [_value(p) for p in single.filters] == [
        ("article_id", _Operator.CONTAINS_ANY, ["a"]),
        ("chunk_id", _Operator.GREATER_THAN_EQUAL, 3),
    ]

    grouped = q.stale_chunks_filter({"b": 2, "c": 1, "a": 2})
    assert isinstance(grouped, _FilterOr)
    clauses = [[_value(p) for p in clause.filters] for clause in grouped.filters]
    assert clauses == [
        [("article_id", _Operator.CONTAINS_ANY, ["c"]), ("chunk_id", _Operator.GREATER_THAN_EQUAL, 1)],
        [("article_id", _Operator.CONTAINS_ANY, ["a", "b"]), ("chunk_id", _Operator.GREATER_THAN_EQUAL, 2)],
    ]
    wire = _FilterToGRPC.convert(grouped)
    assert wire.filters[0].filters[1].value_int == 1


def _chunk(article_id: str, chunk_id: int, text: str = "text", **kw: Any) -> ArticleChunk:
    return ArticleChunk(article_id=article_id, chunk_id=chunk_id, title=f"T {article_id}", text=text, **kw)


def test_chunk_counts_need_whole_articles() -> None:
    assert q.chunk_counts([_chunk("a", 1), _chunk("b", 0), _chunk("a", 0)]) == {"a": 2, "b": 1}
    with pytest.raises(ValueError, match=r"'a'.*0\.\.n-1"):
        q.chunk_counts([_chunk("a", 0), _chunk("a", 2)])  # a gap would leave chunk 1 of an older version
    with pytest.raises(ValueError, match="'a'"):
        q.chunk_counts([_chunk("a", 0), _chunk("a", 0)])


# --- hybrid arguments --------------------------------------------------------------------------------


def _kwargs(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "alpha": 0.5,
        "limit": 20,
        "filters": q.product_filter("cards"),
        "query_properties": q.ARTICLE_QUERY_PROPERTIES,
        "return_properties": ["article_id", "text"],
    }
    args.update(overrides)
    return q.hybrid_kwargs("reset my pin", np.asarray([0.6, 0.8], dtype=np.float32), **args)


def test_hybrid_kwargs() -> None:
    kwargs = _kwargs()
    assert kwargs["query"] == "reset my pin"
    assert kwargs["vector"] == pytest.approx([0.6, 0.8])
    assert all(type(x) is float for x in kwargs["vector"])  # plain floats, not numpy scalars
    assert kwargs["alpha"] == 0.5
    assert kwargs["limit"] == 20
    assert kwargs["fusion_type"] == HybridFusion.RELATIVE_SCORE
    assert kwargs["query_properties"] == ["title", "text"]
    assert kwargs["return_properties"] == ["article_id", "text"]
    assert kwargs["return_metadata"].score is True
    assert isinstance(kwargs["filters"], _FilterOr)


def test_hybrid_kwargs_fit_the_installed_client() -> None:
    # Binding fails if the installed weaviate-client renamed or dropped one of these arguments.
    signature = inspect.signature(_HybridQueryExecutor.hybrid)
    signature.bind(object(), **_kwargs())
    signature.bind(object(), **_kwargs(filters=None))


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_alpha_outside_unit_interval_is_rejected(alpha: float) -> None:
    with pytest.raises(ValueError, match="alpha"):
        _kwargs(alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        WeaviateKnowledge(RecordingClient(), FixedEmbedder(), alpha=alpha)


def test_chunk_hits_are_over_fetched_but_bounded() -> None:
    assert q.chunk_hit_limit(4) == 20
    assert q.chunk_hit_limit(1) == 5
    assert q.chunk_hit_limit(1000) == q.MAX_CHUNK_HITS


# --- aggregation and votes ---------------------------------------------------------------------------


def _hit(score: float, **properties: Any) -> q.Hit:
    return q.Hit(properties=properties, score=score)


def test_articles_rank_by_their_best_chunk() -> None:
    hits = [
        _hit(0.4, article_id="b", title="B", text="b weak", url=None),
        _hit(0.9, article_id="a", title="A", text="## a best", url="https://help/a"),
        _hit(0.7, article_id="b", title="B", text="b best", url=None),
        _hit(0.5, article_id="a", title="A", text="a second", url="https://help/a"),
        _hit(0.3, article_id="c", title="C", text="c", url=None),
        _hit(0.8, title="no id", text="ignored"),
    ]
    refs = q.aggregate_chunks(hits, limit=2)
    assert [(r.id, r.score) for r in refs] == [("a", 0.9), ("b", 0.7)]
    assert refs[0].kind == "article"
    assert (refs[0].title, refs[0].url, refs[0].snippet) == ("A", "https://help/a", "a best")
    assert refs[1].snippet == "b best"  # the snippet is from the best chunk, not the first one seen
    assert q.aggregate_chunks(hits, limit=0) == []
    flagged = q.aggregate_chunks([_hit(1.0, article_id="p", title="P", text="x", internal=True), *hits], 2)
    assert [(r.id, r.internal) for r in flagged] == [("p", True), ("a", False)]


def test_routing_ranks_the_products_the_best_matches_agree_on_first() -> None:
    hits = [
        _hit(0.40, article_id="c1", title="C1", product="cards"),
        _hit(0.36, article_id="c2", title="C2", product="cards"),
        _hit(0.34, article_id="l1", title="L1", product="loans"),
        _hit(0.30, article_id="c3", title="C3", product="cards"),
    ]
    assert [r.id for r in q.aggregate_chunks(hits, 4)] == ["c1", "c2", "l1", "c3"]
    routed = q.aggregate_chunks(hits, 4, route=True)
    assert [r.id for r in routed] == ["c1", "c2", "c3", "l1"]
    assert routed[0].score == 0.40 and [r.score for r in routed] == sorted(
        (r.score for r in routed), reverse=True
    )


def test_snippets_are_short() -> None:
    long_text = "word " * 200
    (ref,) = q.aggregate_chunks([_hit(1.0, article_id="a", title="A", text=long_text)], limit=1)
    assert len(ref.snippet) <= q.SNIPPET_CHARS + 1
    assert ref.snippet.endswith("…")


def test_vote_is_weighted_by_score() -> None:
    hits = [
        _hit(0.9, category="cards"),
        _hit(0.5, category="loans"),
        _hit(0.5, category="loans"),
        _hit(0.95, category=None),  # no category: no vote
    ]
    assert q.vote_category(hits) == "loans"


def test_vote_tie_goes_to_the_better_ranked_ticket() -> None:
    assert q.vote_category([_hit(0.5, category="loans"), _hit(0.6, category="cards")]) == "cards"
    assert q.vote_category([_hit(0.6, category="cards"), _hit(0.6, category="loans")]) == "cards"


def test_vote_without_categories_is_none() -> None:
    assert q.vote_category([]) is None
    assert q.vote_category([_hit(0.9, category=None)]) is None


def test_similar_tickets_from_hits() -> None:
    hits = [
        _hit(0.2, ticket_id="t2", subject="S2", category=None, resolution="short"),
        _hit(0.8, ticket_id="t1", subject="S1", category="cards", resolution="x" * 2000),
    ]
    tickets = q.similar_from_hits(hits, limit=5)
    assert [t.ticket_id for t in tickets] == ["t1", "t2"]
    assert tickets[0].category == "cards" and tickets[1].category is None
    assert len(tickets[0].resolution) <= q.RESOLUTION_CHARS + 1
    assert q.similar_from_hits(hits, limit=1)[0].ticket_id == "t1"


def test_join_chunks_in_chunk_order() -> None:
    joined = q.join_chunks(
        [
            {"article_id": "a", "chunk_id": 2, "text": "third"},
            {"article_id": "a", "chunk_id": 0, "text": "first", "title": "A", "product": "cards"},
            {"article_id": "b", "chunk_id": 0, "text": "only"},
            {"article_id": "a", "chunk_id": 1, "text": "second"},
        ]
    )
    first, body = joined["a"]
    assert body == "first\n\nsecond\n\nthird"
    assert first["title"] == "A" and first["product"] == "cards"
    assert joined["b"][1] == "only"


def test_hits_of_reads_properties_and_score() -> None:
    objects = [
        SimpleNamespace(properties={"article_id": "a"}, metadata=SimpleNamespace(score=0.25)),
        SimpleNamespace(properties={"article_id": "b"}, metadata=SimpleNamespace(score=None)),
    ]
    assert q.hits_of(objects) == [
        q.Hit(properties={"article_id": "a"}, score=0.25),
        q.Hit(properties={"article_id": "b"}, score=0.0),
    ]


# --- connection --------------------------------------------------------------------------------------


def test_connection_params() -> None:
    local = q.connection_params("http://localhost:8080")
    assert (local.http_host, local.http_port, local.http_secure) == ("localhost", 8080, False)
    assert (local.grpc_host, local.grpc_port, local.grpc_secure) == ("localhost", 50051, False)

    tls = q.connection_params("https://weaviate.example.com", grpc_port=443)
    assert (tls.http_port, tls.http_secure, tls.grpc_port, tls.grpc_secure) == (443, True, 443, True)

    bare = q.connection_params("weaviate:8080")
    assert (bare.http_host, bare.http_port, bare.http_secure) == ("weaviate", 8080, False)

    with pytest.raises(ValueError):
        q.connection_params("grpc://localhost:50051")


def test_weaviate_cloud_urls_are_recognised() -> None:
    assert q.is_weaviate_cloud("https://abc123.c0.europe-west3.gcp.weaviate.cloud")
    assert q.is_weaviate_cloud("abc.weaviate.network")
    assert not q.is_weaviate_cloud("http://localhost:8080")
