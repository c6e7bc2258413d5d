"""`tandem chat` in a terminal: what the conversation says while the customer is idle (an agent's reply, the
close) appears without the customer typing, and after close the customer can rate and reopen."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

from temporalio.testing import WorkflowEnvironment

from tandem.client import TandemClient
from tandem.contracts import ConversationState, Resolution
from tandem.settings import Settings
from tests.conftest import PROJECT_ROOT, wait_for_state


class Terminal:
    """A `tandem chat` process whose output is read line by line until an expected line shows."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    async def type(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{text}\n".encode())
        await self.process.stdin.drain()

    async def shows(self, text: str, timeout: float = 60) -> str:
        assert self.process.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                for line in self.lines:
                    if text in line:
                        self.lines.remove(line)
                        return line
                raw = await self.process.stdout.readline()
                if not raw:
                    assert self.process.stderr is not None
                    error = (await self.process.stderr.read()).decode()[-2000:]
                    raise AssertionError(f"the chat ended before showing {text!r}: {error}")
                self.lines.append(raw.decode())


async def test_the_chat_shows_an_agents_reply_unprompted_then_rates_and_reopens(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, settings: Settings
) -> None:
    ticket = f"CHAT-{uuid.uuid4().hex[:8]}"
    environment = {
        **os.environ,
        "TANDEM_TEMPORAL_ADDRESS": local_env.client.service_client.config.target_host,
        "TANDEM_DATABASE_URL": settings.resolved_database_url,
        "TANDEM_TASK_QUEUE": local_tandem.task_queue,
        "PYTHONUNBUFFERED": "1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tandem", "chat", "--ticket", ticket, "--name", "Ada",
        cwd=PROJECT_ROOT, env=environment,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    terminal = Terminal(process)
    try:
        await terminal.shows(f"Ticket {ticket}")
        await terminal.type("/human")
        await wait_for_state(local_tandem, ticket, ConversationState.WAITING_FOR_HUMAN)
        await local_tandem.take_over(ticket, "grace")
        await local_tandem.reply(ticket, "grace", "Hi Ada, Grace here. How can I help?")
        assert "Grace here" in await terminal.shows("Grace here")  # nothing typed since
        await local_tandem.close(ticket, Resolution.RESOLVED_BY_HUMAN, "grace", "talked it through")
        await terminal.shows("this conversation is closed")
        await terminal.type("/rate 5")
        await terminal.shows("thanks for rating")
        await terminal.type("One more question: how do I order a new card?")
        await terminal.shows("ai>")
        assert (await local_tandem.status(ticket)).reopened == 1
        await terminal.type("/quit")
        await terminal.shows("Resume with")
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
