"""HybridArticleIndex on the real rho_bank help center with the real WordLlama embedder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tandem.knowledge.documents import Article
from tandem.knowledge.embedding_cache import EmbeddingCache
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.fusion import NormalizedBm25, category_votes
from tandem.knowledge.hybrid_index import HybridArticleIndex
from tandem.knowledge.loaders import load_articles_jsonl

KB = Path(__file__).resolve().parents[2] / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return load_articles_jsonl(KB)


@pytest.fixture(scope="module")
def index(articles: list[Article]) -> HybridArticleIndex:
    return HybridArticleIndex(articles, default_embedder())


def test_finds_the_article_and_scores_in_unit_range(index: HybridArticleIndex) -> None:
    results = index.search("How do I open a personal checking account?", limit=5)
    assert results[0].title == "Internal: Opening Personal Checking Accounts"
    assert all(r.kind == "article" and r.snippet and 0.0 < r.score <= 1.0 for r in results)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    assert len({r.id for r in results}) == 5  # one entry per article, not per chunk


def test_off_topic_scores_far_below_on_topic(index: HybridArticleIndex) -> None:
    on_topic = index.search("What are the ATM withdrawal fees abroad?", limit=1)[0].score
    off_topic = [
        index.search(q, limit=1) for q in ("Any good lasagna recipes?", "What is the weather in Paris?")
    ]
    assert all(not r or r[0].score < on_topic / 2 for r in off_topic)


def test_product_filter_keeps_that_product_and_general_articles(
    articles: list[Article], index: HybridArticleIndex
) -> None:
    product = {a.id: a.product for a in articles}
    results = index.search("monthly fee and interest rate", product="savings_accounts", limit=20)
    assert results and all(product[r.id] in ("savings_accounts", None) for r in results)
    assert any(product[r.id] == "savings_accounts" for r in results)
    assert index.search("monthly fee", product="no-such-product", limit=5) == []


def test_article_scores_as_its_best_section() -> None:
    noise = "\n\n".join(f"## Part {n}\n\nGeneral account information number {n}." for n in range(8))
    articles = [
        Article(
            "long", "Account guide", noise + "\n\n## Wire transfers\n\nSend an international wire with SWIFT."
        ),
        Article("short", "Savings basics", "Savings accounts pay interest monthly."),
    ]
    index = HybridArticleIndex(articles, default_embedder())
    top = index.search("international wire transfer SWIFT", limit=2)[0]
    assert top.id == "long" and "SWIFT" in top.snippet  # the snippet comes from the matching section


def test_long_situational_message_is_reduced_to_its_request(index: HybridArticleIndex) -> None:
    message = (
        "Your character is Dana Smith, a 41-year-old teacher living in Austin, Texas. Your email is "
        "dana.smith@example.com and your phone number is 512-555-0199. Your date of birth is 04/02/1983. "
        "Do not make up any information that you are not 100% certain of. If the agent asks for your "
        "address, say you do not have it on hand. You noticed an unauthorized transaction on your debit card "
        "and you want to dispute it."
    )
    titles = [r.title for r in index.search(message, limit=3)]
    assert any("Dispute" in t or "Unauthorized" in t for t in titles), titles


def test_persistence_round_trip_embeds_only_changed_chunks(articles: list[Article], tmp_path: Path) -> None:
    embedder = default_embedder()
    subset = articles[:40]
    first = HybridArticleIndex(
        subset, embedder, cache=EmbeddingCache.for_index(tmp_path, "articles", embedder)
    )
    assert first.stats.embedded == first.stats.chunks > 40
    assert list(tmp_path.glob("articles-*.npz"))

    again = HybridArticleIndex(
        subset, embedder, cache=EmbeddingCache.for_index(tmp_path, "articles", embedder)
    )
    assert again.stats.embedded == 0
    query = "How do I close a checking account?"
    assert again.search(query, limit=5) == first.search(query, limit=5)

    edited = [
        replace(subset[0], body=subset[0].body + "\n\n## New section\n\nA brand new paragraph."),
        *subset[1:],
    ]
    changed = HybridArticleIndex(
        edited, embedder, cache=EmbeddingCache.for_index(tmp_path, "articles", embedder)
    )
    assert changed.stats.embedded == 1  # only the added section; everything else came from the cache

    (tmp_path / next(tmp_path.glob("articles-*.npz")).name).write_bytes(b"not an npz file")
    rebuilt = HybridArticleIndex(
        subset, embedder, cache=EmbeddingCache.for_index(tmp_path, "articles", embedder)
    )
    assert rebuilt.stats.embedded == rebuilt.stats.chunks  # a broken cache costs time, never correctness


class _TitleWordReranker:
    """A real, deterministic Reranker: passages mentioning `word` first, then the retrieval order."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls = 0

    def rerank(self, query: str, passages: Sequence[str], top_n: int) -> list[tuple[int, float]]:
        self.calls += 1
        order = sorted(range(len(passages)), key=lambda i: (self.word not in passages[i].lower(), i))
        return [(i, 0.9 if self.word in passages[i].lower() else 0.1) for i in order[:top_n]]


