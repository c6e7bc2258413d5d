"""The conversation's clocks: while the AI has it (the customer going quiet, the AI's time limit), while it
waits for a person (pickup), and after close (the survey window). Workflow code: durable timers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tandem.contracts import AiMode, ConversationState
    from tandem.conversation import promises
    from tandem.conversation.machine import Conversation
    from workflows.effects import EffectRunner

AI = ConversationState.AI_ACTIVE
WAITING = ConversationState.WAITING_FOR_HUMAN
HUMAN = ConversationState.HUMAN_ACTIVE
CLOSED = ConversationState.CLOSED


class Timers:
    def __init__(
        self,
        conversation: Conversation,
        effects: EffectRunner,
        turn_lock: asyncio.Lock,
        in_flight: set[str],
        ai_mode: AiMode,
    ) -> None:
        self._c = conversation
        self._effects = effects
        self._lock = turn_lock
        self._in_flight = in_flight
        self._ai_mode = ai_mode

    async def converse(self) -> None:
        """Until the conversation closes (or Temporal suggests continuing as new), watch its timers."""
        while self._c.data.state is not CLOSED and not _continue_as_new_suggested():
            if self._c.data.state is AI:
                await self._watch_ai()
            elif self._c.data.state is WAITING:
                await self._watch_pickup()
            else:
                await self.wait_for(lambda: self._c.data.state is not HUMAN or self._drafts())
            await self._effects.help_people(self._ai_mode)

    async def watch_promises(self) -> None:
        """Promises people made: one still open when it falls due is missed (tandem.conversation.promises).
        Runs beside the run loop until the conversation closes; a promise made or kept re-arms it."""
        while self._c.data.state is not CLOSED and not _continue_as_new_suggested():
            due = promises.next_due(self._c)
            if await self.wait_for(lambda due=due: promises.next_due(self._c) != due, until=due):
                continue
            async with self._lock:
                await self._effects.apply(promises.promises_missed(self._c, workflow.now()))

    async def survey_window(self) -> bool:
        """After close the customer may rate the conversation, or reopen it; True when reopened. A rating
        does not end the window, nor does a continue-as-new suggestion."""
        ends = self._c.clocks.survey_ends_at() or workflow.now()
        if (remaining := ends - workflow.now()) > timedelta(0):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._c.data.state is not CLOSED, timeout=remaining)
        return self._c.data.state is not CLOSED

    async def _watch_ai(self) -> None:
        """The customer going quiet closes the ticket; the AI running out of time hands it to a person.

        A customer message does not restart the timer (that would cost a cancelled and a new timer in
        history on every message): when it fires, the deadline is read again, and one that moved later
        is simply waited for on the next pass."""
        seen = self._c.data.customer_activity
        moved = lambda: self._c.data.customer_activity != seen or self._c.data.state is not AI  # noqa: E731
        if await self.wait_for(lambda: self._c.data.state is not AI, until=self._c.clocks.ai_deadline()):
            return
        async with self._lock:
            arriving = bool(self._in_flight)  # a message is on its way in: the customer is not gone
            if not moved() and not arriving:
                await self._effects.apply(self._c.ai_deadline_passed(workflow.now()))
        if arriving:
            # Its handler has not reached the lock yet (the timer fired in the same activation as the
            # message arrived): yield until it has, or the run loop would spin without letting it run.
            await workflow.wait_condition(lambda: moved() or not self._in_flight)

    async def _watch_pickup(self) -> None:
        """Nobody picked up in time: raise the priority and tell the customer, once per pickup period."""
        moved = lambda: self._c.data.state is not WAITING or self._drafts()  # noqa: E731
        due = self._c.clocks.pickup_deadline()
        if due is None:  # urgent already: nothing more to raise
            await self.wait_for(moved)
            return
        if await self.wait_for(moved, until=due):
            return
        async with self._lock:
            await self._effects.apply(self._c.pickup_deadline_passed(workflow.now()))

    async def wait_for(self, done: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait until `done()` or a continue-as-new suggestion; False when `until` passed first."""
        ready = lambda: done() or _continue_as_new_suggested()  # noqa: E731
        remaining = until - workflow.now() if until is not None else None
        if remaining is not None and remaining <= timedelta(0):
            return ready()
        try:
            await workflow.wait_condition(ready, timeout=remaining)
        except TimeoutError:
            return False
        return True

    def _drafts(self) -> bool:
        return self._c.needs_draft(self._ai_mode)


def _continue_as_new_suggested() -> bool:
    return workflow.info().is_continue_as_new_suggested()
