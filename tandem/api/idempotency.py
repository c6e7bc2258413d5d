"""POSTs that are safe to retry: under an `Idempotency-Key` header the first response is kept and a retry
gets it again, and the ids the call creates (ticket, message, reply) derive from the key, so even two
retries racing each other make one record."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, TypeAdapter
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Caller
from tandem.api.problems import Problem
from tandem.store.access import AccessStore, StoredResponse

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 200
KEPT_FOR = timedelta(hours=24)  # how long a retry under the same key gets the first response
PRUNE_EVERY_S = 3600.0


class Idempotency:
    def __init__(self, access: AccessStore, secret: str) -> None:
        self._access = access
        self._secret = secret.encode()
        self._next_prune = 0.0

    def key_of(self, request: Request) -> str | None:
        key = request.headers.get(HEADER)
        if key is None:
            return None
        if not key or len(key) > MAX_KEY_CHARS or not key.isprintable():
            raise Problem(
                422,
                "invalid_idempotency_key",
                "Invalid Idempotency-Key",
                f"1-{MAX_KEY_CHARS} printable characters",
            )
        return key

    def derived_id(self, who: Caller, key: str | None, purpose: str, prefix: str) -> str:
        """An id for what this call creates: fixed by the caller's key (a retry makes the same one), and
        not guessable from it; random without a key."""
        if key is None:
            return f"{prefix}{uuid.uuid4().hex}"
        digest = hmac.new(self._secret, f"{who.key}\n{key}\n{purpose}".encode(), hashlib.sha256).hexdigest()
        return f"{prefix}{digest[:32]}"

    async def run(
        self,
        request: Request,
        who: Caller,
        key: str | None,
        status: int,
        produce: Callable[[], Awaitable[object]],
    ) -> Response:
        if key is None:
            return _json(status, await produce())
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.url.path.encode() + b"\n" + await request.body()
        ).hexdigest()
        stored = await run_in_threadpool(self._access.stored_response, who.key, key)
        if stored is None:
            result = _json(status, await produce())
            fresh = StoredResponse(fingerprint, result.status_code, bytes(result.body).decode())
            stored = await run_in_threadpool(self._access.store_response, who.key, key, fresh)
            await self._forget_old()
        if stored.fingerprint != fingerprint:
            raise Problem(
                422,
                "idempotency_key_reused",
                "Idempotency-Key reused",
                "this key was used for a different request",
            )
        return Response(stored.body, status_code=stored.status_code, media_type="application/json")

    async def _forget_old(self) -> None:
        """Once an hour, drop kept responses older than KEPT_FOR: a retry comes within minutes, and the
        table must not grow forever."""
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY_S
        before = datetime.now(UTC) - KEPT_FOR
        await run_in_threadpool(self._access.forget_responses_before, before)


def _json(status: int, value: object) -> JSONResponse:
    if isinstance(value, BaseModel):
        content = json.loads(value.model_dump_json())
    else:
        content = json.loads(TypeAdapter(type(value)).dump_json(value)) if value is not None else None
    return JSONResponse(content, status_code=status)
