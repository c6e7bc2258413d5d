"""Loading JSON-lines, Markdown and HTML files: real data round-trips, malformed files fail with file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.knowledge.documents import Article
from tandem.knowledge.loaders import (
    ArticleDefaults,
    KnowledgeFormatError,
    load_articles_jsonl,
    load_tickets_jsonl,
    read_articles_jsonl,
    read_html_article,
    read_markdown_article,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KB = PROJECT_ROOT / "data" / "helpcenter" / "rho_bank" / "kb.jsonl"
SHARED = Path(__file__).resolve().parents[2] / "data" / "tickets"  # copies of the suites' ticket files


def _write(tmp_path: Path, lines: list[str] | list[dict], name: str = "data.jsonl") -> Path:
    path = tmp_path / name
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_real_help_center_round_trips_every_row() -> None:
    rows = [json.loads(line) for line in KB.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = load_articles_jsonl(KB)
    assert len(articles) == len(rows)
    for row, article in zip(rows, articles, strict=True):
        assert (article.id, article.title, article.body) == (row["id"], row["title"], row["body"])
        assert article.product == (row["product"] or None)


@pytest.mark.parametrize("suite", ["banking77", "bitext"])
def test_real_ticket_files_load_resolved_rows(suite: str) -> None:
    path = SHARED / suite / "tickets.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tickets = load_tickets_jsonl(path)
    resolved = [r for r in rows if r["resolved"]]
    assert [t.ticket_id for t in tickets] == [r["id"] for r in resolved]
    for row, ticket in zip(resolved, tickets, strict=True):
        assert ticket.subject == row["subject"] and ticket.body == row["body"]
        assert ticket.category == row["category"]
        assert ticket.resolution == (row.get("resolution") or "")


def test_article_optional_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {"id": "a1", "title": "T", "body": "B", "product": "", "url": "https://help.example/a1"},
            {"id": "a2", "title": "T", "body": "B", "product": None},
            {"id": "a3", "title": "T", "body": "B"},
        ],
    )
    a1, a2, a3 = load_articles_jsonl(path)
    assert (a1.product, a1.url) == (None, "https://help.example/a1")
    assert a2.product is None and a3.product is None and a3.url is None


def test_unresolved_tickets_are_skipped_and_resolution_is_optional(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {"id": "t1", "subject": "s", "body": "b", "category": "c", "resolved": True, "resolution": "r"},
            {"id": "t2", "subject": "s", "body": "b", "category": "c", "resolved": False, "resolution": "r"},
            {"id": "t3", "subject": "s", "body": "b", "category": None, "resolved": True},
        ],
    )
    tickets = load_tickets_jsonl(path)
    assert [t.ticket_id for t in tickets] == ["t1", "t3"]
    assert tickets[0].resolution == "r" and tickets[1].resolution == ""
    assert tickets[1].category is None


def test_blank_lines_are_ignored_but_counted(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "a", "title": "T", "body": "B"}, "", "   ", "{not json"])
    with pytest.raises(KnowledgeFormatError) as err:
        load_articles_jsonl(path)
    assert err.value.line == 4
    assert str(err.value).startswith(f"{path}:4: bad JSON")


ARTICLE_OK = {"id": "a0", "title": "Title", "body": "Body"}


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ('{"id": "a1", "title": "T", "body": ', "bad JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"id": "a1", "body": "B"}, "missing field 'title'"),
        ({"id": "a1", "title": "T", "body": "   "}, "field 'body' is empty"),
        ({"id": 7, "title": "T", "body": "B"}, "field 'id' must be a string, got int"),
        ({"id": "a1", "title": "T", "body": "B", "product": 3}, "field 'product' must be a string or null"),
        ({"id": "a0", "title": "T", "body": "B"}, "duplicate id 'a0' (first seen on line 1)"),
    ],
)
def test_malformed_article_names_file_line_and_problem(
    tmp_path: Path, bad_row: str | dict, problem: str
) -> None:
    path = _write(tmp_path, [ARTICLE_OK, bad_row, {"id": "a9", "title": "T", "body": "B"}])
    with pytest.raises(KnowledgeFormatError) as err:
        load_articles_jsonl(path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert problem in str(err.value)
    assert isinstance(err.value, ValueError) and err.value.path == path and err.value.line == 2


TICKET_OK = {"id": "t0", "subject": "s", "body": "b", "category": "c", "resolved": True}


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ({"id": "t1", "body": "b", "resolved": True}, "missing field 'subject'"),
        ({"id": "t1", "subject": "s", "body": "b", "resolved": "false"}, "'resolved' must be true or false"),
        ({"id": "t1", "subject": "s", "body": "b", "resolution": ["x"]}, "'resolution' must be a string"),
        ({"id": "t1", "subject": "s", "body": "b", "category": 5}, "'category' must be a string"),
        # a duplicate is an error even when the row would be skipped as unresolved
        ({"id": "t0", "subject": "s", "body": "b", "resolved": False}, "duplicate id 't0'"),
    ],
)
def test_malformed_ticket_names_file_line_and_problem(tmp_path: Path, bad_row: dict, problem: str) -> None:
    path = _write(tmp_path, [TICKET_OK, bad_row])
    with pytest.raises(KnowledgeFormatError) as err:
        load_tickets_jsonl(path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert problem in str(err.value)


def test_invalid_utf8_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(ARTICLE_OK).encode() + b'\n{"id": "caf\xe9", "title": "T", "body": "B"}\n')
    with pytest.raises(KnowledgeFormatError, match=r":2: not valid UTF-8"):
        load_articles_jsonl(path)


# --- Markdown and HTML ----------------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HELPCENTER = FIXTURES / "helpcenter"


def test_jsonl_reads_category_and_url_and_fills_missing_fields_from_defaults() -> None:
    path = FIXTURES / "articles.jsonl"
    first, second, third = read_articles_jsonl(path, ArticleDefaults(product="cards", category="general"))
    assert first.article == Article(
        id="kb-1",
        title="Reset your password",
        body="Use **Forgot password** on the sign-in screen.",
        product="app",
        url="https://help.rho.example/kb-1",
        category="login",
    )
    assert (second.article.product, second.article.category) == ("cards", "general")
    assert (first.line, second.line, third.line) == (1, 2, 4)  # the blank line still counts
    assert third.where == f"{path}:4"


def test_markdown_front_matter_sets_title_category_and_url() -> None:
    loaded = read_markdown_article(
        HELPCENTER / "credit_cards" / "annual-fee.md", ArticleDefaults(id="cc/annual-fee", product="cards")
    )
    article = loaded.article
    assert article.id == "cc/annual-fee" and loaded.line is None  # the id came from the path
    assert article.title == "Annual fee: what it costs"
    assert (article.product, article.category) == ("cards", "fees")
    assert article.url == "https://help.rho.example/cards/annual-fee"
    assert article.body.startswith("Most Rho cards have **no annual fee**.")
    assert "\n## Premium cards\n" in article.body and "\n- The first year is free." in article.body


def test_markdown_front_matter_id_and_product_win_and_a_repeated_title_heading_is_dropped() -> None:
    path = HELPCENTER / "checking_accounts" / "overdraft.md"
    loaded = read_markdown_article(path, ArticleDefaults(id="from-path", product="checking_accounts"))
    article = loaded.article
    assert (article.id, loaded.line, loaded.where) == ("overdraft-protection", 3, f"{path}:3")
    assert article.product == "checking_accounts_plus"
    assert article.title == "Overdraft protection"
    assert article.body.startswith("Overdraft protection moves money")  # "# Overdraft protection" dropped
    assert "# not a heading: a code sample" in article.body  # fenced code is kept as it is


def test_markdown_title_from_first_heading_or_file_name() -> None:
    lost = read_markdown_article(HELPCENTER / "credit_cards" / "lost-card.markdown", ArticleDefaults(id="x"))
    assert lost.article.title == "Report a lost or stolen card"
    assert lost.article.body == (
        "Freeze the card in the app straight away.\n\n"
        "## Replacement\n\n"
        "A new card arrives in 5-7 business days."
    )
    fee = read_markdown_article(
        HELPCENTER / "checking_accounts" / "fees" / "monthly_maintenance_fee.md", ArticleDefaults(id="y")
    )
    assert fee.article.title == "Monthly maintenance fee"
    assert fee.article.body.startswith("The monthly maintenance fee is $12")


def test_html_keeps_headings_and_lists_and_drops_page_chrome() -> None:
    loaded = read_html_article(FIXTURES / "pages" / "card-limits.html", ArticleDefaults(id="card-limits"))
    article = loaded.article
    assert article.title == "Card limits"
    assert (article.product, article.category) == ("credit_cards", "limits")  # from the meta tags
    assert article.url == "https://help.rho.example/cards/limits"
    assert article.body == (
        "Your credit limit is shown in the app under Card \u203a Limits.\n\n"
        "## Raising your limit\n\n"
        "- Open the card.\n"
        "- Tap Request increase.\n\n"
        "### Daily limits\n\n"
        "Kind | Limit\n"
        "ATM | $500"
    )


def test_html_title_from_first_h1_when_there_is_no_title_tag() -> None:
    path = HELPCENTER / "checking_accounts" / "wire-transfers.html"
    article = read_html_article(path, ArticleDefaults(id="w", product="checking_accounts")).article
    assert article.title == "Sending a wire transfer"
    assert (article.product, article.category) == ("checking_accounts", "transfers")
    assert article.body == (
        "Domestic wires sent before 3 pm ET arrive the same day.\n\n"  # &nbsp; is a space to search
        "## Fees\n\n"
        "- Domestic: $25\n"
        "- International: $45"
    )
    for chrome in ("Rho Bank", "Help", "Cards", "trackPageView", "font-family"):
        assert chrome not in article.body


@pytest.mark.parametrize(
    ("name", "line", "problem"),
    [
        ("unclosed_front_matter.md", 1, "the '---' opened here is never closed"),
        ("list_title.md", 4, "'title' must be one line of text"),
        ("not_key_value.md", 3, "expected 'key: value', got 'this line has no colon'"),
    ],
)
def test_bad_front_matter_names_file_and_line(name: str, line: int, problem: str) -> None:
    path = FIXTURES / "bad" / name
    with pytest.raises(KnowledgeFormatError) as err:
        read_markdown_article(path, ArticleDefaults(id="x"))
    assert str(err.value).startswith(f"{path}:{line}: front matter: ")
    assert problem in str(err.value) and err.value.line == line


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("---\ntitle: A\ntitle: B\n---\nBody\n", 3, "'title' given twice (first on line 2)"),
        ('---\ntitle: "unterminated\n---\nBody\n', 2, "broken double-quoted value"),
        ("---\ncategory: [a, b]\n---\nBody\n", 2, "'category' must be one line of text"),
        ("---\ntitle: Only a title\n---\n\n", 4, "no article text"),
        ("# Just a heading\n", 1, "no article text"),
    ],
)
def test_more_bad_markdown(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeFormatError) as err:
        read_markdown_article(path, ArticleDefaults(id="x"))
    assert str(err.value).startswith(f"{path}:{line}: ") and problem in str(err.value)


def test_front_matter_values_quoted_commented_and_null(tmp_path: Path) -> None:
    path = tmp_path / "quoted.md"
    path.write_text(
        "\ufeff---\r\ntitle: 'It''s: fine'\r\nproduct: cards # a comment\r\ncategory: ~\r\n"
        'url: "https://h.example/a#frag"\r\n---\r\nBody\r\n',
        encoding="utf-8",
    )
    article = read_markdown_article(path, ArticleDefaults(id="x", category="from-folder")).article
    assert (article.title, article.product, article.category) == ("It's: fine", "cards", "from-folder")
    assert (article.url, article.body) == ("https://h.example/a#frag", "Body")


def test_html_conflicting_meta_and_empty_pages_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        '<html><head>\n<meta name="product" content="a">\n<meta name="product" content="b">\n</head>'
        "<body><p>Text</p></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeFormatError, match=r":3: meta 'product' is 'b' here but 'a' on line 2"):
        read_html_article(path, ArticleDefaults(id="x"))

    path.write_text("<html><body><nav>Home</nav><script>x()</script></body></html>", encoding="utf-8")
    with pytest.raises(KnowledgeFormatError) as err:
        read_html_article(path, ArticleDefaults(id="x"))
    assert str(err.value).startswith(f"{path}: no article text")


def test_invalid_utf8_in_markdown_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes(b"# Caf\xc3\xa9\n\nFine line.\nCaf\xe9 au lait.\n")
    with pytest.raises(KnowledgeFormatError, match=r"latin1\.md:4: not valid UTF-8"):
        read_markdown_article(path, ArticleDefaults(id="x"))
