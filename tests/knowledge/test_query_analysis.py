"""Query analysis: short questions pass through; long messages keep what they ask for."""

from __future__ import annotations

from tandem.knowledge.query_analysis import analyze_query, split_clauses, without_chatter


def test_short_questions_pass_through_unchanged() -> None:
    plan = analyze_query("How do I close my account? My email is a@b.com")
    assert plan.focus == "How do I close my account? My email is a@b.com"
    assert plan.dropped == () and not plan.is_long


def test_long_messages_drop_identifiers_persona_and_handling_notes() -> None:
    message = (
        "You are Maria Lopez, a 52-year-old nurse from Denver. Your email is maria@example.com. "
        'Your phone number is 303-555-0101. ## Conversation Flow: 1. **Opening:** "Hi, my card was declined '
        'at the grocery store twice today." 2. If asked for verification, give your date of birth. '
        "You also want to raise the daily spending limit on the card because you travel a lot for work."
    )
    plan = analyze_query(message)
    assert plan.is_long
    assert "maria@example.com" not in plan.focus and "303-555-0101" not in plan.focus
    assert "52-year-old" not in plan.focus and "Conversation Flow" not in plan.focus
    assert "card was declined at the grocery store twice today" in plan.focus
    # the request is weighted up by appearing twice
    assert plan.focus.count("You also want to raise the daily spending limit") == 2
    assert any("verification" in d for d in plan.dropped)


def test_all_boilerplate_falls_back_to_the_whole_message() -> None:
    message = "Your email is a@b.com and your phone number is 555-555-5555. " * 5
    assert analyze_query(message).focus == message.strip()


def test_split_clauses_handles_lists_dashes_and_markup() -> None:
    text = "**Goal:** open an account - then fund it.\n1. Verify your identity first\n2. Choose the Gold plan"
    assert split_clauses(text) == [
        "Goal: open an account",
        "then fund it.",
        "Verify your identity first",
        "Choose the Gold plan",
    ]


def test_asides_are_cut_out_of_a_request_instead_of_dropping_it() -> None:
    message = (
        "Your character is a middle school teacher named Jordan Mitchell who is passionate about education. "
        "Your annual income is $62,000 and your email is jordan@example.com. "
        'You\'re looking for a credit card (do not mention what type, just say "credit card") with the best '
        "sign-up bonus. You do not want a business credit card, but do not mention this upfront. "
        "If the agent offers several cards, pick the one with the lowest annual fee."
    )
    plan = analyze_query(message)
    assert "credit card with the best sign-up bonus" in plan.focus
    assert "do not mention" not in plan.focus and "just say" not in plan.focus
    assert "You do not want a business credit card" in plan.focus
    assert "Jordan Mitchell" not in plan.focus and "is passionate about education" in plan.focus
    assert "jordan@example.com" not in plan.focus


def test_chatter_around_a_question_is_cut() -> None:
    assert without_chatter("Hi there! Thanks. One more thing: how do I split a bill? Thanks!") == (
        "how do I split a bill?"
    )
    assert without_chatter("Hi Anna, how do I reset my PIN?") == "how do I reset my PIN?"
    assert without_chatter("Back again: how do I deposit a check?") == "how do I deposit a check?"
    assert without_chatter("hello there - my card is lost. Best regards") == "my card is lost."
    assert without_chatter("How do I close my account? Thanks in advance, regards") == (
        "How do I close my account?"
    )
    # Words inside the question stay, and a message that is only chatter is kept as written.
    assert without_chatter("Is it okay to deposit a check?") == "Is it okay to deposit a check?"
    assert without_chatter("thank you for your help with the card") == "thank you for your help with the card"
    assert without_chatter("Thanks!") == "Thanks!"
    assert analyze_query("Hi! What is the fee? Thanks").focus == "What is the fee?"
    assert analyze_query("Hi! What is the fee? Thanks").text == "Hi! What is the fee? Thanks"
