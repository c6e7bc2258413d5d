"""With payload keys set, a conversation's messages rest encrypted in Temporal's history, and the codec
endpoint shows them to an operator (as the Temporal UI would ask), not to a customer."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tandem.access import secrets
from tandem.api.config import ApiSettings
from tandem.api.server import serving
from tandem.client import TandemClient
from tandem.contracts import CustomerContext, TicketStart
from tandem.knowledge.ingest import ingest_path
from tandem.payload_codec import ENCODING, data_converter, new_key_spec
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine
from tandem.store.access import AccessStore
from tests.conftest import HELPCENTER
from worker import build_worker

SECRET_WORDS = "my account number is 99887766"


@pytest.fixture
def encrypted_settings(tmp_path: Path) -> Settings:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'tandem.db'}",
        task_queue=f"encrypted-{uuid.uuid4().hex[:6]}",
        payload_keys=new_key_spec("k1"),
    )
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    ingest_path(TicketStore(engine), HELPCENTER, progress=False)
    return settings


async def test_history_holds_ciphertext_and_the_codec_endpoint_decodes_it(
    local_env: WorkflowEnvironment, encrypted_settings: Settings
) -> None:
    settings = encrypted_settings
    client = Client(**{**local_env.client.config(), "data_converter": data_converter(settings.payload_keys)})
    tandem = TandemClient.from_settings(client, settings)
    ticket = TicketStart(ticket_id=f"T-{uuid.uuid4().hex}", customer=CustomerContext(customer_id="hana"))
    async with build_worker(client, settings):
        reply = await tandem.send_message(
            ticket.ticket_id, f"Hello, {SECRET_WORDS}. How do I order a card?", start=ticket
        )
    assert reply.text, "the conversation works as before"

    history = await local_env.client.get_workflow_handle(f"ticket-{ticket.ticket_id}").fetch_history()
    raw = history.to_json()
    assert "99887766" not in raw
    started = history.events[0].workflow_execution_started_event_attributes.input
    assert all(p.metadata["encoding"] == ENCODING for p in started.payloads)

    access = AccessStore(make_engine(settings.resolved_database_url))
    key_id, key = secrets.new_api_key()
    access.add_api_key(key_id, "ops", secrets.key_hash(key), {"operator"})
    customer_id, customer_key = secrets.new_api_key()
    access.add_api_key(customer_id, "plain backend", secrets.key_hash(customer_key), {"tickets"})
    accepted = next(
        e for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes")
    )
    message = accepted.workflow_execution_update_accepted_event_attributes.accepted_request.input.args
    body = json_format.MessageToJson(Payloads(payloads=message.payloads))
    api_settings = ApiSettings(data_dir=settings.data_dir, api_secret="c" * 40)
    async with serving(settings, api_settings, tandem) as url, httpx.AsyncClient(base_url=url) as http:
        shown = await http.post(
            "/codec/default/decode", content=body, headers={"Authorization": f"Bearer {key}"}
        )
        hidden = await http.post(
            "/codec/decode", content=body, headers={"Authorization": f"Bearer {customer_key}"}
        )
    assert shown.status_code == 200 and SECRET_WORDS in _texts(shown.json())
    assert hidden.status_code == 403


def _texts(payloads: dict) -> str:
    decoded = json_format.ParseDict(payloads, Payloads())
    return " ".join(p.data.decode(errors="replace") for p in decoded.payloads)
