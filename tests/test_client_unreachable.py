"""A backend whose Temporal server is unreachable or goes away: the caller gets the client's documented
error, and nothing else is logged about it."""

from __future__ import annotations

import gc
import logging
import socket
from datetime import timedelta

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tandem import search_attributes as sa
from tandem.binaries import temporal_cli
from tandem.client import TandemClient, TandemUnavailable
from tandem.settings import Settings
from tandem.temporal_client import connect
from tests.conftest import new_ticket

PATIENCE = timedelta(seconds=0.5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_lazily_connected_client_reports_an_unreachable_server_as_unavailable() -> None:
    """The HTTP API connects on its first request; while the server is down the SDK raises a bare
    RuntimeError ("Failed client connect"), which is retried and then reported as TandemUnavailable, for a
    ticket and for the queue alike."""
    client = await connect(Settings(temporal_address=f"127.0.0.1:{_closed_port()}"), lazy=True)
    tandem = TandemClient(client, "tandem-unreachable", retry_for=PATIENCE)
    with pytest.raises(TandemUnavailable):
        await tandem.status("T-nowhere")
    with pytest.raises(TandemUnavailable):
        await tandem.queue()
    start = new_ticket()
    with pytest.raises(TandemUnavailable):
        await tandem.send_message(start.ticket_id, "How do I open a checking account?", start=start)


async def test_a_first_message_to_a_server_that_went_away_logs_no_unread_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Update-with-start also stores its failure in the operation's workflow-handle future; left unread,
    asyncio logs it with a traceback ("Future exception was never retrieved") for every attempt."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        search_attributes=list(sa.ALL),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    tandem = TandemClient(env.client, "tandem-gone", retry_for=PATIENCE)
    await env.shutdown()
    start = new_ticket()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        with pytest.raises(TandemUnavailable):
            await tandem.send_message(start.ticket_id, "How do I open a checking account?", start=start)
        gc.collect()  # asyncio reports an unread future's error when the future is collected
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]
