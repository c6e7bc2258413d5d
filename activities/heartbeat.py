"""Heartbeats for a synchronous activity that may wait long on a remote model: a worker that dies mid-call is
noticed within the heartbeat timeout (seconds), not after the whole start-to-close timeout."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from temporalio import activity

HEARTBEAT_EVERY_S = 1.0


@contextmanager
def heartbeating(every_s: float = HEARTBEAT_EVERY_S) -> Iterator[None]:
    """Heartbeat every `every_s` seconds while the block runs, from a thread in the activity's context."""
    if not activity.in_activity():  # called directly (a benchmark, a script): nobody to tell
        yield
        return
    done = threading.Event()
    context = contextvars.copy_context()

    def beat() -> None:
        while not done.wait(every_s):
            context.run(activity.heartbeat)

    activity.heartbeat()
    beater = threading.Thread(target=beat, name="activity-heartbeat", daemon=True)
    beater.start()
    try:
        yield
    finally:
        done.set()
        beater.join()
