"""The `tandem` command end to end: a customer chat, the agent actions and the ticket list, as processes."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from dataclasses import dataclass

from temporalio.testing import WorkflowEnvironment

from tandem.client import TandemClient
from tandem.settings import Settings
from tests.conftest import PROJECT_ROOT


async def _tandem(env: WorkflowEnvironment, settings: Settings, task_queue: str, *args: str) -> Result:
    return await _cli(
        env.client.service_client.config.target_host, settings, *args, TANDEM_TASK_QUEUE=task_queue
    )


async def _cli(address: str, settings: Settings, *args: str, **environ: str) -> Result:
    """Run `python -m tandem ARGS` without blocking the event loop the test's worker runs on."""
    environment = {
        **os.environ,
        "TANDEM_TEMPORAL_ADDRESS": address,
        "TANDEM_DATABASE_URL": settings.resolved_database_url,
        **environ,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tandem",
        *args,
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return Result(process.returncode or 0, out.decode(), err.decode())


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


async def test_customer_and_agent_commands(
    local_env: WorkflowEnvironment, local_tandem: TandemClient, settings: Settings
) -> None:
    queue = local_tandem.task_queue
    ticket = f"CLI-{uuid.uuid4().hex[:8]}"

    def run(*args: str):
        return _tandem(local_env, settings, queue, *args)

    chat = await run(
        "chat",
        "--ticket",
        ticket,
        "--name",
        "Ada",
        "--product",
        "checking_accounts",
        "-m",
        "How do I open a checking account?",
    )
    assert chat.returncode == 0, chat.stderr
    assert "ai> Hi Ada" in chat.stdout and "Sources:" in chat.stdout

    take = await run("agent", "take", ticket, "--agent", "grace")
    assert take.returncode == 0, take.stderr
    assert "How do I open a checking account?" in take.stdout, "the agent sees the conversation so far"

    wrong_agent = await run("agent", "reply", ticket, "hello", "--agent", "linus")
    assert wrong_agent.returncode == 1 and "grace owns this conversation" in wrong_agent.stderr

    assert (await run("agent", "reply", ticket, "Hi Ada, I'm on it.", "--agent", "grace")).returncode == 0
    listed = await run("tickets", "--state", "HUMAN_ACTIVE")
    assert ticket in listed.stdout

    closed = await run("agent", "close", ticket, "--agent", "grace", "--note", "explained")
    assert closed.returncode == 0 and "resolved_by_human" in closed.stdout
    after = await run("chat", "--ticket", ticket, "-m", "one more question")
    assert after.returncode == 1 and "is closed" in after.stderr

    unknown = await run("agent", "show", f"missing-{ticket}")
    assert unknown.returncode == 1 and "no conversation" in unknown.stderr


async def test_an_unreachable_server_is_one_line_not_a_traceback(settings: Settings) -> None:
    result = await _cli("127.0.0.1:9", settings, "agent", "queue")  # nothing listens there
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
