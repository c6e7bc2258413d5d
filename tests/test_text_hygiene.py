"""Text from callers is cleaned at the boundary, ids with control characters are refused, and what is shown
in a terminal cannot carry an escape sequence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tandem.contracts import BusinessHours, CustomerContext, CustomerMessage, TicketStart
from tandem.knowledge.documents import Article
from tandem.text_hygiene import clean_text, for_terminal, message_problem


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b", "ab"),
        ("red \x1b[31mtext\x1b[0m", "red text"),
        ("title \x1b]0;pwned\x07here", "title here"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("tab\tand\nnewline kept", "tab\tand\nnewline kept"),
        ("bell\x07 and del\x7f and c1\x9b", "bell and del and c1"),
        ("émoji 👍 and ümlauts stay", "émoji 👍 and ümlauts stay"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert CustomerMessage(message_id="m-1", text=raw).text == clean


def test_a_message_of_only_control_characters_is_empty() -> None:
    assert message_problem(CustomerMessage(message_id="m-1", text="\x00\x1b[2J").text) == "message is empty"


@pytest.mark.parametrize("bad", ["c\x00-1", "c-1\n", "c\x1b-1"])
def test_ids_with_control_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        CustomerContext(customer_id=bad)
    with pytest.raises(ValidationError, match="control characters"):
        CustomerMessage(message_id=bad, text="hello")


def test_customer_details_are_cleaned() -> None:
    customer = CustomerContext(
        customer_id="c-1", name="Ada\x00", account_facts={"card\x00": "Gold\x1b[1m Card"}
    )
    assert customer.name == "Ada" and customer.account_facts == {"card": "Gold Card"}
    assert TicketStart(ticket_id="T-1", customer=customer, subject="help\x00").subject == "help"


def test_an_unknown_time_zone_is_refused_where_it_is_set() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        BusinessHours(weekdays=[0], opens="09:00", closes="17:00", timezone="Mars/Olympus_Mons")
    assert BusinessHours(weekdays=[0], opens="09:00", closes="17:00", timezone="Europe/Paris").timezone


def test_articles_hold_clean_text() -> None:
    article = Article(id="a", title="Fees\x00", body="Monthly fee: $5\x00.")
    assert (article.title, article.body) == ("Fees", "Monthly fee: $5.")


def test_text_for_a_terminal_shows_escapes_instead_of_running_them() -> None:
    shown = for_terminal("hi \x1b[2J\x1b]0;title\x07 there\nnext\tline")
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown == "hi \\x1b[2J\\x1b]0;title\\x07 there\nnext\tline"


@settings(max_examples=300, deadline=None)
@given(text=st.text(), message_id=st.text(max_size=130))
def test_any_update_payload_is_cleaned_or_refused_before_it_reaches_a_workflow(
    text: str, message_id: str
) -> None:
    """Whatever a caller sends, the contract either refuses it with a validation error or holds text that the
    store and a terminal can take: no control character but line breaks and tabs, ids without any."""
    try:
        message = CustomerMessage(message_id=message_id, text=text)
    except ValidationError:
        assert (
            not message_id
            or len(message_id) > 120
            or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in message_id)
        )
        return
    assert all(c in "\n\t" or not (ord(c) < 32 or 127 <= ord(c) < 160) for c in message.text)
    assert clean_text(message.text) == message.text  # cleaning is idempotent: a retry carries the same text
