"""A Cohere v2 client for Temporal activities: no SDK retries, a bounded timeout, and two error kinds.

Temporal owns retrying. The SDK's own retry loop (`cohere.core.http_client.HttpClient.request`: it
re-sends on 429, 408, 409, >= 500 and on connection errors while `retries < max_retries`, sleeping
between tries, with a client default of 2) would multiply every Temporal attempt and hide the failure
from the activity's retry policy. It is switched off twice:

* at construction, `ClientV2(max_retries=0)` (SDK 7.x: becomes the wrapper's `base_max_retries`);
* on every call, `request_options=NO_RETRIES` (`{"max_retries": 0}`), which the SDK reads before
  the client default; older 5.x SDKs only have this per-call form.

Errors are translated (`cohere_errors`) into:

* `CohereUnavailable` (retryable): HTTP 429, 408, any 5xx, a timeout, a refused or dropped
  connection, or a 2xx body the SDK cannot parse;
* `CohereRequestError` (not retryable): any other 4xx (bad request, bad key, unknown model...) or a
  client misconfiguration; retrying the same request cannot succeed.

`to_application_error` turns either into a Temporal `ApplicationError` with `non_retryable` set to match
(and the server's Retry-After, when it sent one, as the next retry delay).
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import cohere
import httpx
from cohere.core.api_error import ApiError
from cohere.core.request_options import RequestOptions

from tandem.adapters.cohere_errors import (
    CohereError,
    CohereRequestError,
    CohereUnavailable,
    to_application_error,
)

__all__ = [
    "NO_RETRIES",
    "CohereError",
    "CohereRequestError",
    "CohereUnavailable",
    "cohere_errors",
    "make_cohere_client",
    "to_application_error",
    "translate_error",
]

try:  # cohere >= 6: a 2xx whose body fails validation
    from cohere.core.parse_error import ParsingError
except ImportError:  # pragma: no cover - depends on the installed SDK

    class ParsingError(Exception):  # type: ignore[no-redef]
        """Placeholder: this SDK has no ParsingError, so nothing is ever an instance of it."""


DEFAULT_TIMEOUT_S = 30.0

# Per-call options that turn the SDK's retry loop off (read before the client-level default).
NO_RETRIES: RequestOptions = {"max_retries": 0}

# HTTP statuses worth retrying later: throttled, request timeout, server side.
_RETRYABLE_4XX = frozenset({408, 429})


def make_cohere_client(
    api_key: str,
    base_url: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    *,
    client_name: str = "tandem",
) -> cohere.ClientV2:
    """A synchronous v2 client with the SDK's retries off and a `timeout_s` per HTTP request.

    `base_url` (settings.cohere_base_url) points at a proxy or a test server; when None the SDK's default
    applies (the CO_API_URL environment variable, else Cohere's production API). An empty `api_key`
    sends no Authorization header (for a proxy that authenticates by itself); None is refused so the
    SDK never silently falls back to reading CO_API_KEY on its own.
    """
    if api_key is None:
        raise ValueError("a Cohere API key is required (CO_API_KEY or TANDEM_CO_API_KEY)")
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s}")
    kwargs: dict[str, Any] = {"timeout": timeout_s, "client_name": client_name}
    if base_url is not None:
        kwargs["base_url"] = base_url
    if "max_retries" in inspect.signature(cohere.ClientV2.__init__).parameters:
        kwargs["max_retries"] = 0
    return cohere.ClientV2(api_key, **kwargs)


def translate_error(exc: BaseException, operation: str) -> CohereError | None:
    """The `CohereError` for an exception raised by a Cohere SDK call, or None if it is not one of its."""
    if isinstance(exc, CohereError):
        return exc
    if isinstance(exc, ApiError):
        status = exc.status_code
        detail = _error_detail(exc.body)
        retry_after = _retry_after_seconds(exc.headers)
        if status is None:
            # Raised by the SDK before any request, e.g. no API key at all.
            return CohereRequestError(f"Cohere {operation}: {detail}", operation=operation, status_code=None)
        message = f"Cohere {operation} failed: HTTP {status}: {detail}"
        if status in _RETRYABLE_4XX or status >= 500 or status < 400:
            # < 400: a success status with a body that is not JSON (a proxy's page): transient.
            return CohereUnavailable(
                message, operation=operation, status_code=status, retry_after_s=retry_after
            )
        return CohereRequestError(message, operation=operation, status_code=status)
    if isinstance(exc, ParsingError):
        return CohereUnavailable(
            f"Cohere {operation}: response did not match the SDK's schema: {_error_detail(exc.body)}",
            operation=operation,
            status_code=getattr(exc, "status_code", None),
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        # A malformed base URL or request on our side: the same call fails the same way every time.
        return CohereRequestError(f"Cohere {operation}: {type(exc).__name__}: {exc}", operation=operation)
    if isinstance(exc, httpx.TransportError):
        # Timeouts, refused/reset connections, a server that hung up, proxy failures.
        return CohereUnavailable(f"Cohere {operation}: {type(exc).__name__}: {exc}", operation=operation)
    return None


@contextmanager
def cohere_errors(operation: str) -> Iterator[None]:
    """Re-raise Cohere SDK and transport exceptions from the block as `CohereError`s (others pass)."""
    try:
        yield
    except CohereError:
        raise
    except Exception as exc:
        translated = translate_error(exc, operation)
        if translated is None:
            raise
        raise translated from exc


def _error_detail(body: Any, limit: int = 300) -> str:
    """Cohere's error bodies are {"message": ...}; anything else is shown shortened."""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        text = body["message"]
    elif isinstance(body, str):
        text = body
    else:
        try:
            text = json.dumps(body, default=str)
        except (TypeError, ValueError):
            text = repr(body)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _retry_after_seconds(headers: dict[str, str] | None) -> float | None:
    """Seconds from a Retry-After (delta-seconds form) or retry-after-ms response header."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue  # an HTTP date: leave the delay to the retry policy
        if math.isfinite(seconds) and seconds > 0:
            return seconds
    return None
