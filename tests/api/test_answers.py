"""Approved answers over HTTP: the owner is the agent the token names, customer data is refused with a
problem, backends may not approve, and a withdrawn answer is gone from the list."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_identity import _agent_token


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
