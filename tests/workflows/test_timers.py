"""Every conversation timer, on the time-skipping test server (durable timers, skipped in seconds)."""

from __future__ import annotations

import asyncio
from datetime import UTC, time, timedelta
from zoneinfo import ZoneInfo

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from tandem.client import TandemClient
from tandem.contracts import (
    BusinessHours,
    ConversationState,
    ConversationTimeouts,
    Priority,
    Resolution,
    TicketOutcome,
)
from tandem.settings import Settings
from tandem.store import TicketStore
from tests.conftest import new_ticket, wait_for_state

PICKUP = timedelta(minutes=5)


def _timeouts(**overrides: object) -> ConversationTimeouts:
    base = {
        "pickup": PICKUP,
        "ai_time_limit": timedelta(hours=4),
        "ai_turn_limit": 50,
        "inactivity": timedelta(hours=8),
        "csat_window": timedelta(hours=1),
    }
    return ConversationTimeouts(**{**base, **overrides})


async def test_pickup_timeout_raises_priority_and_tells_the_customer(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket().model_copy(update={"timeouts": _timeouts()})
    tandem = timer_tandem
    await tandem.open_ticket(start)
    await tandem.request_human(start.ticket_id)
    before = await wait_for_state(tandem, start.ticket_id, ConversationState.WAITING_FOR_HUMAN)
    assert before.priority is Priority.NORMAL

    await time_env.sleep(PICKUP + timedelta(seconds=30))
    after = await tandem.status(start.ticket_id)
    transcript = await tandem.transcript(start.ticket_id)

    assert after.state is ConversationState.WAITING_FOR_HUMAN
    assert after.priority is Priority.HIGH
    assert "pickup_timeout" in {r.code for r in after.escalation_reasons}
    assert "longer than usual" in transcript[-1].text
    assert [e.trigger for e in store.escalations(start.ticket_id)] == ["request_human", "pickup_timeout"]


async def test_take_over_cancels_the_pickup_timer(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket().model_copy(update={"timeouts": _timeouts()})
    tandem = timer_tandem
    await tandem.open_ticket(start)
    await tandem.request_human(start.ticket_id)
    await wait_for_state(tandem, start.ticket_id, ConversationState.WAITING_FOR_HUMAN)
    # The state changes before the hand-over's writes run; the pickup timer starts after them.
    await _until_timer_started_after_signal(time_env, start.ticket_id)
    await tandem.take_over(start.ticket_id, "grace")

    await time_env.sleep(PICKUP * 3)
    status = await tandem.status(start.ticket_id)
    history = await time_env.client.get_workflow_handle(f"ticket-{start.ticket_id}").fetch_history()

    assert status.state is ConversationState.HUMAN_ACTIVE
    assert status.priority is Priority.NORMAL
    assert "pickup_timeout" not in {r.code for r in status.escalation_reasons}
    kinds = [e.event_type for e in history.events]
    assert EventType.EVENT_TYPE_TIMER_CANCELED in kinds
    assert EventType.EVENT_TYPE_TIMER_FIRED not in kinds


async def test_ai_turn_limit_escalates(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket(product="credit_cards").model_copy(update={"timeouts": _timeouts(ai_turn_limit=2)})
    tandem = timer_tandem
    await tandem.open_ticket(start)
    first = await tandem.send_message(start.ticket_id, "What does the Gold Rewards Card earn on purchases?")
    second = await tandem.send_message(start.ticket_id, "And what is its annual fee?")

    assert not first.escalation.escalate and first.state is ConversationState.AI_ACTIVE
    assert second.escalation.escalate and second.state is ConversationState.WAITING_FOR_HUMAN
    assert "ai_turn_limit" in {r.code for r in second.escalation.reasons}


async def test_ai_time_limit_escalates_a_customer_still_stuck(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    limit = timedelta(minutes=20)
    start = new_ticket(product="credit_cards").model_copy(
        update={"timeouts": _timeouts(ai_time_limit=limit, inactivity=timedelta(minutes=15))}
    )
    tandem = timer_tandem
    await tandem.open_ticket(start)
    await tandem.send_message(start.ticket_id, "What does the Gold Rewards Card earn on purchases?")
    # The customer keeps writing every 10 minutes, so inactivity never fires; the AI limit does.
    await time_env.sleep(timedelta(minutes=10))
    await tandem.send_message(start.ticket_id, "That doesn't answer it. What about travel rewards?")
    await time_env.sleep(timedelta(minutes=11))
    status = await tandem.status(start.ticket_id)

    assert status.state is ConversationState.WAITING_FOR_HUMAN
    assert "ai_time_limit" in {r.code for r in status.escalation_reasons}


async def test_inactivity_closes_as_abandoned(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket().model_copy(update={"timeouts": _timeouts(inactivity=timedelta(minutes=15))})
    tandem = timer_tandem
    await tandem.open_ticket(start)
    await tandem.send_message(start.ticket_id, "How do I open a savings account?")
    await time_env.sleep(timedelta(minutes=16) + timedelta(hours=1))  # inactivity, then the survey window
    handle = time_env.client.get_workflow_handle(f"ticket-{start.ticket_id}", result_type=TicketOutcome)
    outcome = await handle.result()

    assert outcome.resolution is Resolution.ABANDONED and outcome.closed_by == "system"
    ticket = store.get_ticket(start.ticket_id)
    assert ticket is not None and ticket.state == ConversationState.CLOSED
    assert ticket.resolution == Resolution.ABANDONED


async def test_customer_message_restarts_the_inactivity_timer(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket().model_copy(update={"timeouts": _timeouts(inactivity=timedelta(minutes=15))})
    tandem = timer_tandem
    await tandem.open_ticket(start)
    await time_env.sleep(timedelta(minutes=10))
    await tandem.send_message(start.ticket_id, "How do I open a savings account?")
    await time_env.sleep(timedelta(minutes=10))  # 20 min after opening, 10 after the message
    status = await tandem.status(start.ticket_id)
    assert status.state is ConversationState.AI_ACTIVE


async def test_deployment_defaults_apply_unless_the_ticket_overrides_them(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, settings: Settings, store: TicketStore
) -> None:
    deployment = settings.model_copy(
        update={"pickup_timeout_seconds": 120, "task_queue": timer_tandem._task_queue}
    )
    tandem = TandemClient.from_settings(time_env.client, deployment)
    plain = new_ticket()
    custom = new_ticket().model_copy(update={"timeouts": _timeouts()})
    await tandem.open_ticket(plain)
    await tandem.open_ticket(custom)
    for start in (plain, custom):
        await tandem.request_human(start.ticket_id)
        await wait_for_state(tandem, start.ticket_id, ConversationState.WAITING_FOR_HUMAN)

    await time_env.sleep(timedelta(minutes=3))
    plain_status = await tandem.status(plain.ticket_id)
    custom_status = await tandem.status(custom.ticket_id)
    assert plain_status.timeouts.pickup == timedelta(minutes=2)
    assert plain_status.priority is Priority.HIGH  # the 2-minute deployment default fired
    assert custom_status.timeouts.pickup == PICKUP
    assert custom_status.priority is Priority.NORMAL  # its own 5-minute timer has not


async def test_out_of_hours_promise_is_kept_by_a_timer(
    time_env: WorkflowEnvironment, timer_tandem: TandemClient, store: TicketStore
) -> None:
    # A zone where it is about noon now, and a team that works 14:00-16:00 there: nobody is in yet.
    now = await time_env.get_current_time()
    offset = 12 - now.astimezone(UTC).hour
    zone = f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"  # Etc/GMT-2 is UTC+2
    hours = BusinessHours(weekdays=list(range(7)), opens=time(14), closes=time(16), timezone=zone)
    start = new_ticket().model_copy(update={"timeouts": _timeouts(), "business_hours": hours})
    await timer_tandem.open_ticket(start)
    await timer_tandem.request_human(start.ticket_id)
    await wait_for_state(timer_tandem, start.ticket_id, ConversationState.WAITING_FOR_HUMAN)

    told = (await timer_tandem.transcript(start.ticket_id))[-1].text
    assert "nobody is in right now" in told and "14:05" in told

    local_now = (await time_env.get_current_time()).astimezone(ZoneInfo(zone))
    await time_env.sleep(local_now.replace(hour=14, minute=4) - local_now)  # a minute before the promise
    assert (await timer_tandem.status(start.ticket_id)).priority is Priority.NORMAL
    local_now = (await time_env.get_current_time()).astimezone(ZoneInfo(zone))
    await time_env.sleep(local_now.replace(hour=14, minute=6) - local_now)  # just past it, nobody picked up
    status = await timer_tandem.status(start.ticket_id)
    assert status.priority is Priority.HIGH
    assert "promise_missed" in {r.code for r in status.escalation_reasons}
    assert "promise_missed" in [e.trigger for e in store.escalations(start.ticket_id)]


async def _until_timer_started_after_signal(env: WorkflowEnvironment, ticket_id: str) -> None:
    handle = env.client.get_workflow_handle(f"ticket-{ticket_id}")
    for _ in range(200):
        kinds = [e.event_type for e in (await handle.fetch_history()).events]
        signaled = (
            kinds.index(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
            if (EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED in kinds)
            else len(kinds)
        )
        if EventType.EVENT_TYPE_TIMER_STARTED in kinds[signaled:]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the pickup timer never started")
