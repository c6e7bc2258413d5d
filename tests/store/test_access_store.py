"""The access part of the store on SQLite and PostgreSQL: kept idempotent responses are forgotten after
their time, the first of two racing responses is the one kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from tandem.store.access import AccessStore, StoredResponse


def test_kept_responses_are_the_first_and_are_forgotten_after_their_time(engine: Engine) -> None:
    access = AccessStore(engine)
    first = StoredResponse("fp", 200, '{"n": 1}')
    assert access.store_response("backend:k1", "key-1", first) == first
    assert access.store_response("backend:k1", "key-1", StoredResponse("fp", 200, '{"n": 2}')) == first
    assert access.forget_responses_before(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert access.stored_response("backend:k1", "key-1") == first
    assert access.forget_responses_before(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert access.stored_response("backend:k1", "key-1") is None
