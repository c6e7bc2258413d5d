"""The client's error contract: the only errors a caller of `TandemClient` sees, which of Temporal's are
worth retrying (a server or worker restarting), and requests refused before anything is sent."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode


class TandemError(Exception):
    """Base class for errors a caller can act on."""


class UnknownTicketError(TandemError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"no conversation for ticket {ticket_id!r}")
        self.ticket_id = ticket_id


class TicketClosedError(TandemError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"ticket {ticket_id!r} is closed")
        self.ticket_id = ticket_id


class RequestRejected(TandemError):
    """The conversation refused the request (empty or oversized message, wrong agent, ...)."""


class TandemUnavailable(TandemError):
    """Temporal or the workers stayed unreachable (or failing) for the client's whole retry budget. The
    call may be repeated as it was: message and reply ids keep it exactly-once."""


_M = TypeVar("_M", bound=BaseModel)
# What a restart of the Temporal server or of a worker looks like to a caller: worth trying again.
TRANSIENT = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.ABORTED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.UNKNOWN,
        RPCStatusCode.INTERNAL,
        # "Workflow Task in failed state", "no poller seen": a worker died mid-task or is starting.
        RPCStatusCode.FAILED_PRECONDITION,
    }
)


# What a lazily connected client (the HTTP API's) raises, as a RuntimeError, on each call while the server
# is unreachable: the SDK's only sign of it.
CONNECT_FAILED = "Failed client connect"


def connect_failed(err: BaseException) -> bool:
    return isinstance(err, RuntimeError) and str(err).startswith(CONNECT_FAILED)


def transient(err: BaseException) -> bool:
    if isinstance(err, WorkflowUpdateRPCTimeoutOrCancelledError) or connect_failed(err):
        return True
    return isinstance(err, RPCError) and err.status in TRANSIENT


def built(model: type[_M], **fields: Any) -> _M:
    """A request built from the caller's values, or RequestRejected saying which value is wrong."""
    try:
        return model(**fields)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in err.errors())
        raise RequestRejected(problems) from None
