"""Compatibility with running conversations: a recorded history replays clean on today's workflow code, in
temporalio's default sandbox and in the runner the workers use."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from tandem.workflow_runner import workflow_runner
from workflows.conversation import SupportConversation

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize(
    "runner",
    [SandboxedWorkflowRunner(), workflow_runner(pydantic_data_converter)],
    ids=["default-sandbox", "worker-runner"],
)
async def test_recorded_histories_replay_without_nondeterminism(runner: WorkflowRunner) -> None:
    assert HISTORIES, "no recorded histories under tests/workflows/histories"
    replayer = Replayer(
        workflows=[SupportConversation], data_converter=pydantic_data_converter, workflow_runner=runner
    )
    for path in HISTORIES:
        history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
        result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
        assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
