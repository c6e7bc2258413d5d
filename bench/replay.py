"""CPU of replaying a conversation: the recorded histories of tests/workflows/histories replayed in
temporalio's default sandbox, in the sandbox with modules passed through, and in the runner the workers use
(tandem/workflow_runner.py), alternating, one process. A worker replays a conversation's history whenever it
takes up a conversation it does not hold in memory: after a restart, a crash or a cache eviction.

    .venv/bin/python bench/replay.py [--rounds 5] [--replays 20] [--out bench/results/replay.json]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from pathlib import Path

from harness import report
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from tandem.workflow_runner import SANDBOX, workflow_runner
from workflows.conversation import SupportConversation

HISTORIES = sorted(Path(__file__).resolve().parents[1].glob("tests/workflows/histories/*.json"))


async def _median_ms(runner: WorkflowRunner, replays: int) -> float:
    replayer = Replayer(
        workflows=[SupportConversation], data_converter=pydantic_data_converter, workflow_runner=runner
    )
    took = []
    for n in range(replays + 2):  # the first two warm the runner up
        for path in HISTORIES:
            history = WorkflowHistory.from_json(f"bench-{n}-{path.stem}", path.read_text())
            started = time.perf_counter()
            result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
            if n >= 2:
                took.append((time.perf_counter() - started) * 1000)
            assert result.replay_failure is None
    return statistics.median(took)


async def _bench(rounds: int, replays: int) -> dict[str, object]:
    runners = {
        "default_sandbox": SandboxedWorkflowRunner(),
        "sandbox_modules_passed_through": SANDBOX,
        "worker_runner": workflow_runner(pydantic_data_converter),
    }
    medians: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, runner in runners.items():
            medians[name].append(round(await _median_ms(runner, replays), 1))
    events = [len(WorkflowHistory.from_json("h", p.read_text()).events) for p in HISTORIES]
    return {
        "machine": {"python": platform.python_version(), "cores": os.cpu_count()},
        "histories": [p.name for p in HISTORIES],
        "events": events,
        "replay_ms_median_per_round": medians,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--replays", type=int, default=20, help="per runner and round")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report(asyncio.run(_bench(args.rounds, args.replays)), args.out)


if __name__ == "__main__":
    main()
