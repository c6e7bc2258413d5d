"""Operators over HTTP: a help-center source uploaded through the API is what the AI answers from at once,
removing it takes it away, ticket history imports, and the report and review lists read the store."""

from __future__ import annotations

import json
import uuid

from tests.api.conftest import Api

ARTICLE = {
    "id": "zebra-card-fees",
    "title": "Zebra Card fees",
    "body": "The Zebra Card has an annual fee of $17. There is no foreign transaction fee on the Zebra Card.",
    "product": "credit_cards",
}


async def test_an_uploaded_source_is_answered_from_and_removable(api: Api) -> None:
    _, operator = api.add_key("ops", {"operator"})
    source = f"zebra-{uuid.uuid4().hex[:6]}"
    body = "\n".join(json.dumps(row) for row in (ARTICLE,)) + "\n"
    async with api.client(operator) as ops, api.client(api.backend_key) as backend:
        synced = await ops.put(f"/v1/sources/{source}", content=body)
        assert synced.status_code == 200, synced.text
        assert synced.json()["added"] == 1 and synced.json()["flagged"] == []
        question = {
            "customer": {"customer_id": "ivy", "product": "credit_cards"},
            "message": "What is the annual fee on the Zebra Card?",
        }
        answered = await backend.post("/v1/tickets", json=question)
        assert "$17" in answered.json()["reply"]["text"]
        assert source in {s["source"] for s in (await ops.get("/v1/sources")).json()}
        assert (await ops.delete(f"/v1/sources/{source}")).json()["removed"] == 1
        assert (await ops.delete(f"/v1/sources/{source}")).status_code == 404
        broken = await ops.put(f"/v1/sources/{source}", content=b'{"id": "x", "title": "no body"}\n')
        assert broken.status_code == 422 and broken.json()["code"] == "invalid_request"
        # A backend key without the operator scope cannot touch the help center.
        assert (await backend.put(f"/v1/sources/{source}", content=body)).status_code == 403
    trail = [e.action for e in api.access.audit_trail() if e.detail.startswith(source)]
    assert trail == ["remove_source", "sync_source"]


async def test_history_report_and_review_over_http(api: Api) -> None:
    _, operator = api.add_key("ops", {"operator"})
    history = {
        "id": f"h-{uuid.uuid4().hex[:6]}",
        "subject": "card stuck",
        "body": "my card is stuck in the ATM",
        "category": "card_swallowed",
        "resolution": "We blocked it and sent a new card.",
    }
    async with api.client(operator) as ops:
        imported = await ops.post("/v1/ticket-history", content=json.dumps(history) + "\n")
        report = await ops.get("/v1/report", params={"since_days": 30})
        review = await ops.get("/v1/review")
    assert imported.status_code == 200 and imported.json()["imported"] == 1
    assert report.status_code == 200 and "overall" in report.json() and "checks" in report.json()
    assert review.status_code == 200 and set(review.json()) == {"conversations", "content_gaps"}
