"""Who is on a page: the session cookie (the same credential the API takes as a bearer token, HttpOnly,
SameSite=Strict, scoped to /console or /chat so the JSON API never acts on it), the rule that a
cookie-borne change needs the `HX-Request` header (checked by `tandem.api.auth.caller`), form bodies, and
errors shown as HTML instead of problem+json."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs

import jwt
from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from tandem.access.identity import Caller, Kind
from tandem.api.auth import CSRF_HEADER, SESSION_COOKIE, AnyCaller
from tandem.api.idempotency import MAX_KEY_CHARS
from tandem.api.problems import Problem, as_problem, not_allowed
from tandem.web.rendering import CHAT_HEADERS, CONSOLE_HEADERS, fragment, page

CONSOLE = "/console"
CHAT = "/chat"
LOGIN = f"{CONSOLE}/login"
_Body = TypeVar("_Body", bound=BaseModel)


def set_session(request: Request, response: Response, credential: str, path: str) -> None:
    """Keep `credential` in the session cookie of `path` for as long as the credential is valid."""
    response.set_cookie(
        SESSION_COOKIE,
        credential,
        max_age=_seconds_left(credential),
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def end_session(request: Request, response: Response, path: str) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=path, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


def _seconds_left(credential: str) -> int:
    # Read only after the gatekeeper verified the credential; an expiry it lacks means a day at most.
    expires = jwt.decode(credential, options={"verify_signature": False}).get("exp")
    if not isinstance(expires, int | float):
        return 86400
    return max(0, min(86400 * 7, int(expires - datetime.now(UTC).timestamp())))


def require_htmx(request: Request) -> None:
    """Forms that sign in have no session yet; they follow the same rule as cookie-borne changes."""
    if request.headers.get(CSRF_HEADER) != "true":
        raise not_allowed(f"send this form from the page (the '{CSRF_HEADER}: true' header is missing)")


async def form(request: Request) -> dict[str, str]:
    """The fields of a url-encoded form (the last value of each)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise Problem(415, "unsupported_media_type", "Send the form url-encoded")
    body = (await request.body()).decode("utf-8", errors="replace")
    return {name: values[-1] for name, values in parse_qs(body, keep_blank_values=True).items()}


def checked(model: type[_Body], fields: dict[str, str]) -> _Body:
    """The form as one of the API's request bodies: the same limits and text cleaning (a ValidationError is
    shown on the page)."""
    return model.model_validate({name: value for name, value in fields.items() if name in model.model_fields})


def form_key(fields: dict[str, str]) -> str | None:
    """The key a form carries (made when the page drew it): ids derive from it, so a form sent twice (a
    double click, a retry) acts once, like an Idempotency-Key."""
    key = fields.get("key") or None
    if key is not None and (len(key) > MAX_KEY_CHARS or not key.isprintable()):
        raise Problem(422, "invalid_request", "Please reload the page", "the form's key is not valid")
    return key


def new_form_key() -> str:
    return secrets.token_urlsafe(16)


async def agent(who: AnyCaller) -> Caller:
    if who.kind is not Kind.AGENT:
        raise not_allowed("the console is for support agents")
    return who


async def customer(who: AnyCaller) -> Caller:
    if who.kind is not Kind.CUSTOMER:
        raise not_allowed("the chat page needs a customer's link")
    return who


ConsoleAgent = Annotated[Caller, Depends(agent)]
ChatCustomer = Annotated[Caller, Depends(customer)]


class PageRoute(APIRoute):
    """A route of the pages: its errors (the API's problems, the conversation's refusals, invalid forms) are
    HTML. A full page shows them as a page; an htmx request gets a notice swapped into the page's #flash
    region, with the problem's status. Signed out: the console's login page, or the chat's notice."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (ValidationError, RequestValidationError) as err:
                problem = Problem(422, "invalid_request", "Please check the form", _first_error(err))
                return error_page(request, problem)
            except Exception as err:
                problem = as_problem(err)
                if problem is None:
                    raise
                return error_page(request, problem)

        return handle


def error_page(request: Request, problem: Problem) -> Response:
    console = request.url.path.startswith(CONSOLE)
    htmx = request.headers.get(CSRF_HEADER) == "true"
    if problem.status == 401 and console and request.url.path != LOGIN:
        if htmx:
            return Response(status_code=401, headers={"HX-Redirect": LOGIN})
        return RedirectResponse(LOGIN, status_code=303)
    headers = {**(CONSOLE_HEADERS if console else CHAT_HEADERS), **problem.headers}
    if htmx:
        headers |= {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        html = fragment("_error.html", problem=problem)
        return HTMLResponse(html, status_code=problem.status, headers=headers)
    return page(request, "error.html", {"problem": problem, "console": console}, headers, problem.status)


def _first_error(err: ValidationError | RequestValidationError) -> str:
    errors = err.errors()
    if not errors:
        return ""
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
    return f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
