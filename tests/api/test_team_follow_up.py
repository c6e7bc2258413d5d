"""The team's follow-up over HTTP. Approved answers: the owner is the agent the token names, customer data is
refused with a problem, backends may not approve, and a withdrawn answer is gone from the list. Promises:
only the ticket's owner records one, and both actions are audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.api.conftest import Api
from tests.api.test_identity import _agent_token, _customer_token


async def test_an_agent_approves_lists_and_withdraws_an_answer(api: Api) -> None:
    token = await _agent_token(api, "olga")
    async with api.client(token) as olga, api.client(api.backend_key) as backend:
        body = {"title": "Pausing a Koala plan", "text": "Pause it once a year, for up to 60 days."}
        refused = await backend.post("/v1/answers", json=body)
        assert refused.status_code == 403, refused.text

        leaked = await olga.post("/v1/answers", json={**body, "text": "Mail ada@example.com to pause."})
        assert leaked.status_code == 422 and leaked.json()["code"] == "not_approvable"

        made = await olga.post("/v1/answers", json={**body, "owner": "someone-else"})
        assert made.status_code == 422, "the owner comes from the token, never from the body"
        made = await olga.post("/v1/answers", json=body)
        assert made.status_code == 201, made.text
        answer = made.json()
        assert answer["owner"] == "olga" and answer["text"] == body["text"]

        listed = await olga.get("/v1/answers")
        assert answer["answer_id"] in [a["answer_id"] for a in listed.json()]
        gone = await olga.delete(f"/v1/answers/{answer['answer_id']}")
        assert gone.status_code == 200 and gone.json()["withdrawn_by"] == "olga"
        listed = await olga.get("/v1/answers")
        assert answer["answer_id"] not in [a["answer_id"] for a in listed.json()]
        assert (await olga.delete("/v1/answers/A-unknown")).status_code == 404
        assert (await olga.get("/v1/answers/candidates")).status_code == 200


async def test_only_the_owner_records_a_promise_and_it_shows_in_the_status(api: Api) -> None:
    anna = await _agent_token(api, f"anna-{uuid.uuid4().hex[:4]}")
    ben = await _agent_token(api, f"ben-{uuid.uuid4().hex[:4]}")
    customer = await _customer_token(api, f"cy-{uuid.uuid4().hex[:6]}")
    async with api.client(customer) as client:
        opened = await client.post("/v1/tickets", json={"message": "I want to talk to a person please"})
    ticket_id = opened.json()["ticket_id"]
    due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    body = {"text": "I'll call you back tomorrow", "due_at": due}
    async with api.client(anna) as as_anna, api.client(ben) as as_ben:
        assert (await as_anna.post(f"/v1/tickets/{ticket_id}/take-over")).status_code == 200
        assert (await as_ben.post(f"/v1/tickets/{ticket_id}/promises", json=body)).status_code == 403
        made = await as_anna.post(f"/v1/tickets/{ticket_id}/promises", json=body)
        assert made.status_code == 201, made.text
        promise_id = made.json()["promise_id"]
        kept = await as_anna.post(f"/v1/tickets/{ticket_id}/promises/{promise_id}/kept")
        assert kept.status_code == 200 and kept.json()["kept_at"] is not None
        late = {"text": "later", "due_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
        assert (await as_anna.post(f"/v1/tickets/{ticket_id}/promises", json=late)).status_code == 422
    actions = [e.action for e in api.access.audit_trail(ticket_id)]
    assert "promise" in actions and "keep_promise" in actions
