"""The chat page's actions over plain HTTP, as its htmx forms send them: a conversation starts with the
first message (once, however often the form is sent), "Talk to a person" works before there is a ticket,
the page comes back to the customer's latest conversation, and a closed one reopens when they write again."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx

from tandem.api.auth import SESSION_COOKIE
from tandem.contracts import Author, ConversationState, Resolution
from tests.api.conftest import Api

HTMX = {"HX-Request": "true"}


async def _customer(api: Api) -> tuple[str, dict[str, str]]:
    customer_id = f"lea-{uuid.uuid4().hex[:6]}"
    async with api.client(api.backend_key) as backend:
        token = (await backend.post("/v1/customer-tokens", json={"customer_id": customer_id})).json()["token"]
    return customer_id, {"Cookie": f"{SESSION_COOKIE}={token}"} | HTMX


def _ticket_of(html: str) -> str:
    found = re.search(r'sse-connect="/chat/tickets/([^/]+)/events\?after=(\d+)"', html)
    assert found, html
    return found.group(1)


async def test_a_conversation_starts_once_and_reopens_after_close(api: Api) -> None:
    customer_id, session = await _customer(api)
    first = {"text": "How do I activate my new card?", "key": uuid.uuid4().hex}
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        opened = await client.post("/chat/tickets", data=first, headers=session)
        assert opened.status_code == 200, opened.text
        ticket_id = _ticket_of(opened.text)
        again = await client.post("/chat/tickets", data=first, headers=session)  # a double submit
        assert _ticket_of(again.text) == ticket_id
        assert 'hx-post="/chat/tickets/' + ticket_id + '/human"' in opened.text  # "Talk to a person"
        page = await client.get("/chat", headers=session)  # back later: the latest conversation
        assert _ticket_of(page.text) == ticket_id and "How do I activate my new card?" in page.text
        fresh = await client.get("/chat", params={"new": "1"}, headers=session)
        assert "sse-connect" not in fresh.text and 'hx-post="/chat/tickets"' in fresh.text

        await api.tandem.close(ticket_id, Resolution.RESOLVED_BY_AI, "test")
        composer = await client.get(
            f"/chat/tickets/{ticket_id}/composer", params={"mode": "ai"}, headers=session
        )
        assert "How did we do?" in composer.text and "reopen" in composer.text
        unchanged = await client.get(
            f"/chat/tickets/{ticket_id}/composer", params={"mode": "closed"}, headers=session
        )
        assert unchanged.status_code == 204
        reopened = await client.post(
            f"/chat/tickets/{ticket_id}/reopen",
            data={"text": "One more question about my card", "key": uuid.uuid4().hex},
            headers=session,
        )
        assert reopened.status_code == 200 and 'id="message-form"' in reopened.text
    status = await api.tandem.status(ticket_id)
    assert status.state is not ConversationState.CLOSED and status.customer_id == customer_id
    said = [e.text for e in await api.tandem.transcript(ticket_id) if e.author is Author.CUSTOMER]
    assert said.count(first["text"]) == 1 and said[-1] == "One more question about my card"


async def test_talk_to_a_person_before_any_message(api: Api) -> None:
    _, session = await _customer(api)
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        opened = await client.post(
            "/chat/tickets", data={"human": "true", "key": uuid.uuid4().hex}, headers=session
        )
        assert opened.status_code == 200, opened.text
        ticket_id = _ticket_of(opened.text)
        events = await _first_events(client, f"/chat/tickets/{ticket_id}/events", session)
    status = await api.tandem.status(ticket_id)
    assert status.state is ConversationState.WAITING_FOR_HUMAN
    assert any("A person from our team will answer here" in event for event in events)


async def _first_events(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[str]:
    """The page's event stream until the ticket's waiting state shows (HTML in `data:` lines)."""
    seen: list[str] = []
    async with asyncio.timeout(30), client.stream("GET", path, headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        async for line in stream.aiter_lines():
            seen.append(line)
            if "will answer here" in line:
                break
    return seen
