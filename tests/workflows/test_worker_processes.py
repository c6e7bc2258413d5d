"""`tandem worker --processes N`: the activity processes live and die with the worker that started them,
whether it is stopped (SIGTERM) or killed (SIGKILL): none is left polling or holding memory."""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from tandem.settings import Settings
from tests.conftest import start_worker_process
from worker import default_processes


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _polling(env: WorkflowEnvironment, task_queue: str) -> None:
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        request = DescribeTaskQueueRequest(
            namespace=env.client.namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=kind
        )
        for _ in range(1200):
            try:
                if (await env.client.workflow_service.describe_task_queue(request)).pollers:
                    break
            except RPCError:  # the dev server may cancel a describe call while it is busy: ask again
                pass
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"no {kind} poller")


async def _gone(pids: list[int]) -> bool:
    for _ in range(400):
        if not any(_alive(p) for p in pids):
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
async def test_activity_processes_end_with_their_worker(
    local_env: WorkflowEnvironment, settings: Settings, tmp_path: Path, stop: signal.Signals
) -> None:
    task_queue = f"processes-{uuid.uuid4().hex[:6]}"
    worker = start_worker_process(
        local_env, settings, task_queue, tmp_path / "worker.log", "--processes", "3"
    )
    try:
        await _polling(local_env, task_queue)
        helpers = _children(worker.pid)
        assert len(helpers) == 2
        worker.send_signal(stop)
        assert await _gone(helpers), "an activity process outlived its worker"
        code = await asyncio.to_thread(worker.wait, 60)
        assert code == (0 if stop is signal.SIGTERM else -signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_a_worker_started_without_a_count_runs_the_default_and_its_helpers_start_none(
    local_env: WorkflowEnvironment, settings: Settings, tmp_path: Path
) -> None:
    task_queue = f"processes-{uuid.uuid4().hex[:6]}"
    worker = start_worker_process(local_env, settings, task_queue, tmp_path / "worker.log", CO_API_KEY="")
    try:
        await _polling(local_env, task_queue)
        helpers = _children(worker.pid)
        offline = settings.model_copy(update={"cohere_api_key": None})  # as CO_API_KEY="" above
        assert len(helpers) == default_processes(offline) - 1
        assert all(_children(helper) == [] for helper in helpers), "an activity process started its own"
    finally:
        worker.terminate()
        await asyncio.to_thread(worker.wait, 60)
