"""Compatibility with running conversations: a recorded history replays clean on today's workflow code."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.conversation import SupportConversation

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


async def test_recorded_histories_replay_without_nondeterminism() -> None:
    assert HISTORIES, "no recorded histories under tests/workflows/histories"
    replayer = Replayer(workflows=[SupportConversation], data_converter=pydantic_data_converter)
    for path in HISTORIES:
        history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
        result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
        assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
