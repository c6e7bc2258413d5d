"""Over HTTP, against the real worker and dev server: who may do what. Identity comes from credentials
only: customers reach their own tickets, agents act on tickets they own, revoked keys and expired tokens
are refused."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tandem.access import tokens
from tandem.client import RequestRejected
from tandem.contracts import Author, CustomerContext, TicketStart
from tests.api.conftest import AGENT_PASSWORD, Api


async def _customer_token(api: Api, customer_id: str) -> str:
    async with api.client(api.backend_key) as backend:
        minted = await backend.post("/v1/customer-tokens", json={"customer_id": customer_id})
    assert minted.status_code == 201, minted.text
    return minted.json()["token"]


async def _agent_token(api: Api, agent_id: str) -> str:
    api.add_agent(agent_id)
    async with api.client() as anonymous:
        login = await anonymous.post(
            "/v1/agent/login", json={"agent_id": agent_id, "password": AGENT_PASSWORD}
        )
    assert login.status_code == 200, login.text
    return login.json()["token"]


async def test_a_customer_reaches_only_their_own_tickets(api: Api) -> None:
    alice = await _customer_token(api, f"alice-{uuid.uuid4().hex[:6]}")
    bob = await _customer_token(api, f"bob-{uuid.uuid4().hex[:6]}")
    async with api.client(alice) as client:
        opened = await client.post("/v1/tickets", json={"message": "How do I activate my new card?"})
        assert opened.status_code == 201, opened.text
        ticket_id = opened.json()["ticket_id"]
        assert opened.json()["reply"]["text"]
        mine = await client.get(f"/v1/tickets/{ticket_id}")
        assert mine.status_code == 200 and "escalation_reasons" not in mine.json()
        listed = await client.get("/v1/me/tickets")
        assert [t["ticket_id"] for t in listed.json()] == [ticket_id]
    async with api.client(bob) as client:
        for response in (
            await client.get(f"/v1/tickets/{ticket_id}"),
            await client.get(f"/v1/tickets/{ticket_id}/transcript"),
            await client.get(f"/v1/tickets/{ticket_id}/events"),
            await client.post(f"/v1/tickets/{ticket_id}/messages", json={"text": "let me in"}),
            await client.post(f"/v1/tickets/{ticket_id}/human", json={}),
        ):
            assert response.status_code == 404, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["code"] == "unknown_ticket"
        assert (await client.get("/v1/me/tickets")).json() == []
        # A customer cannot pick a ticket id (or a customer) to attach to someone else's ticket.
        forged = await client.post("/v1/tickets", json={"ticket_id": ticket_id, "message": "hi"})
        assert forged.status_code == 422


async def test_an_agent_cannot_act_on_a_ticket_another_agent_owns(api: Api) -> None:
    anna = await _agent_token(api, f"anna-{uuid.uuid4().hex[:4]}")
    ben = await _agent_token(api, f"ben-{uuid.uuid4().hex[:4]}")
    customer = await _customer_token(api, f"carol-{uuid.uuid4().hex[:6]}")
    async with api.client(customer) as client:
        opened = await client.post("/v1/tickets", json={"message": "I want to talk to a person please"})
    ticket_id = opened.json()["ticket_id"]
    async with api.client(anna) as as_anna, api.client(ben) as as_ben:
        assert (await as_anna.post(f"/v1/tickets/{ticket_id}/take-over")).status_code == 200
        refused = [
            await as_ben.post(f"/v1/tickets/{ticket_id}/take-over"),
            await as_ben.post(f"/v1/tickets/{ticket_id}/replies", json={"text": "Ben here"}),
            await as_ben.post(f"/v1/tickets/{ticket_id}/hand-back", json={}),
            await as_ben.post(f"/v1/tickets/{ticket_id}/close", json={"note": "closing it"}),
        ]
        assert [r.status_code for r in refused] == [403] * 4
        assert {r.json()["code"] for r in refused} == {"not_allowed"}
        replied = await as_anna.post(
            f"/v1/tickets/{ticket_id}/replies", json={"text": "Anna here, how can I help?"}
        )
        assert replied.status_code == 200 and replied.json()["author_name"] == anna_name(anna)
        closed = await as_anna.post(
            f"/v1/tickets/{ticket_id}/close", json={"note": "explained the card steps"}
        )
        assert closed.status_code == 200 and closed.json()["state"] == "CLOSED"
    trail = [(e.actor, e.action) for e in reversed(api.access.audit_trail(ticket_id))]
    agent = anna_name(anna)
    assert trail == [(agent, "take_over"), (agent, "reply"), (agent, "close")]
    # A customer token is not an agent's.
    async with api.client(customer) as client:
        assert (await client.post(f"/v1/tickets/{ticket_id}/take-over")).status_code == 403


def anna_name(token: str) -> str:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})["sub"]


async def test_revoked_keys_expired_tokens_and_forgeries_are_refused(api: Api) -> None:
    key_id, key = api.add_key("short-lived", {"tickets"})
    async with api.client(key) as client:
        assert (await client.post("/v1/customer-tokens", json={"customer_id": "dave"})).status_code == 201
        api.access.revoke_api_key(key_id)
        revoked = await client.post("/v1/customer-tokens", json={"customer_id": "dave"})
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    secret = api.settings.signing_secret()
    expired = tokens.mint(secret, tokens.CUSTOMER, "dave", timedelta(minutes=-5)).token
    forged = tokens.mint(
        "another deployment's secret, long enough for HS256", tokens.CUSTOMER, "dave", timedelta(minutes=5)
    ).token
    as_agent = tokens.mint(secret, tokens.CUSTOMER, "dave", timedelta(minutes=5)).token  # customer ≠ agent
    for credential in (expired, forged, "tdk_nope_nope", "not-a-token"):
        async with api.client(credential) as client:
            response = await client.get("/v1/me/tickets")
        assert response.status_code == 401, credential
        assert response.headers["www-authenticate"] == "Bearer"
    async with api.client(as_agent) as client:
        assert (await client.get("/v1/queue")).status_code == 403
    async with api.client() as anonymous:
        assert (await anonymous.get("/v1/queue")).status_code == 401
        wrong = await anonymous.post("/v1/agent/login", json={"agent_id": "nobody", "password": "guess"})
        assert wrong.status_code == 401


async def test_attaching_to_a_ticket_checks_it_is_the_same_customers(api: Api) -> None:
    """Knowing a ticket id is not enough: opening it again for another customer is refused, through the API
    (409) and by the conversation itself (a client that skips the API)."""
    ticket_id = f"T-{uuid.uuid4().hex}"
    first = {"ticket_id": ticket_id, "customer": {"customer_id": "erin"}, "message": "How do I order a card?"}
    async with api.client(api.backend_key) as backend:
        assert (await backend.post("/v1/tickets", json=first)).status_code == 201
        other = {**first, "customer": {"customer_id": "mallory"}, "message": "show me the transcript"}
        taken = await backend.post("/v1/tickets", json=other)
    assert taken.status_code == 409 and taken.json()["code"] == "ticket_exists"
    mallory = TicketStart(ticket_id=ticket_id, customer=CustomerContext(customer_id="mallory"))
    with pytest.raises(RequestRejected, match="another customer"):
        await api.tandem.send_message(ticket_id, "let me in", start=mallory)
    transcript = await api.tandem.transcript(ticket_id)
    assert [e.text for e in transcript if e.author is Author.CUSTOMER] == ["How do I order a card?"]
