"""How long each activity may take and how it is retried: one place, so the workflow reads as orchestration.

- Store writes retry until the database is back (a message is never lost), but a write the database refuses
  for good is raised non-retryable by the activity (activities/store.py) and never retried.
- An AI turn (answer, escalation check, category) gives up after a few attempts: the customer is handed to a
  person instead of waiting.
- Drafts and hand-off packages are conveniences for people: a few attempts, then the agent works without.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

STORE_TIMEOUT = timedelta(seconds=10)
RETRIEVAL_TIMEOUT = timedelta(seconds=15)
GENERATION_TIMEOUT = timedelta(seconds=60)
GENERATION_HEARTBEAT = timedelta(seconds=4)  # it heartbeats every second: a dead worker is noticed in 4 s
ESCALATION_CHECK_TIMEOUT = timedelta(seconds=15)
HANDOFF_TIMEOUT = timedelta(seconds=30)

STORE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
TURN_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=3)
HELPER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=3)
