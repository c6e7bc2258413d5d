"""The speller: misspelt words read as the indexed texts spell them; real words and names left alone."""

from __future__ import annotations

import pytest

from tandem.knowledge.spelling import Speller, _one_edit_apart, is_english_word

TEXTS = [
    "The annual fee is waived. Each transaction shows in the app; a transaction can be disputed.",
    "Withdrawal limits apply to every withdrawal. Transfer money to another bank: a transfer takes a day.",
    "Your debit card and your credit card. Freeze a card from the app.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(TEXTS)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("anual", "annual"),  # a letter left out
        ("transactiln", "transaction"),  # a letter changed
        ("withdrawall", "withdrawal"),  # a letter added
        ("trasnfer", "transfer"),  # two letters swapped
        ("debitcard", "debit card"),  # two known words run together
    ],
)
def test_misspelt_words_are_read_as_the_texts_spell_them(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct_word(typed) == meant


def test_known_short_english_and_unplaceable_words_stay(speller: Speller) -> None:
    assert speller.correct_word("transfer") == "transfer"  # known
    assert speller.correct_word("crad") == "crad"  # too short to guess: card, cart, care ...
    assert speller.correct_word("timer") == "timer"  # English, though the texts lack it (not "time")
    assert speller.correct_word("Seattle") == "Seattle"
    assert speller.correct_word("xylophonic") == "xylophonic"  # nothing near it
    assert speller.correct("whats the anual fee on my debitcard?") == "whats the annual fee on my debit card?"
    assert Speller(()).correct("anual fee") == "anual fee"  # an empty help center corrects nothing


def test_the_english_word_list_tells_words_from_typos() -> None:
    assert is_english_word("tablet") and is_english_word("niece")
    assert not is_english_word("anual") and not is_english_word("withdrawl")


def test_one_edit_apart() -> None:
    assert _one_edit_apart("form", "from") and _one_edit_apart("card", "cards")
    assert _one_edit_apart("card", "cord") and _one_edit_apart("cards", "card")
    assert not _one_edit_apart("card", "card") and not _one_edit_apart("card", "dart")
    assert not _one_edit_apart("abcd", "badc")
