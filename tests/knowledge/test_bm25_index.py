"""ArticleIndex over the real rho_bank help center and small hand-made corpora."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tandem.knowledge.bm25_index import ArticleIndex, split_sections
from tandem.knowledge.documents import Article
from tandem.knowledge.loaders import load_articles_jsonl

KB = Path(__file__).resolve().parents[2] / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return load_articles_jsonl(KB)


@pytest.fixture(scope="module")
def index(articles: list[Article]) -> ArticleIndex:
    return ArticleIndex(articles)


def _by_title(articles: list[Article], title: str) -> Article:
    return next(a for a in articles if a.title == title)


def test_builds_fast_and_queries_fast(articles: list[Article]) -> None:
    started = time.perf_counter()
    index = ArticleIndex(articles)
    assert time.perf_counter() - started < 2.0
    queries = ["open a checking account", "credit card annual fee", "dispute a transaction", "wire transfer"]
    started = time.perf_counter()
    for _ in range(25):
        for query in queries:
            index.search(query, product=None, limit=5)
    per_query = (time.perf_counter() - started) / (25 * len(queries))
    assert per_query < 0.02


def test_checking_account_opening_article_ranks_top_with_product_filter(
    articles: list[Article], index: ArticleIndex
) -> None:
    target = _by_title(articles, "Internal: Opening Personal Checking Accounts")
    results = index.search("How do I open a personal checking account?", product=target.product, limit=3)
    assert target.id in [r.id for r in results]
    assert all(r.kind == "article" for r in results)


def test_product_filter_keeps_only_that_product(articles: list[Article], index: ArticleIndex) -> None:
    products = {a.id: a.product for a in articles}
    query = "credit card annual fee and rewards"
    unfiltered = index.search(query, product=None, limit=10)
    assert any(products[r.id] == "credit_cards" for r in unfiltered)  # the filter has something to remove
    filtered = index.search(query, product="savings_accounts", limit=10)
    assert filtered
    assert {products[r.id] for r in filtered} == {"savings_accounts"}


def test_results_are_ranked_limited_and_carry_article_fields(
    articles: list[Article], index: ArticleIndex
) -> None:
    results = index.search("How do I dispute a transaction on my credit card?", product=None, limit=7)
    assert len(results) == 7
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert len({r.id for r in results}) == 7  # one entry per article, not per section
    for result in results:
        article = index.get(result.id)
        assert article is not None and result.title == article.title
        assert 0 < len(result.snippet) <= 201


def test_get_returns_the_article_or_none(articles: list[Article], index: ArticleIndex) -> None:
    assert index.get(articles[42].id) == articles[42]
    assert index.get("no-such-article") is None


def test_empty_index_and_unknown_terms_return_nothing(index: ArticleIndex) -> None:
    assert ArticleIndex([]).search("checking account", product=None, limit=5) == []
    assert index.search("zxqv blorptastic", product=None, limit=5) == []
    assert index.search("the and of to", product=None, limit=5) == []  # stopwords only
    assert index.search("", product=None, limit=5) == []
    assert index.search("checking account", product=None, limit=0) == []


SMALL = [
    Article(
        id="general",
        title="Contact and hours",
        body="## Branch hours\nBranches open at nine.\n\n## Phone support\nCall us about a stolen wallet.",
        product=None,
    ),
    Article(
        id="cards",
        title="Card controls",
        body="Intro about cards.\n\n## Freeze a card\nFreeze your card in the app if your wallet was stolen.",
        product="cards",
    ),
    Article(
        id="loans",
        title="Loan payoff",
        body="## Payoff\nA stolen wallet does not change loans.",
        product="loans",
    ),
]


def test_filter_includes_articles_without_a_product() -> None:
    index = ArticleIndex(SMALL)
    ids = {r.id for r in index.search("stolen wallet", product="cards", limit=10)}
    assert ids == {"general", "cards"}
    assert {r.id for r in index.search("stolen wallet", product=None, limit=10)} == {
        "general",
        "cards",
        "loans",
    }


def test_snippet_comes_from_the_best_section_and_titles_are_searchable() -> None:
    index = ArticleIndex(SMALL)
    [general] = [r for r in index.search("stolen wallet phone", product=None, limit=3) if r.id == "general"]
    assert general.snippet.startswith("Phone support")
    # "controls" appears only in a title: every section carries its article's title
    assert [r.id for r in index.search("controls", product=None, limit=3)] == ["cards"]


def test_split_sections_keeps_preamble_and_headings() -> None:
    body = "Preamble line.\n## One\nfirst\n### One.a\nsub\n## Two\nsecond"
    assert split_sections(body) == ["Preamble line.", "## One\nfirst", "### One.a\nsub", "## Two\nsecond"]
    assert split_sections("") == [""]


def test_duplicate_article_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate article id 'cards'"):
        ArticleIndex([SMALL[1], SMALL[1]])
