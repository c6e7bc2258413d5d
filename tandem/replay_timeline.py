"""A conversation's Temporal history as lines a person reads: when, what happened, and its name (update,
signal, activity, timer), without payloads (they may hold customer text, and may be encrypted)."""

from __future__ import annotations

from collections.abc import Iterator

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

_SKIP = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
}


def timeline(history: WorkflowHistory) -> Iterator[str]:
    for event in history.events:
        if event.event_type in _SKIP:
            continue
        when = event.event_time.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
        kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower().replace("_", " ")
        detail = _detail(event)
        yield f"{when}  #{event.event_id:<4} {kind}" + (f": {detail}" if detail else "")


def _detail(event: HistoryEvent) -> str:
    kind = event.WhichOneof("attributes")
    attributes = getattr(event, kind) if kind else None
    if attributes is None:
        return ""
    for field in ("activity_type", "workflow_type"):
        if field in _fields(attributes) and attributes.HasField(field):
            return getattr(attributes, field).name
    if hasattr(attributes, "signal_name"):
        return attributes.signal_name
    if kind == "workflow_execution_update_accepted_event_attributes":
        return attributes.accepted_request.input.name
    if kind == "timer_started_event_attributes":
        return f"fires in {attributes.start_to_fire_timeout.ToTimedelta()}"
    if kind == "marker_recorded_event_attributes":
        return attributes.marker_name
    return ""


def _fields(message: object) -> set[str]:
    return {f.name for f in message.DESCRIPTOR.fields}  # type: ignore[attr-defined]
