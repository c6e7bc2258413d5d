"""The workflow runner of Tandem's workers: temporalio's sandbox, without a round trip into it per payload.

For every payload of every workflow activation (and of every completion, three passes each way) the SDK asks
the workflow instance which serialization context applies: the workflow's, or the activity's the payload is
for. The sandboxed instance answers by compiling and running a snippet inside the sandbox each time: about a
third of the CPU of replaying a conversation's history (a 140-event history: `bench/replay.py`). The answer
only matters to a converter or codec that reads the context. When the data converter reads none (it returns
itself from `with_context`) and stores nothing externally, this runner answers from the workflow's info,
outside the sandbox; workflow code still runs in the sandbox, which keeps refusing clocks, randomness and I/O.
With a context-aware converter it is the sandbox runner unchanged.
"""

from __future__ import annotations

from typing import Any

import temporalio.converter as converter
from temporalio import workflow
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# Modules are imported once per process instead of once per conversation (the workflow modules keep no state
# at import; re-importing them for every workflow cost CPU and memory per cached conversation). What workflow
# code imports while it runs is still restricted (clocks, randomness, I/O are refused); what the workflow
# modules import at their top is the real module, so the replay test also replays the recorded histories in
# temporalio's default sandbox, which re-imports them restricted.
SANDBOX = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_all_modules())


def reads_context(data_converter: converter.DataConverter) -> bool:
    """Whether any part of the converter (payload converter, codec, failure converter, external storage)
    changes with the serialization context."""
    if data_converter.external_storage is not None:
        return True
    probes = (
        converter.WorkflowSerializationContext(namespace="probe", workflow_id="probe"),
        converter.ActivitySerializationContext(
            namespace="probe",
            workflow_id="probe",
            workflow_type="probe",
            activity_type="probe",
            activity_id="probe",
            activity_task_queue="probe",
            is_local=False,
        ),
    )
    return any(data_converter.with_context(probe) is not data_converter for probe in probes)


def workflow_runner(data_converter: converter.DataConverter) -> WorkflowRunner:
    """The sandbox itself when the converter reads the context, else the sandbox answering it from outside."""
    return SANDBOX if reads_context(data_converter) else ContextFreeRunner(SANDBOX)


class ContextFreeRunner(WorkflowRunner):
    """Runs workflows in `inner` (the sandbox) and answers the serialization and store contexts itself."""

    def __init__(self, inner: WorkflowRunner) -> None:
        self._inner = inner

    def prepare_workflow(self, defn: Any) -> None:
        self._inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _ContextFreeInstance(self._inner.create_instance(det))

    def set_worker_level_failure_exception_types(self, types: Any) -> None:
        self._inner.set_worker_level_failure_exception_types(types)


class _ContextFreeInstance(WorkflowInstance):
    def __init__(self, inner: WorkflowInstance) -> None:
        self._inner = inner
        info = inner.get_info()
        self._context = converter.WorkflowSerializationContext(
            namespace=info.namespace, workflow_id=info.workflow_id
        )
        self._store = converter.StorageDriverStoreContext(
            target=converter.StorageDriverWorkflowInfo(
                id=info.workflow_id, run_id=info.run_id, type=info.workflow_type, namespace=info.namespace
            )
        )

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        return self._inner.activate(act)

    def get_serialization_context(self, command_info: Any) -> converter.SerializationContext | None:
        return self._context  # the converter returns itself for every context: which one does not matter

    def get_external_store_context(self, command_info: Any) -> converter.StorageDriverStoreContext:
        return self._store  # nothing is stored externally (`reads_context`)

    def get_info(self) -> workflow.Info:
        return self._inner.get_info()

    def get_thread_id(self) -> int | None:
        return self._inner.get_thread_id()
