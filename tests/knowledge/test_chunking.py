"""Heading-aware chunking on the real help center and on hand-made articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.knowledge.chunking import chunk_article
from tandem.knowledge.documents import Article
from tandem.knowledge.loaders import load_articles_jsonl

KB = Path(__file__).resolve().parents[2] / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return load_articles_jsonl(KB)


def test_every_chunk_keeps_title_id_and_all_text(articles: list[Article]) -> None:
    for article in articles:
        chunks = chunk_article(article, max_chars=800)
        assert [c.id for c in chunks] == [f"{article.id}#{n}" for n in range(len(chunks))]
        assert all(c.article_id == article.id and c.indexed_text.startswith(article.title) for c in chunks)
        assert all(len(c.text) <= 800 for c in chunks)
        joined = "\n".join(c.text for c in chunks)
        for word in article.body.split():  # nothing of the body is lost
            assert word in joined


def test_sections_nest_headings_and_carry_empty_headings_forward() -> None:
    body = "Intro line.\n\n## Fees\n\n### Monthly\n\n$5 a month.\n\n## Limits\n\nUp to $500 a day."
    chunks = chunk_article(Article("a", "Gold Account", body))
    assert [c.text.splitlines()[0] for c in chunks] == ["Intro line.", "## Fees", "## Limits"]
    assert chunks[1].headings == (
        "Fees",
        "Monthly",
    )  # "## Fees" has no text of its own: it joins "### Monthly"
    assert "### Monthly" in chunks[1].text and "$5 a month." in chunks[1].text
    assert chunks[1].indexed_text.startswith("Gold Account \u203a Fees \u203a Monthly\n")


def test_long_sections_split_between_paragraphs() -> None:
    paragraphs = [f"Paragraph {n} " + "word " * 40 for n in range(6)]
    chunks = chunk_article(Article("a", "T", "## Big\n\n" + "\n\n".join(paragraphs)), max_chars=500)
    assert len(chunks) > 1
    assert all(len(c.text) <= 500 and c.headings == ("Big",) for c in chunks)
    for paragraph in paragraphs:  # a paragraph is never cut when it fits
        assert sum(paragraph.strip() in c.text for c in chunks) == 1


def test_content_hash_follows_the_embedded_text() -> None:
    one = chunk_article(Article("a", "T", "## A\n\nalpha\n\n## B\n\nbeta"))
    same = chunk_article(Article("a", "T", "## A\n\nalpha\n\n## B\n\nbeta", product="x"))
    edited = chunk_article(Article("a", "T", "## A\n\nalpha\n\n## B\n\nbeta gamma"))
    retitled = chunk_article(Article("a", "T2", "## A\n\nalpha\n\n## B\n\nbeta"))
    assert [c.content_hash for c in one] == [c.content_hash for c in same]
    assert one[0].content_hash == edited[0].content_hash and one[1].content_hash != edited[1].content_hash
    assert not {c.content_hash for c in one} & {c.content_hash for c in retitled}


def test_headingless_and_empty_bodies() -> None:
    assert [c.text for c in chunk_article(Article("a", "T", "Just text."))] == ["Just text."]
    empty = chunk_article(Article("a", "Only a title", ""))
    assert len(empty) == 1 and empty[0].indexed_text.startswith("Only a title")
    fenced = chunk_article(Article("a", "T", "## Real\n\ntext\n\n```\n# not a heading\n```"))
    assert len(fenced) == 1
