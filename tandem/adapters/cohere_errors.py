"""The errors of a Cohere call, as activities see them: importable without the Cohere SDK (a worker that
answers offline never loads it). `tandem.adapters.cohere_client` raises them; see there for which is which.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from temporalio.exceptions import ApplicationError


class CohereError(RuntimeError):
    """A failed Cohere call. `retryable` says whether the same request may succeed later."""

    retryable: ClassVar[bool] = True

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        status_code: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.status_code = status_code
        self.retry_after_s = retry_after_s


class CohereUnavailable(CohereError):
    """Throttled (429), server error (5xx), timeout or connection failure: retry later."""

    retryable = True


class CohereRequestError(CohereError):
    """The request itself is wrong (4xx other than 408/429: bad input, bad key, unknown model)."""

    retryable = False


def to_application_error(exc: CohereError) -> ApplicationError:
    """The Temporal error an activity raises for `exc`: non-retryable for request errors."""
    from temporalio.exceptions import ApplicationError

    delay = timedelta(seconds=exc.retry_after_s) if exc.retryable and exc.retry_after_s else None
    return ApplicationError(
        str(exc),
        type=type(exc).__name__,
        non_retryable=not exc.retryable,
        next_retry_delay=delay,
    )
