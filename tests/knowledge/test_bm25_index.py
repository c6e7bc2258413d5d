"""The shared lexical toolkit: the analyzer, snippet shortening and the all-documents BM25 scorer."""

from __future__ import annotations

from tandem.knowledge.bm25_index import Bm25Scorer, analyze
from tandem.snippets import shorten


def test_analyzer_drops_stopwords_and_stems() -> None:
    tokens = analyze("How can I open my Checking Accounts?")
    assert "how" not in tokens and "my" not in tokens
    assert analyze("accounts") == analyze("account"), "plural and singular meet (PyStemmer)"
    assert "open" in tokens


def test_analyzer_splits_identifiers_into_their_words() -> None:
    # Procedures name tools ("close_bank_account_7392"); their words should match a request to close one.
    tokens = analyze("Call close_bank_account_7392 after the review.")
    assert set(analyze("close bank account")) <= set(tokens)
    assert "7392" in tokens and "close_bank_account_7392" not in tokens


def test_shorten_cuts_at_a_word_and_keeps_lines_when_asked() -> None:
    text = "Open the app and tap Cards, then choose Freeze card to stop all payments."
    assert shorten(text, 200) == text
    cut = shorten(text, 30)
    assert cut.endswith("…") and len(cut) <= 31 and not cut[:-1].endswith(" ")
    assert shorten("1. Open\n2. Tap", 100, flatten=False) == "1. Open\n2. Tap"
    assert shorten("1. Open\n2. Tap", 100) == "1. Open 2. Tap"


def test_scorer_ranks_every_document_and_knows_unknown_queries() -> None:
    docs = ["freeze a lost card in the app", "open a savings account", "card delivery times"]
    scorer = Bm25Scorer([analyze(d) for d in docs])
    scores = scorer.scores("my card is lost, how do I freeze it?")
    assert scores is not None and len(scores) == 3
    assert scores.argmax() == 0 and scores[1] == 0
    assert scorer.scores("zebra xylophone") is None
    assert Bm25Scorer([[], []]).scores("card") is None
