"""Errors as RFC 9457 problem details (application/problem+json) with stable codes; never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from tandem.client import RequestRejected, TandemUnavailable, TicketClosedError, UnknownTicketError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class ProblemBody(BaseModel):
    """What every error response carries."""

    type: str
    title: str
    status: int
    code: str
    detail: str = ""


class Problem(Exception):
    def __init__(
        self, status: int, code: str, title: str, detail: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail or title)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}


def unknown_ticket() -> Problem:
    # Also what a customer gets for someone else's ticket: whether it exists is not theirs to know.
    return Problem(404, "unknown_ticket", "No such ticket")


def not_allowed(detail: str) -> Problem:
    return Problem(403, "not_allowed", "Not allowed", detail)


def unauthenticated(detail: str) -> Problem:
    return Problem(
        401, "unauthenticated", "Credentials missing or not valid", detail, {"WWW-Authenticate": "Bearer"}
    )


def response(problem: Problem) -> JSONResponse:
    body = ProblemBody(
        type=f"https://tandem.dev/problems/{problem.code}",
        title=problem.title,
        status=problem.status,
        code=problem.code,
        detail=problem.detail,
    )
    return JSONResponse(
        body.model_dump(), status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def as_problem(exc: Exception) -> Problem | None:
    """The problem an error of the conversation client (or a Problem) stands for; None for anything else."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, UnknownTicketError):
        return unknown_ticket()
    if isinstance(exc, TicketClosedError):
        return Problem(409, "ticket_closed", "The ticket is closed", "reopen it to write again")
    if isinstance(exc, RequestRejected):
        return Problem(422, "rejected", "The conversation refused the request", str(exc))
    if isinstance(exc, TandemUnavailable):
        retry = {"Retry-After": "5"}
        return Problem(503, "unavailable", "Tandem is temporarily unavailable", str(exc), retry)
    return None


# Documented on every route: what a client can expect besides success.
RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ProblemBody, "content": {PROBLEM_JSON: {}}, "description": text}
    for status, text in {
        401: "No valid credentials",
        403: "Credentials valid, action not allowed",
        404: "Unknown ticket (or someone else's)",
        409: "The ticket is closed",
        413: "Request body too large",
        422: "Invalid request",
        429: "Too many requests",
        503: "Tandem is temporarily unavailable; retry with the same Idempotency-Key",
    }.items()
}


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', '')}"
            for err in exc.errors()[:5]
        )
        return response(Problem(422, "invalid_request", "The request is not valid", details[:1000]))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that is not JSON (or not UTF-8): malformed, like invalid JSON
            return response(
                Problem(422, "invalid_request", "The request body could not be read", str(exc.detail))
            )
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return response(Problem(exc.status_code, code, str(exc.detail)))

    async def _client_error(_: Request, exc: Exception) -> JSONResponse:
        problem = as_problem(exc)
        assert problem is not None
        return response(problem)

    for error in (UnknownTicketError, TicketClosedError, RequestRejected, TandemUnavailable):
        app.add_exception_handler(error, _client_error)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return response(Problem(500, "internal", "Internal error", "the error was logged"))
