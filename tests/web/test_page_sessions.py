"""The pages' sessions over plain HTTP (no browser): the credential lives in an HttpOnly, SameSite=Strict
cookie scoped to its page, a cookie-borne change needs the `HX-Request` header (a page of another site
cannot send it), and who the caller is comes from the credential only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import httpx

from tandem.access import tokens
from tandem.api.auth import SESSION_COOKIE
from tandem.api.config import ApiSettings
from tandem.api.server import serving
from tandem.settings import Settings
from tandem.store import TicketStore
from tests.api.conftest import AGENT_PASSWORD, Api

HTMX = {"HX-Request": "true"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _session(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The session cookie a response sets: its value and its attributes (lower-cased names)."""
    cookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    morsel = cookie[SESSION_COOKIE]
    attributes = {name: str(morsel[name]) for name in morsel if morsel[name]}
    return morsel.value, attributes


async def _console_session(api: Api, client: httpx.AsyncClient) -> str:
    agent_id = f"vic-{uuid.uuid4().hex[:6]}"
    api.add_agent(agent_id)
    signed_in = await client.post(
        "/console/login", data={"agent_id": agent_id, "password": AGENT_PASSWORD}, headers=HTMX
    )
    assert signed_in.status_code == 204 and signed_in.headers["hx-redirect"] == "/console"
    value, attributes = _session(signed_in)
    assert (
        attributes["httponly"]
        and attributes["samesite"].lower() == "strict"
        and attributes["path"] == "/console"
    )
    return value


async def test_a_cookie_borne_post_without_the_htmx_header_is_refused(api: Api) -> None:
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:
        # Signing in is a form of the page too: without the header, refused before any password check.
        refused_login = await client.post("/console/login", data={"agent_id": "x", "password": "y"})
        assert refused_login.status_code == 403
        wrong = await client.post("/console/login", data={"agent_id": "x", "password": "y"}, headers=HTMX)
        assert (
            wrong.status_code == 401 and "wrong password" in wrong.text and "set-cookie" not in wrong.headers
        )
        assert wrong.headers["hx-retarget"] == "#flash"  # shown on the login page, which stays
        session = await _console_session(api, client)
        cookie = {"Cookie": f"{SESSION_COOKIE}={session}"}
        queue = await client.get("/console/queue", headers=cookie)  # reading needs no header
        assert queue.status_code == 200 and "Waiting for a person" in queue.text
        forged = await client.post("/console/tickets/T-none/take-over", headers=cookie)
        assert forged.status_code == 403 and "HX-Request" in forged.text
        assert forged.headers["content-type"].startswith("text/html")
        from_the_page = await client.post("/console/tickets/T-none/take-over", headers=cookie | HTMX)
        assert from_the_page.status_code == 404, "past the CSRF rule: the ticket is unknown"
        assert from_the_page.headers["hx-retarget"] == "#flash" and "No such ticket" in from_the_page.text
        # A bearer token is no cookie: the API's callers never need the header.
        bearer = {"Authorization": f"Bearer {session}"}
        assert (await client.post("/v1/tickets/T-none/take-over", headers=bearer)).status_code == 404
        signed_out = await client.post("/console/logout", headers=cookie | HTMX)
        assert signed_out.headers["hx-redirect"] == "/console/login"
        assert _session(signed_out)[0] == ""
        # Signed out (no cookie): the page sends the browser to the login page.
        anonymous = await client.get("/console")
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console/login"


async def test_a_chat_link_keeps_its_token_in_a_cookie_and_out_of_the_address(api: Api) -> None:
    customer_id = f"ida-{uuid.uuid4().hex[:6]}"
    async with api.client(api.backend_key) as backend:
        token = (await backend.post("/v1/customer-tokens", json={"customer_id": customer_id})).json()["token"]
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        arrived = await client.get("/chat", params={"token": token})
        assert arrived.status_code == 200 and token not in arrived.text
        assert 'http-equiv="refresh" content="0; url=/chat"' in arrived.text
        assert arrived.headers["referrer-policy"] == "no-referrer"
        value, attributes = _session(arrived)
        assert value == token and attributes["path"] == "/chat" and attributes["samesite"].lower() == "strict"
        cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
        chat = await client.get("/chat", headers=cookie)
        assert chat.status_code == 200 and "Your message" in chat.text
        forged = await client.post("/chat/tickets", content="text=hello+there", headers=cookie | FORM)
        assert forged.status_code == 403
        # The customer's credential is a customer's, whatever page it is sent to.
        assert (await client.get("/console/queue", headers=cookie)).status_code == 403
        expired = tokens.mint(
            api.settings.signing_secret(), tokens.CUSTOMER, customer_id, timedelta(minutes=-5)
        ).token
        stale = await client.get("/chat", params={"token": expired})
        assert (
            stale.status_code == 401
            and "expired" in stale.text
            and SESSION_COOKIE not in str(stale.headers.get("set-cookie"))
        )
        someone_elses = await client.get("/chat", params={"ticket": "T-not-yours"}, headers=cookie)
        assert someone_elses.status_code == 404


