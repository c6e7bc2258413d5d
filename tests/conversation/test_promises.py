"""Promises people make, as rules: who may make and keep one, when it counts as missed, what closing does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from tandem.contracts import CarriedState, Priority, Resolution
from tandem.conversation import promises
from tandem.conversation.effects import WriteEscalation, WriteEvent, WriteStatus
from tandem.conversation.machine import Conversation, Refused
from tests.conversation.test_machine import MONDAY_NOON, _conversation

HOUR = timedelta(hours=1)


def _owned() -> Conversation:
    c = _conversation()
    c.request_human(MONDAY_NOON, "asked")
    c.take_over(MONDAY_NOON, "grace")
    return c


def test_only_the_owner_promises_and_only_for_later() -> None:
    c = _conversation()
    with pytest.raises(Refused):  # nobody owns it yet
        promises.make_promise(c, MONDAY_NOON, "grace", "call back", MONDAY_NOON + HOUR)
    c = _owned()
    with pytest.raises(Refused, match="grace owns"):
        promises.make_promise(c, MONDAY_NOON, "bruno", "call back", MONDAY_NOON + HOUR)
    with pytest.raises(Refused, match="future"):
        promises.make_promise(c, MONDAY_NOON, "grace", "call back", MONDAY_NOON)
    with pytest.raises(Refused, match="within 60 days"):
        promises.make_promise(c, MONDAY_NOON, "grace", "call back", MONDAY_NOON + timedelta(days=61))
    [made] = promises.make_promise(c, MONDAY_NOON, "grace", "call back", MONDAY_NOON + HOUR)
    assert isinstance(made, WriteEvent) and made.record.kind == "promise_made"
    assert promises.next_due(c) == MONDAY_NOON + HOUR


def test_missing_raises_one_step_per_pass_and_survives_continue_as_new() -> None:
    c = _owned()
    promises.make_promise(c, MONDAY_NOON, "grace", "call back", MONDAY_NOON + HOUR)
    promises.make_promise(c, MONDAY_NOON, "grace", "send the form", MONDAY_NOON + HOUR)
    assert promises.promises_missed(c, MONDAY_NOON + HOUR / 2) == []  # not due yet
    effects = promises.promises_missed(c, MONDAY_NOON + HOUR)
    assert c.data.priority is Priority.HIGH, "two promises missed at once: one step"
    assert [type(e) for e in effects] == [WriteEvent, WriteEvent, WriteEscalation, WriteStatus]
    assert promises.next_due(c) is None and promises.promises_missed(c, MONDAY_NOON + 2 * HOUR) == []
    carried = pydantic_data_converter.payload_converter.to_payloads([c.data])
    [back] = pydantic_data_converter.payload_converter.from_payloads(carried, [CarriedState])
    assert [p.missed_at for p in back.promises] == [MONDAY_NOON + HOUR] * 2


def test_keeping_settles_it_and_closing_settles_the_rest() -> None:
    c = _owned()
    promises.make_promise(c, MONDAY_NOON, "grace", "call back", MONDAY_NOON + HOUR)
    first = c.data.promises[0].promise_id
    with pytest.raises(Refused, match="no promise"):
        promises.keep_promise(c, MONDAY_NOON, "grace", "T-1:promise:999")
    with pytest.raises(Refused, match="grace made this promise"):
        promises.keep_promise(c, MONDAY_NOON, "bruno", first)
    assert len(promises.keep_promise(c, MONDAY_NOON, "grace", first)) == 1
    assert promises.keep_promise(c, MONDAY_NOON, "grace", first) == []  # twice: nothing more
    assert promises.next_due(c) is None

    promises.make_promise(c, MONDAY_NOON, "grace", "send the form", MONDAY_NOON + HOUR)
    c.close(MONDAY_NOON, Resolution.RESOLVED_BY_HUMAN, "grace")
    assert promises.next_due(c) is None and promises.promises_missed(c, MONDAY_NOON + HOUR) == []
