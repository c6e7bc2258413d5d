"""Internal (agent-only) articles: how they are recognised, and what a turn retrieves around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.contracts import SourceRef
from tandem.knowledge.audience import is_internal, title_says_internal, turn_sources
from tandem.knowledge.ingest import ingest_path
from tandem.knowledge.loaders import (
    ArticleDefaults,
    KnowledgeFormatError,
    read_articles_jsonl,
    read_html_article,
    read_markdown_article,
)
from tandem.store import TicketStore, create_schema, make_engine


@pytest.mark.parametrize(
    ("title", "internal"),
    [
        ("Internal: Closing Personal Checking Accounts", True),
        ("internal - refund approval matrix", True),
        ("Account Recovery Bypass Code (Internal)", True),
        ("[Internal only] Escalation codes", True),
        ("How to close your checking account", False),
        ("Internal transfers between your accounts", False),  # a topic, not a marker
        ("International wire fees", False),
    ],
)
def test_title_markers(title: str, internal: bool) -> None:
    assert title_says_internal(title) is internal


def test_what_the_source_declares_wins_over_the_title() -> None:
    assert is_internal("Internal: notes", False) is False
    assert is_internal("Refund policy", True) is True
    assert is_internal("Internal: notes", None) is True


def test_jsonl_reads_internal_and_audience(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text(
        '{"id": "a", "title": "Card limits", "body": "x"}\n'
        '{"id": "b", "title": "Card limits (agents)", "body": "x", "internal": true}\n'
        '{"id": "c", "title": "Internal: verification", "body": "x"}\n'
        '{"id": "d", "title": "Internal: published anyway", "body": "x", "audience": "customers"}\n'
        '{"id": "e", "title": "Fraud playbook", "body": "x", "visibility": "staff"}\n'
    )
    loaded = {a.article.id: a.article.internal for a in read_articles_jsonl(path)}
    assert loaded == {"a": False, "b": True, "c": True, "d": False, "e": True}


def test_an_unknown_audience_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text(
        '{"id": "a", "title": "t", "body": "x"}\n{"id": "b", "title": "t", "body": "x", "audience": "vip"}\n'
    )
    with pytest.raises(KnowledgeFormatError, match=r"kb\.jsonl:2.*audience"):
        read_articles_jsonl(path)
    path.write_text('{"id": "a", "title": "t", "body": "x", "internal": "yes"}\n')
    with pytest.raises(KnowledgeFormatError, match=r"kb\.jsonl:1.*internal"):
        read_articles_jsonl(path)


def test_markdown_front_matter_and_html_meta(tmp_path: Path) -> None:
    md = tmp_path / "playbook.md"
    md.write_text("---\ntitle: Chargeback playbook\naudience: agents\n---\nSteps for agents.\n")
    assert read_markdown_article(md, ArticleDefaults(id="kb/x")).article.internal is True
    md.write_text("---\ntitle: Chargeback playbook\ninternal: maybe\n---\nSteps.\n")
    with pytest.raises(KnowledgeFormatError, match="internal"):
        read_markdown_article(md, ArticleDefaults(id="kb/x"))
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><title>Wire cut-off times</title><meta name="audience" content="internal"></head>'
        "<body><p>Cut-off is 4 pm for agents to promise.</p></body></html>"
    )
    assert read_html_article(page, ArticleDefaults(id="kb/x")).article.internal is True


def _ref(article_id: str, internal: bool = False) -> SourceRef:
    return SourceRef(id=article_id, title=article_id, internal=internal)


def test_a_turn_gets_its_customer_articles_and_the_procedures_ranked_among_them() -> None:
    ranked = [_ref("p1", True), _ref("a1"), _ref("p2", True), _ref("a2"), _ref("a3"), _ref("p3", True)]
    assert [r.id for r in turn_sources(ranked, 2)] == ["p1", "a1", "p2", "a2"]
    # internal ones never crowd out customer articles, and are capped at the same limit
    many = [_ref(f"p{i}", True) for i in range(5)] + [_ref("a1")]
    assert [r.id for r in turn_sources(many, 2)] == ["p0", "p1", "a1"]


def test_ingest_reports_how_many_articles_are_for_agents_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    kb = tmp_path / "kb.jsonl"
    kb.write_text(
        '{"id": "a", "title": "Card limits", "body": "x"}\n'
        '{"id": "b", "title": "Internal: limit overrides", "body": "x"}\n'
    )
    report = ingest_path(TicketStore(engine), kb, progress=False)
    assert report.internal == 1
    assert "2 articles from 1 file (1 internal, for agents only): 2 added" in report.summary()
    assert TicketStore(engine).get_articles(["b"])["b"].internal is True
