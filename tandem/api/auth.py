"""The gateway's identity check, before any workflow call: who the bearer of the request's credentials is.

- a backend: an API key (`tdk_<id>_<secret>`), checked against its stored hash, not revoked;
- a customer: a token a backend minted for one customer id, not expired;
- an agent: an OIDC token from the deployment's issuer when one is configured, else a session token from
  a local login.
The caller is never taken from a request field. Browser pages send the same credentials in a cookie.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tandem.access import secrets, tokens
from tandem.access.identity import Caller, Kind, Scope
from tandem.api.limits import RateLimiter
from tandem.api.problems import not_allowed, unauthenticated
from tandem.store.access import AccessStore

# The browser pages' session: the same credential as a bearer token, in an HttpOnly, SameSite=Strict cookie.
SESSION_COOKIE = "tandem_session"
CSRF_HEADER = "HX-Request"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(auto_error=False, description="An API key, a customer token or an agent token")


class Gatekeeper:
    def __init__(
        self,
        access: AccessStore,
        secret: str,
        oidc: tokens.OidcVerifier | None,
        limiter: RateLimiter,
        login_limiter: RateLimiter,
    ) -> None:
        self.access = access
        self.secret = secret
        self.oidc = oidc
        self.limiter = limiter
        self.login_limiter = login_limiter

    def identify(self, credential: str) -> Caller:
        if credential.startswith(secrets.KEY_PREFIX + "_"):
            return self._backend(credential)
        if not tokens.looks_like_jwt(credential):
            raise unauthenticated("not an API key or a token")
        try:
            return Caller(Kind.CUSTOMER, tokens.subject_of(self.secret, credential, tokens.CUSTOMER))
        except tokens.InvalidToken:
            pass
        try:
            if self.oidc is not None:
                return Caller(Kind.AGENT, self.oidc.agent_of(credential))
            return Caller(Kind.AGENT, tokens.subject_of(self.secret, credential, tokens.AGENT))
        except tokens.InvalidToken as err:
            raise unauthenticated(f"the token is not valid: {err}") from None

    def _backend(self, key: str) -> Caller:
        key_id = secrets.key_id_of(key)
        found = self.access.api_key(key_id) if key_id else None
        if found is None or not hmac.compare_digest(found[1], secrets.key_hash(key)):
            raise unauthenticated("unknown API key")
        api_key = found[0]
        if api_key.revoked_at is not None:
            raise unauthenticated("this API key was revoked")
        return Caller(Kind.BACKEND, api_key.key_id, api_key.scopes)


def gatekeeper(request: Request) -> Gatekeeper:
    return request.app.state.gatekeeper


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """Any authenticated caller, within its rate limit. Browsers (the console and chat pages, whose
    EventSource cannot send headers) may carry the same credential in the session cookie instead; a
    cookie-borne request that changes anything must also say `HX-Request: true`, which a page of another
    site cannot send without a CORS preflight this server never grants (with SameSite=Strict: no CSRF)."""
    if credentials is not None:
        credential = credentials.credentials
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != "true":
            raise not_allowed(f"a request signed in by cookie needs the '{CSRF_HEADER}: true' header")
        credential = cookie
    else:
        raise unauthenticated("send credentials as 'Authorization: Bearer ...'")
    gate = gatekeeper(request)
    who = gate.identify(credential)
    gate.limiter.check(who.key)
    return who


AnyCaller = Annotated[Caller, Depends(caller)]


async def agent(who: AnyCaller) -> Caller:
    if who.kind is not Kind.AGENT:
        raise not_allowed("for support agents only")
    return who


async def backend(who: AnyCaller) -> Caller:
    if who.kind is not Kind.BACKEND or not who.may(Scope.TICKETS):
        raise not_allowed("needs an API key with the 'tickets' scope")
    return who


async def operator(who: AnyCaller) -> Caller:
    if who.kind is not Kind.BACKEND or not who.may(Scope.OPERATOR):
        raise not_allowed("needs an API key with the 'operator' scope")
    return who


Agent = Annotated[Caller, Depends(agent)]
Backend = Annotated[Caller, Depends(backend)]
Operator = Annotated[Caller, Depends(operator)]
