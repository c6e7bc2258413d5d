"""The conversation machine's refusals as the update errors clients know: closed, or rejected."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from tandem.contracts import REJECTED, TICKET_CLOSED
    from tandem.conversation.machine import Refused


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except Refused as refused:
        raise (closed() if refused.closed else rejected(str(refused))) from None


def rejected(message: str) -> ApplicationError:
    return ApplicationError(message, type=REJECTED, non_retryable=True)


def closed() -> ApplicationError:
    return ApplicationError("this conversation is closed", type=TICKET_CLOSED, non_retryable=True)
