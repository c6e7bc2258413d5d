"""The conversation's handlers for promises people make (tandem.conversation.promises): record one, mark
one kept. A mixin of SupportConversation, which keeps the timer (`Timers.watch_promises`)."""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tandem.contracts import AgentPromise, PromiseKept, PromiseRequest
    from tandem.conversation import promises
    from tandem.conversation.machine import Conversation
    from workflows.effects import EffectRunner
    from workflows.refusals import refusals


class PromiseHandlers:
    _c: Conversation
    _turn_lock: asyncio.Lock
    _effects: EffectRunner

    @workflow.update
    async def promise(self, request: PromiseRequest) -> AgentPromise:
        async with self._turn_lock:
            with refusals():
                effects = promises.make_promise(
                    self._c, workflow.now(), request.agent, request.text, request.due_at
                )
            made = self._c.data.promises[-1]
            await self._effects.apply(effects)
            return made

    @promise.validator
    def _validate_promise(self, request: PromiseRequest) -> None:
        with refusals():
            promises.check_promise(self._c, request.agent, request.due_at, workflow.now())

    @workflow.update
    async def keep_promise(self, request: PromiseKept) -> AgentPromise:
        async with self._turn_lock:
            with refusals():
                effects = promises.keep_promise(self._c, workflow.now(), request.agent, request.promise_id)
            await self._effects.apply(effects)
            return promises.find(self._c, request.promise_id)

    @keep_promise.validator
    def _validate_keep_promise(self, request: PromiseKept) -> None:
        with refusals():
            promises.check_keep(self._c, request.agent, request.promise_id)
