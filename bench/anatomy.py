"""Where a conversation's first turn spends its time, read from workflow histories: workflow tasks waiting
for a worker and running, the AI turn's activity waiting for a slot and running. For bench/load.py."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tandem.evaluation.metrics import percentile

_PAIRS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: (
        "workflow_task_wait",
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    ),
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: (
        "workflow_task_run",
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    ),
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: (
        "activity_wait",
        EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    ),
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: (
        "activity_run",
        EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
    ),
}


async def first_turns(client: Client, task_queue: str, limit: int = 100) -> dict[str, dict[str, float]]:
    """p50/p95 seconds per part of the first turn (up to its update's completion), `limit` conversations."""
    parts: dict[str, list[float]] = {}
    seen = 0
    async for execution in client.list_workflows(f'TaskQueue="{task_queue}"'):
        if seen == limit:
            break
        seen += 1
        history = await client.get_workflow_handle(execution.id, run_id=execution.run_id).fetch_history()
        last: dict[int, float] = {}
        began = history.events[0].event_time.ToDatetime().timestamp()
        turn: dict[str, float] = {}
        for event in history.events:
            at = event.event_time.ToDatetime().timestamp()
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
                turn["total"] = at - began
                break
            if event.event_type in _PAIRS:
                name, opened = _PAIRS[event.event_type]
                turn[name] = turn.get(name, 0.0) + at - last.get(opened, at)
            last[event.event_type] = at
        for name, seconds in turn.items():
            parts.setdefault(name, []).append(seconds)
    return {
        name: {"p50_s": round(percentile(sorted(v), 50), 2), "p95_s": round(percentile(sorted(v), 95), 2)}
        for name, v in parts.items()
    }
