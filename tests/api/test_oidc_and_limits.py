"""Agents from the company's identity provider (OIDC): tokens are checked against the issuer's published
keys, fetched over HTTP from a loopback JWKS endpoint here; and callers over their rate limit get 429."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tandem.access.tokens import InvalidToken, OidcVerifier
from tandem.api.config import ApiSettings
from tandem.api.limits import RateLimiter
from tandem.api.problems import Problem
from tandem.api.server import serving
from tandem.settings import Settings

ISSUER = "https://login.example.test/"
AUDIENCE = "tandem-console"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()


def _token(key: rsa.RSAPrivateKey, **claims: object) -> str:
    now = datetime.now(UTC)
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-123", "preferred_username": "priya", "iat": now}
    payload |= {"exp": now + timedelta(minutes=5), **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


def test_an_oidc_token_names_the_agent_and_anything_else_is_refused(
    signing_key: rsa.RSAPrivateKey, jwks_url: str
) -> None:
    verifier = OidcVerifier(ISSUER, AUDIENCE, jwks_url, claim="preferred_username")
    assert verifier.agent_of(_token(signing_key)) == "priya"
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = [
        _token(signing_key, aud="another-app"),
        _token(signing_key, iss="https://evil.example.test/"),
        _token(signing_key, exp=datetime.now(UTC) - timedelta(minutes=5)),
        _token(signing_key, preferred_username=""),
        _token(stranger),  # signed by a key the issuer never published
    ]
    for token in refused:
        with pytest.raises(InvalidToken):
            verifier.agent_of(token)


async def test_with_an_issuer_agents_use_its_tokens_not_local_logins(
    signing_key: rsa.RSAPrivateKey, jwks_url: str, settings: Settings
) -> None:
    import httpx

    api_settings = ApiSettings(
        data_dir=settings.data_dir,
        api_secret="s" * 40,
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        oidc_jwks_url=jwks_url,
        oidc_agent_claim="preferred_username",
        requests_per_minute=5,
    )
    async with serving(settings, api_settings, tandem=None) as url, httpx.AsyncClient(base_url=url) as http:
        local = await http.post("/v1/agent/login", json={"agent_id": "priya", "password": "x" * 12})
        assert local.status_code == 403 and local.json()["code"] == "use_identity_provider"
        headers = {"Authorization": f"Bearer {_token(signing_key)}"}
        statuses = [(await http.get("/v1/me/tickets", headers=headers)).status_code for _ in range(6)]
        assert statuses[0] == 403, "an agent, authenticated, but /me is for customers"
        assert statuses[-1] == 429, "six requests against a limit of five a minute"
        limited = await http.get("/v1/me/tickets", headers=headers)
        assert limited.json()["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
        other = {"Authorization": f"Bearer {_token(signing_key, preferred_username=uuid.uuid4().hex)}"}
        assert (await http.get("/v1/me/tickets", headers=other)).status_code == 403, "limits are per caller"


def test_the_rate_limit_refills_over_time() -> None:
    limiter = RateLimiter(per_minute=2)
    limiter.check("a", now=0.0)
    limiter.check("a", now=0.0)
    with pytest.raises(Problem) as refused:
        limiter.check("a", now=1.0)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "29"
    limiter.check("a", now=31.0)  # one request's worth came back after 30 s
    limiter.check("b", now=1.0)
