"""Limits that keep one caller from hurting the others: request body size and requests per minute."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from tandem.api.problems import Problem, response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def too_large(limit: int) -> Problem:
    return Problem(413, "too_large", "Request body too large", f"at most {limit} bytes")


class BodyLimit:
    """ASGI middleware: a body over `limit` bytes is refused with 413, by its Content-Length up front or
    while it streams in (chunked uploads have no length)."""

    def __init__(self, app: App, limit: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger or {}  # path prefix -> its own limit (uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next((n for prefix, n in self.larger.items() if path.startswith(prefix)), self.limit)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await response(too_large(limit))(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, limited, send)


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, in bursts of up to that many. Kept in
    this process (a deployment with several API processes allows each caller that much per process)."""

    def __init__(self, per_minute: int, max_callers: int = 100_000) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(per_minute)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._max = max_callers

    def check(self, caller: str, now: float | None = None) -> None:
        """Takes one request from the caller's bucket, or raises 429 saying when to retry."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(caller, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens < 1.0:
            self._remember(caller, tokens, now)
            wait = math.ceil((1.0 - tokens) / self._rate)
            raise Problem(
                429, "rate_limited", "Too many requests", f"retry in {wait} s", {"Retry-After": str(wait)}
            )
        self._remember(caller, tokens - 1.0, now)

    def _remember(self, caller: str, tokens: float, now: float) -> None:
        self._buckets[caller] = (tokens, now)
        while len(self._buckets) > self._max:  # the least recently seen callers go first
            self._buckets.popitem(last=False)
