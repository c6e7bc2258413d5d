"""The answer activity heartbeats while it runs, so a worker that dies in a long model call is noticed within
the heartbeat timeout."""

from __future__ import annotations

import threading

from temporalio.testing import ActivityEnvironment

from activities.heartbeat import heartbeating


def test_a_long_call_heartbeats_while_it_runs() -> None:
    beats = threading.Semaphore(0)
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *_: beats.release()

    def long_call() -> int:
        with heartbeating(every_s=0.01):
            # The first beat is at once, the next ones come from the heartbeat thread while this waits.
            return sum(beats.acquire(timeout=5) for _ in range(3))

    assert env.run(long_call) == 3
