"""The query path of `WeaviateKnowledge` through a recording stand-in for the client: what reaches
`query.hybrid`, that every read goes through the tenant, and reads that need no server call make none."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import pytest
from weaviate.collections.classes.filters import _FilterValue, _Operator
from weaviate.collections.queries.hybrid.query.executor import _HybridQueryExecutor

from tandem.adapters import weaviate_queries as q
from tandem.adapters.weaviate_backend import WeaviateKnowledge
from tandem.adapters.weaviate_schema import (
    ARTICLE_COLLECTION,
)
from tandem.knowledge.documents import Article
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.knowledge.query_analysis import analyze_query
from tandem.knowledge.spelling import Speller
from tests.adapters.weaviate_stand_ins import FixedEmbedder, RecordingClient


def _value(f: Any) -> tuple[str, str, Any]:
    assert isinstance(f, _FilterValue)
    return (f.target, f.operator, f.value)


# --- the query path, through a recording stand-in for the client -------------------------------------


def _obj(score: float, **properties: Any) -> Any:
    return SimpleNamespace(properties=properties, metadata=SimpleNamespace(score=score))


def test_search_articles_sends_hybrid_with_product_filter_through_the_tenant() -> None:
    client = RecordingClient()
    backend = WeaviateKnowledge(client, FixedEmbedder(), alpha=0.3, tenant="acme", collection_prefix="P")
    articles = client.get(f"P{ARTICLE_COLLECTION}")
    articles.results.extend(
        [_obj(0.9, article_id="a", title="A", text="a"), _obj(0.8, article_id="a", title="A", text="a2")]
    )

    refs = backend.search_articles("reset my pin", product="cards", limit=3)

    assert [r.id for r in refs] == ["a"]
    ((tenant, kwargs),) = articles.calls
    assert tenant == "acme"
    assert kwargs["alpha"] == 0.3
    assert kwargs["limit"] == q.chunk_hit_limit(3)
    assert kwargs["vector"] == pytest.approx([0.6, 0.8])
    assert [_value(p) for p in kwargs["filters"].filters] == [
        ("product", _Operator.EQUAL, "cards"),
        ("product", _Operator.IS_NULL, True),
    ]
    inspect.signature(_HybridQueryExecutor.hybrid).bind(object(), **kwargs)


def test_search_articles_sends_the_clauses_of_a_long_message_as_the_embedded_index_does() -> None:
    client = RecordingClient()
    backend = WeaviateKnowledge(client, FixedEmbedder())
    message = (
        "Your character is Kenji Tanaka, a customer of the bank. Your email is kenji@example.com and "
        "your phone number is 206-555-0293. If the agent asks, say you are busy. You want to dispute a "
        "duplicate charge on your Gold Rewards Card from last week, and you need it refunded."
    )
    backend.search_articles(message, product=None, limit=3)
    ((_, kwargs),) = client.get(ARTICLE_COLLECTION).calls
    assert kwargs["query"] == analyze_query(message).focus
    assert "dispute a duplicate charge" in kwargs["query"]
    assert "kenji@example.com" not in kwargs["query"] and "Tanaka" not in kwargs["query"]


def test_search_articles_uses_the_lexicon_for_acronyms_and_product_names() -> None:
    lexicon = HelpCenterLexicon.mine(
        [
            Article(id="g", title="Gold Rewards Card: Fees", body="The Gold Rewards Card has no fee."),
            Article(
                id="b",
                title="Business Gold Rewards Card: Fees",
                body="Unlike the Gold Rewards Card, the Business Gold Rewards Card costs $200; "
                "the Business Gold Rewards Card adds lounges.",
            ),
            Article(id="c", title="Limits", body="Ask for a credit limit increase (CLI) online."),
        ]
    )
    client = RecordingClient()
    backend = WeaviateKnowledge(client, FixedEmbedder(), lexicon=lambda: lexicon)
    articles = client.get(ARTICLE_COLLECTION)
    articles.results.extend(
        [
            _obj(0.9, article_id="b", title="Business Gold Rewards Card: Fees", text="$200"),
            _obj(0.8, article_id="g", title="Gold Rewards Card: Fees", text="no fee"),
        ]
    )

    refs = backend.search_articles("What is the fee on the Gold Rewards Card?", product=None, limit=2)
    assert [r.id for r in refs] == ["g", "b"]  # the sibling card's article is discounted below
    backend.search_articles("Can I get a CLI?", product=None, limit=2)
    assert articles.calls[-1][1]["query"] == "Can I get a CLI (credit limit increase)?"
    backend.search_articles("Hi! What is the fee on the Gold Rewrds Card?", product=None, limit=2)
    assert articles.calls[-1][1]["query"] == "What is the fee on the Gold rewards Card?"


def test_reads_without_a_query_or_limit_do_not_call_the_server() -> None:
    client = RecordingClient()
    backend = WeaviateKnowledge(client, FixedEmbedder())
    assert backend.search_articles("   ", product=None, limit=3) == []
    assert backend.search_articles("pin", product=None, limit=0) == []
    assert backend.similar_tickets("", category=None, limit=3) == []
    assert backend.predict_category("") is None
    assert all(not c.calls for c in client.made.values())


def test_similar_tickets_and_category_vote_query_tickets() -> None:
    client = RecordingClient()
    speller = Speller(["My card is blocked", "The card was blocked abroad"])
    backend = WeaviateKnowledge(client, FixedEmbedder(), ticket_speller=lambda: speller)
    tickets = client.get("TandemTicket")
    tickets.results.extend(
        [
            _obj(0.9, ticket_id="t1", subject="S", category="cards", resolution="r"),
            _obj(0.4, ticket_id="t2", subject="S", category="loans", resolution="r"),
            _obj(0.4, ticket_id="t3", subject="S", category="loans", resolution="r"),
        ]
    )

    similar = backend.similar_tickets("Hi! card blokced", category="cards", limit=2, exclude_ticket_id="t9")
    assert [t.ticket_id for t in similar] == ["t1", "t2"]
    tenant, kwargs = tickets.calls[-1]
    assert tenant is None
    assert kwargs["query"] == "card blocked"  # no greeting searched for, the history's spelling
    assert kwargs["query_properties"] == ["subject", "body"]
    assert [_value(p) for p in kwargs["filters"].filters] == [
        ("category", _Operator.EQUAL, "cards"),
        ("ticket_id", _Operator.NOT_EQUAL, "t9"),
    ]

    assert backend.predict_category("card blocked. Thanks!", k=3) == "cards"  # 0.9 beats 0.4 + 0.4
    _, kwargs = tickets.calls[-1]
    assert kwargs["filters"] is None and kwargs["limit"] == 3 and kwargs["query"] == "card blocked."
