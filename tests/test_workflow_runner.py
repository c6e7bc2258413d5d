"""The workers' workflow runner: the sandbox, answering the serialization context from outside it only when
the data converter cannot tell one context from another, and still refusing non-deterministic calls."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowFailureError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tandem.payload_codec import data_converter, new_key_spec
from tandem.workflow_runner import SANDBOX, ContextFreeRunner, reads_context, workflow_runner


class _PerWorkflowCodec(PayloadCodec, WithSerializationContext):
    """A codec that would, say, sign payloads with the workflow id: it needs the context."""

    def __init__(self, context: SerializationContext | None = None) -> None:
        self.context = context

    def with_context(self, context: SerializationContext) -> _PerWorkflowCodec:
        return _PerWorkflowCodec(context)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)


def test_tandem_converters_read_no_context_so_the_runner_answers_it_outside_the_sandbox() -> None:
    for converter in (pydantic_data_converter, data_converter(new_key_spec("k1"))):
        assert not reads_context(converter)
        assert isinstance(workflow_runner(converter), ContextFreeRunner)


def test_a_context_reading_codec_gets_the_sandbox_unchanged() -> None:
    converter = dataclasses.replace(pydantic_data_converter, payload_codec=_PerWorkflowCodec())
    assert reads_context(converter)
    assert workflow_runner(converter) is SANDBOX


@workflow.defn(sandboxed=True)
class _ReadsTheClock:
    @workflow.run
    async def run(self) -> str:
        import datetime as clock  # imported in the sandbox, as workflow code imports it

        return clock.datetime.now().isoformat()  # the call under test


async def test_workflow_code_importing_the_clock_cannot_read_it(local_env: WorkflowEnvironment) -> None:
    queue = f"runner-{uuid.uuid4().hex[:8]}"
    async with Worker(
        local_env.client,
        task_queue=queue,
        workflows=[_ReadsTheClock],
        workflow_runner=workflow_runner(local_env.client.data_converter),
        workflow_failure_exception_types=[Exception],  # fail the run instead of retrying the task
    ):
        with pytest.raises(WorkflowFailureError) as failed:
            await local_env.client.execute_workflow(
                _ReadsTheClock.run,
                id=f"clock-{uuid.uuid4().hex[:8]}",
                task_queue=queue,
                execution_timeout=timedelta(seconds=30),
            )
    assert "RestrictedWorkflowAccessError" in repr(failed.value.cause) or "Cannot access" in str(
        failed.value.cause
    )