async def test_the_console_applies_the_apis_rules_and_audit(api: Api) -> None:
    """An action from the console is the API's: another agent's ticket is refused the same way, and what
    the console does lands in the same audit trail."""
    async with api.client(api.backend_key) as backend:
        opened = await backend.post(
            "/v1/tickets",
            json={"customer": {"customer_id": f"jo-{uuid.uuid4().hex[:6]}"}, "message": "A person please"},
        )
    ticket_id = opened.json()["ticket_id"]
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        first = {"Cookie": f"{SESSION_COOKIE}={await _console_session(api, client)}"} | HTMX
        second = {"Cookie": f"{SESSION_COOKIE}={await _console_session(api, client)}"} | HTMX
        taken = await client.post(f"/console/tickets/{ticket_id}/take-over", headers=first)
        assert taken.status_code == 200 and 'id="reply-text"' in taken.text
        reply = {"text": "Hello from the console", "used_draft": "false", "key": "k1"}
        refused = await client.post(f"/console/tickets/{ticket_id}/replies", data=reply, headers=second)
        assert refused.status_code == 403 and "has this ticket" in refused.text
        for _ in range(2):  # the form's key: sent twice, one reply
            sent = await client.post(f"/console/tickets/{ticket_id}/replies", data=reply, headers=first)
            assert sent.status_code == 200 and 'id="reply-text"' in sent.text
        empty = await client.post(f"/console/tickets/{ticket_id}/replies", data={"text": "  "}, headers=first)
        assert empty.status_code == 422 and empty.headers["hx-retarget"] == "#flash"
        closed = await client.post(
            f"/console/tickets/{ticket_id}/close",
            data={"note": "done", "resolution": "resolved_by_human"},
            headers=first,
        )
        assert closed.status_code == 200 and "This ticket is closed" in closed.text
    transcript = await api.tandem.transcript(ticket_id)
    assert [e.text for e in transcript].count("Hello from the console") == 1
    actions = [event.action for event in reversed(api.access.audit_trail(ticket_id))]
    assert actions == ["take_over", "reply", "close"]


async def test_with_an_identity_provider_the_login_page_says_to_use_it(api: Api, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'tandem.db'}")
    oidc = ApiSettings(
        data_dir=tmp_path,
        api_secret="another-test-secret-" + "y" * 32,
        oidc_issuer="https://login.example.test/",
        oidc_jwks_url="http://127.0.0.1:9/jwks.json",
    )
    async with serving(settings, oidc, api.tandem) as url, httpx.AsyncClient(base_url=url) as client:
        login = await client.get("/console/login")
        assert "identity provider" in login.text and 'name="token"' in login.text
        assert 'name="password"' not in login.text
        password = await client.post(
            "/console/login", data={"agent_id": "maya", "password": AGENT_PASSWORD}, headers=HTMX
        )
        assert password.status_code == 403 and "identity provider" in password.text


async def test_the_console_records_a_promise_and_approves_a_resolution_as_an_answer(api: Api) -> None:
    async with api.client(api.backend_key) as backend:
        opened = await backend.post(
            "/v1/tickets",
            json={"customer": {"customer_id": f"kim-{uuid.uuid4().hex[:6]}"}, "message": "A person please"},
        )
    ticket_id = opened.json()["ticket_id"]
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        agent = {"Cookie": f"{SESSION_COOKIE}={await _console_session(api, client)}"} | HTMX
        await client.post(f"/console/tickets/{ticket_id}/take-over", headers=agent)
        promised = await client.post(
            f"/console/tickets/{ticket_id}/promises",
            data={"text": "I'll call you back tomorrow", "hours": "24"},
            headers=agent,
        )
        assert (
            promised.status_code == 200
            and "call you back tomorrow" in promised.text
            and "open" in promised.text
        )
        note = "Koala plans pause for up to 60 days from the Plans tab."
        closed = await client.post(
            f"/console/tickets/{ticket_id}/close",
            data={"note": note, "resolution": "resolved_by_human"},
            headers=agent,
        )
        assert "Approve as an answer" in closed.text
        approved = await client.post(
            f"/console/tickets/{ticket_id}/approve-answer",
            data={"title": "Pausing a Koala plan"},
            headers=agent,
        )
        assert approved.status_code == 200 and "Approved as the team's answer" in approved.text
        listed = await client.get("/console/answers", headers=agent)
        assert listed.status_code == 200 and "Pausing a Koala plan" in listed.text
    store = TicketStore(api.access._engine)
    [answer] = [a for a in store.approved_answers() if a.from_ticket_id == ticket_id]
    assert (answer.title, answer.body) == ("Pausing a Koala plan", note)
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        agent = {"Cookie": f"{SESSION_COOKIE}={await _console_session(api, client)}"} | HTMX
        gone = await client.post(f"/console/answers/{answer.answer_id}/withdraw", headers=agent)
        assert gone.status_code == 200 and answer.answer_id not in gone.text
    assert answer.answer_id not in {a.answer_id for a in store.approved_answers()}
    actions = [event.action for event in reversed(api.access.audit_trail(ticket_id))]
    assert actions == ["take_over", "promise", "close", "approve_answer"]