def test_reranker_hook_reorders_the_top_candidates(articles: list[Article]) -> None:
    reranker = _TitleWordReranker("savings")
    index = HybridArticleIndex(articles, default_embedder(), reranker=reranker)
    results = index.search("How do I open an account?", limit=3)
    assert reranker.calls == 1
    assert len(results) == 3 and all(r.score == 0.9 for r in results)


def test_empty_index_and_unknown_words() -> None:
    assert HybridArticleIndex([], default_embedder()).search("checking account") == []
    lexical_only = HybridArticleIndex([Article("a", "Fees", "Monthly fee.")], None)
    assert lexical_only.search("zzzz qqqq") == []
    assert [r.id for r in lexical_only.search("monthly fee")] == ["a"]
    with pytest.raises(ValueError, match="duplicate article id"):
        HybridArticleIndex([Article("a", "t", "b"), Article("a", "t", "b")], None)


def test_normalized_bm25_is_bounded_and_counts_unknown_words() -> None:
    scorer = NormalizedBm25([["card", "fee"], ["loan", "rate"], ["card", "card", "card", "limit"]])
    full = scorer.scores(["card", "fee"])
    assert full is not None and np.all((full >= 0) & (full < 1)) and int(np.argmax(full)) == 0
    diluted = scorer.scores(["card", "fee", "lasagna"])
    assert diluted is not None and diluted[0] < full[0] / 2  # an unknown word is an unmatched word
    assert scorer.scores(["lasagna"]) is None
    assert NormalizedBm25([]).scores(["card"]) is None


def test_category_votes_sum_to_one_and_favour_close_neighbours() -> None:
    votes = category_votes(np.array([0.9, 0.88, 0.87, 0.5]), ["B", "A", "A", "B"], temperature=0.05)
    assert votes["A"] > votes["B"] and sum(votes.values()) == pytest.approx(1.0)
    assert category_votes(np.array([]), [], temperature=0.05) == {}


def test_greetings_and_thanks_do_not_lower_the_evidence(index: HybridArticleIndex) -> None:
    # Words the help center never uses count fully in the lexical ceiling: chatter must not reach it.
    bare = index.search("How do I split a bill with friends?", limit=1)[0]
    chatty = index.search("Hi there! Thanks. One more thing: how do I split a bill with friends?", limit=1)[0]
    assert chatty.id == bare.id
    assert chatty.score == pytest.approx(bare.score, abs=0.005)  # only the embedding sees "How" vs "how"


def test_a_misspelt_question_finds_what_the_spelt_one_finds(index: HybridArticleIndex) -> None:
    spelt = index.search("What is the annual fee on the Gold Rewards card?", limit=1)[0]
    typed = index.search("whats the anual fee on the gold rewrds card", limit=1)[0]
    assert typed.id == spelt.id
    assert typed.score == pytest.approx(spelt.score, abs=0.05)
