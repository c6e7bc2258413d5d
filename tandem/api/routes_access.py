"""Credentials: agents log in (local accounts), backends mint short-lived customer tokens."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from tandem.access import secrets, tokens
from tandem.access.identity import Caller, Kind
from tandem.api.auth import Backend
from tandem.api.problems import RESPONSES, Problem, unauthenticated
from tandem.api.schemas import IssuedToken, Login, TokenRequest
from tandem.api.services import Services, Svc

router = APIRouter(prefix="/v1", tags=["access"], responses=RESPONSES)
# A login that fails waits this long: guessing passwords stays slow even within the rate limit.
FAILED_LOGIN_DELAY_S = 0.5


@router.post("/agent/login", response_model=IssuedToken)
async def login(body: Login, svc: Svc) -> IssuedToken:
    """A local account's session token (deployments without an OIDC issuer)."""
    return await sign_in(svc, body.agent_id, body.password)


async def sign_in(svc: Services, agent_id: str, password: str) -> IssuedToken:
    """An agent's session token for a local account and its password (the API's login and the console's)."""
    if svc.gatekeeper.oidc is not None:
        raise Problem(403, "use_identity_provider", "Sign in with your identity provider")
    svc.gatekeeper.login_limiter.check(agent_id)
    found = await run_in_threadpool(svc.access.agent_login, agent_id)
    matches = found is not None and await run_in_threadpool(secrets.password_matches, password, found[1])
    if not matches:
        await asyncio.sleep(FAILED_LOGIN_DELAY_S)
        raise unauthenticated("unknown agent or wrong password")
    minted = tokens.mint(svc.secret, tokens.AGENT, agent_id, svc.settings.agent_session_ttl)
    await svc.audit(Caller(Kind.AGENT, agent_id), "login")
    return IssuedToken(token=minted.token, expires_at=minted.expires_at, subject=agent_id)


@router.post("/customer-tokens", response_model=IssuedToken, status_code=201)
async def customer_token(body: TokenRequest, who: Backend, svc: Svc) -> IssuedToken:
    """A token for one customer (a chat widget holds it): it reaches that customer's tickets only."""
    ttl = svc.settings.customer_token_ttl
    if body.ttl_seconds is not None:
        ttl = min(ttl, type(ttl)(seconds=body.ttl_seconds))
    minted = tokens.mint(svc.secret, tokens.CUSTOMER, body.customer_id, ttl)
    return IssuedToken(token=minted.token, expires_at=minted.expires_at, subject=body.customer_id)
