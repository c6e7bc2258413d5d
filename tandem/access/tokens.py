"""Bearer tokens: short-lived customer tokens a backend mints for one customer id, agent session tokens from
a local login (both HS256, signed with the deployment's secret), and agents' OIDC tokens from the
deployment's issuer (checked against its published keys, JWKS)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt

ISSUER = "tandem"
CUSTOMER = "tandem-customer"
AGENT = "tandem-agent"
LEEWAY = timedelta(seconds=30)  # clocks of the minting backend and this server may differ a little
MAX_CUSTOMER_TTL = timedelta(hours=24)
OIDC_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class InvalidToken(Exception):
    """Expired, forged, for another audience, or not a token at all."""


@dataclass(frozen=True, slots=True)
class Minted:
    token: str
    expires_at: datetime


def mint(
    secret: str, audience: Literal["tandem-customer", "tandem-agent"], subject: str, ttl: timedelta
) -> Minted:
    now = datetime.now(UTC)
    expires = now + ttl
    claims = {
        "iss": ISSUER,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "exp": expires,
        "jti": uuid.uuid4().hex,
    }
    return Minted(jwt.encode(claims, secret, algorithm="HS256"), expires.replace(microsecond=0))


def subject_of(secret: str, token: str, audience: str) -> str:
    """The subject of a token this deployment minted for `audience`."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=audience,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as err:
        raise InvalidToken(str(err)) from err
    return str(claims["sub"])


class OidcVerifier:
    """Agents' bearer tokens from the deployment's identity provider: signature against the issuer's JWKS
    (fetched and cached), issuer, audience and expiry; the agent is the token's `claim`."""

    def __init__(self, issuer: str, audience: str, jwks_url: str | None = None, claim: str = "sub") -> None:
        self._issuer = issuer
        self._audience = audience
        self._claim = claim
        url = jwks_url or issuer.rstrip("/") + "/.well-known/jwks.json"
        self._keys = jwt.PyJWKClient(url, cache_keys=True, lifespan=600, timeout=10)

    def agent_of(self, token: str) -> str:
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=OIDC_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as err:
            raise InvalidToken(str(err)) from err
        agent = claims.get(self._claim)
        if not isinstance(agent, str) or not agent:
            raise InvalidToken(f"the token has no {self._claim!r} claim")
        return agent


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2
