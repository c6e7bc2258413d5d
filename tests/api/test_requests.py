"""Over HTTP, against the real worker and dev server: retries are safe, bad requests get problem+json with
a stable code, and the live event stream resumes where it left off."""

from __future__ import annotations

import json
import uuid

import httpx

from tests.api.conftest import Api

PROBLEM = "application/problem+json"


async def test_a_retried_post_with_the_same_key_acts_once(api: Api) -> None:
    customer = f"fay-{uuid.uuid4().hex[:6]}"
    body = {"customer": {"customer_id": customer}, "message": "How do I activate my card?"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    async with api.client(api.backend_key) as backend:
        first = await backend.post("/v1/tickets", json=body, headers=key)
        again = await backend.post("/v1/tickets", json=body, headers=key)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        ticket_id = first.json()["ticket_id"]
        message_key = {"Idempotency-Key": uuid.uuid4().hex}
        follow_up = {"text": "And how long does the card take to arrive?"}
        replies = [
            await backend.post(f"/v1/tickets/{ticket_id}/messages", json=follow_up, headers=message_key)
            for _ in range(3)
        ]
        assert len({r.text for r in replies}) == 1 and replies[0].status_code == 200
        reused = await backend.post(
            f"/v1/tickets/{ticket_id}/messages", json={"text": "else"}, headers=message_key
        )
        assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
        transcript = (await backend.get(f"/v1/tickets/{ticket_id}/transcript")).json()
    said = [e["text"] for e in transcript if e["author"] == "customer"]
    assert said == [body["message"], follow_up["text"]], "one ticket, one message per key"


async def test_bad_requests_get_problem_details_never_a_trace(api: Api) -> None:
    async with api.client(api.backend_key) as backend:
        huge = await backend.post(
            "/v1/tickets", content=b"{" + b" " * (api.settings.max_body_bytes + 10) + b"}"
        )
        malformed = await backend.post(
            "/v1/tickets", content=b'{"customer": ', headers={"Content-Type": "application/json"}
        )
        invalid = await backend.post("/v1/tickets", json={"customer": {"customer_id": ""}, "message": "hi"})
        control = await backend.post(
            "/v1/tickets", json={"customer": {"customer_id": "bad\u0000id"}, "message": "hello"}
        )
        unknown = await backend.post("/v1/tickets/T-nope/messages", json={"text": "hello?"})
        nowhere = await backend.get("/v1/nowhere")
    expected = [
        (huge, 413, "too_large"),
        (malformed, 422, "invalid_request"),
        (invalid, 422, "invalid_request"),
    ]
    expected += [
        (control, 422, "invalid_request"),
        (unknown, 404, "unknown_ticket"),
        (nowhere, 404, "not_found"),
    ]
    for response, status, code in expected:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["code"] == code
        assert "Traceback" not in response.text


async def test_the_event_stream_delivers_replies_and_resumes_after_a_reconnect(api: Api) -> None:
    async with api.client(api.backend_key) as backend:
        opened = await backend.post(
            "/v1/tickets",
            json={
                "customer": {"customer_id": f"gus-{uuid.uuid4().hex[:6]}"},
                "message": "How do I activate my card?",
            },
        )
        ticket_id = opened.json()["ticket_id"]
        first = await _read_events(backend, ticket_id, count=2)  # the customer's message and the AI's reply
        assert [e["event"] for e in first] == ["message", "message"]
        assert [json.loads(e["data"])["author"] for e in first] == ["customer", "ai"]
        await backend.post(f"/v1/tickets/{ticket_id}/human", json={})
        resumed = await _read_events(backend, ticket_id, count=1, last_event_id=first[-1]["id"])
    notice = json.loads(resumed[0]["data"])
    assert int(resumed[0]["id"]) > int(first[-1]["id"]) and notice["author"] in ("ai", "system")
    assert notice["message_id"] not in {json.loads(e["data"])["message_id"] for e in first}


async def _read_events(
    client: httpx.AsyncClient, ticket_id: str, count: int, last_event_id: str | None = None
) -> list[dict[str, str]]:
    """The first `count` message events of the ticket's stream (state events are skipped)."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    found: list[dict[str, str]] = []
    async with client.stream("GET", f"/v1/tickets/{ticket_id}/events", headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event: dict[str, str] = {}
        async for line in stream.aiter_lines():
            if line:
                name, _, value = line.partition(": ")
                event[name] = value
                continue
            if event.get("event") == "message":
                found.append(event)
                if len(found) == count:
                    return found
            event = {}
    return found
