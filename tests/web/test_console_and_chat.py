"""In a real headless Chromium: a customer chats on the chat page and asks for a person; an agent signed in
to the console sees the ticket arrive in the queue, opens it, reads the hand-off, takes it over, sends the
AI's draft, and closes it with a note; the customer sees the reply arrive and rates the conversation.
Neither page reloads along the way (a marker set in each page's window survives to the end)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tests.api.conftest import AGENT_PASSWORD, Api
from tests.web.conftest import Shots, page_errors

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

SLOW = 45_000  # ms: an AI turn, a hand-off package or a draft on a busy test machine


async def _mark(page: Page) -> None:
    await page.evaluate("window.tandemTestMarker = 'not reloaded'")


async def _still_marked(page: Page) -> None:
    assert await page.evaluate("window.tandemTestMarker") == "not reloaded", "the page reloaded"


async def test_an_agent_answers_a_customer_from_the_console(browser: Browser, api: Api, shots: Shots) -> None:
    from playwright.async_api import expect  # here: without Playwright the browser fixture skips (or fails)

    agent_id = f"maya-{uuid.uuid4().hex[:6]}"
    customer_id = f"ada-{uuid.uuid4().hex[:6]}"
    api.add_agent(agent_id)
    # The company's backend opens the ticket with what it knows of the customer, and mints the chat link.
    customer = {
        "customer_id": customer_id,
        "name": "Ada Lovelace",
        "tier": "gold",
        "account_facts": {"plan": "Plus"},
    }
    async with api.client(api.backend_key) as backend:
        opened = await backend.post("/v1/tickets", json={"customer": customer, "subject": "My new card"})
        assert opened.status_code == 201, opened.text
        ticket_id = opened.json()["ticket_id"]
        minted = await backend.post("/v1/customer-tokens", json={"customer_id": customer_id})
    link = f"{api.url}/chat?token={minted.json()['token']}&ticket={ticket_id}"

    agents = await browser.new_context()
    customers = await browser.new_context()
    try:
        console = await agents.new_page()
        errors = page_errors(console)
        await console.goto(f"{api.url}/console")
        await expect(console.get_by_role("heading", name="Sign in")).to_be_visible()
        await expect(console.get_by_label("Agent id")).to_be_focused()
        await shots.take(console, "console-login")
        await console.keyboard.type(agent_id)
        await console.keyboard.press("Tab")
        await expect(console.get_by_label("Password")).to_be_focused()
        await console.keyboard.type(AGENT_PASSWORD)
        await console.keyboard.press("Enter")
        await expect(console.get_by_role("heading", name="Queue")).to_be_visible()
        await expect(console.get_by_text(f"Signed in as {agent_id}")).to_be_visible()
        await _mark(console)

        # The customer follows the link from another site: the token is dropped from the address.
        chat = await customers.new_page()
        errors += page_errors(chat)
        await chat.set_content(f'<a href="{link}">Chat with us</a>')
        await chat.get_by_role("link", name="Chat with us").click()
        await expect(chat).to_have_url(f"{api.url}/chat?ticket={ticket_id}")
        await _mark(chat)
        box = chat.get_by_label("Your message")
        await box.fill("How do I activate my new card?")
        await box.press("Enter")
        answer = chat.locator("#messages .msg-ai").first
        await expect(answer).to_be_visible(timeout=SLOW)
        await expect(chat.locator("#messages .msg-customer")).to_contain_text("activate my new card")
        await expect(answer.locator(".sources li").first).to_be_visible()
        await shots.take(chat, "chat-answer-with-sources")
        await chat.get_by_role("button", name="Talk to a person").click()
        await expect(chat.locator("#status")).to_contain_text(
            "A person from our team will answer", timeout=SLOW
        )

        # The queue shows the ticket without a reload, with its priority, reasons and customer.
        row = console.locator(f'tr[data-ticket="{ticket_id}"]')
        await expect(row).to_be_visible(timeout=SLOW)
        await expect(row).to_contain_text("Explicit request")
        await expect(row).to_contain_text(customer_id)
        await expect(row).to_contain_text("My new card")
        await _still_marked(console)
        await shots.take(console, "console-queue")

        await row.get_by_role("link").focus()
        await console.keyboard.press("Enter")
        await expect(console.get_by_role("heading", name="My new card")).to_be_visible()
        await expect(console.locator("#handoff .summary")).not_to_be_empty(timeout=SLOW)
        await expect(console.locator("#help")).to_contain_text("Ada Lovelace")
        await expect(console.locator("#help")).to_contain_text("Plus")
        await expect(console.locator("#messages")).to_contain_text("How do I activate my new card?")
        await _mark(console)
        await console.get_by_role("button", name="Take over").click()
        await expect(console.locator("#status")).to_contain_text(f"With {agent_id}")
        use_draft = console.get_by_role("button", name="Use draft")
        await expect(use_draft).to_be_visible(timeout=SLOW)
        await expect(use_draft).to_have_attribute("accesskey", "d")  # documented on the page
        draft = (await console.locator("#draft-text").text_content() or "").strip()
        assert draft
        await use_draft.click()
        reply_box = console.get_by_label("Reply to the customer")
        await expect(reply_box).to_have_value(draft)
        await expect(reply_box).to_be_focused()
        await console.keyboard.press("Enter")
        sent = console.locator("#messages .msg-agent")
        await expect(sent).to_contain_text(draft[:60], timeout=SLOW)
        await expect(reply_box).to_have_value("")
        await shots.take(console, "console-ticket-replied")

        # The customer sees the reply arrive, and that a person is with them.
        await expect(chat.locator("#messages .msg-agent")).to_contain_text(draft[:60], timeout=SLOW)
        await expect(chat.locator("#status")).to_contain_text("A person from our team is with you")
        await shots.take(chat, "chat-agent-reply")

        await console.get_by_label("How it was resolved").fill("Explained card activation in the app.")
        await console.get_by_role("button", name="Close the ticket").click()
        await expect(console.locator("#controls")).to_contain_text("This ticket is closed")
        await expect(console.locator("#status")).to_contain_text("Closed")
        await _still_marked(console)
        await shots.take(console, "console-ticket-closed")

        # After close the customer can rate the conversation (or write again to reopen it).
        await expect(chat.get_by_role("group", name="How did we do?")).to_be_visible(timeout=SLOW)
        await expect(
            chat.get_by_label("Need more help? Write again to reopen this conversation")
        ).to_be_visible()
        await chat.get_by_label("5 out of 5").check()
        await chat.get_by_role("button", name="Send rating").click()
        await expect(chat.get_by_text("Thank you for your rating!")).to_be_visible()
        await _still_marked(chat)
        await shots.take(chat, "chat-closed-rated")
        assert errors == []
    except BaseException:
        for context in (agents, customers):  # what each page showed when it went wrong
            for page in context.pages:
                await shots.take(page, "failure")
        raise
    finally:
        await agents.close()
        await customers.close()

    trail = [(event.actor, event.action) for event in reversed(api.access.audit_trail(ticket_id))]
    assert trail[-3:] == [(agent_id, "take_over"), (agent_id, "reply_from_draft"), (agent_id, "close")]
    status = await api.tandem.status(ticket_id)
    assert status.state.value == "CLOSED" and status.csat is not None and status.csat.rating == 5
