"""Conversation context: facts the customer gave or the account holds are never asked for again."""

from __future__ import annotations

from datetime import UTC, datetime

from tandem.contracts import Author, CustomerContext, PreviousTicket, TranscriptEntry
from tandem.responder.context import known_facts, related_previous_ticket, without_known_asks


def _said(text: str) -> TranscriptEntry:
    return TranscriptEntry(message_id="m1", author=Author.CUSTOMER, text=text, at=datetime.now(UTC))


def test_facts_come_from_the_account_and_the_conversation() -> None:
    customer = CustomerContext(
        customer_id="c1", product="credit_cards", account_facts={"Email": "ada@example.com", "tier": "gold"}
    )
    facts = known_facts(customer, [_said("My order number is A-12345, it never arrived")], "any update?")
    assert facts["email"].value == "ada@example.com" and facts["email"].origin == "account"
    assert facts["order number"].value == "A-12345" and facts["order number"].origin == "conversation"
    assert facts["product"].value == "credit cards"
    assert "tier" not in facts


def test_a_known_fact_is_not_asked_for_again_and_the_reply_refers_back() -> None:
    facts = known_facts(CustomerContext(customer_id="c1"), [_said("order #B7781 is late")], "where is it?")
    reply = (
        "Hi Ada, here is what I found:\n- Could you please provide your order number? [1]\n"
        "- Orders ship in 2 days. [1]"
    )
    text, used = without_known_asks(reply, facts)
    assert "provide your order number" not in text
    assert "- I already have your order number (B7781)" in text and "again. [1]" not in text
    assert "Orders ship in 2 days. [1]" in text
    assert [f.kind for f in used] == ["order number"]


def test_unknown_facts_may_still_be_asked_for() -> None:
    reply = "Please share your email address so we can follow up."
    text, used = without_known_asks(reply, known_facts(CustomerContext(customer_id="c1"), [], "hello"))
    assert text == reply and used == []


def test_a_related_previous_ticket_is_found() -> None:
    previous = [
        PreviousTicket(ticket_id="T-1", subject="Card declined abroad", resolution="Enabled travel mode"),
        PreviousTicket(ticket_id="T-2", subject="Change my address", resolution="Updated"),
    ]
    assert related_previous_ticket("My card was declined again abroad in Spain", previous).ticket_id == "T-1"
    assert related_previous_ticket("What is the savings interest rate?", previous) is None
