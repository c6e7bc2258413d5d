"""The HTTP API's settings (TANDEM_ environment variables, like the rest of Tandem)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from tandem.access.secrets import kept

SECRET_FILE = "api-secret"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".tandem")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=0, le=65535)
    # Signs customer and agent session tokens. Unset: one is made once and kept in data_dir (fine for one
    # server; several API servers behind a load balancer need the same secret, so set it there).
    api_secret: SecretStr | None = None
    customer_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    agent_session_ttl_seconds: int = Field(default=8 * 3600, ge=300, le=7 * 86400)
    # Agents from the company's identity provider: tokens signed by this issuer for this audience. Set, it
    # replaces local agent logins.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None  # default: <issuer>/.well-known/jwks.json
    oidc_agent_claim: str = "sub"  # the claim that names the agent, e.g. "preferred_username" or "email"
    # Per caller and API process; a caller over it gets 429 with Retry-After.
    requests_per_minute: int = Field(default=600, ge=1)
    logins_per_minute: int = Field(default=10, ge=1)  # per account name: slows password guessing
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)  # help-center sources, ticket history
    # Origins allowed to call the codec endpoint from a browser: the Temporal UI's, e.g. http://localhost:8233.
    codec_cors_origins: list[str] = Field(default_factory=list)

    @property
    def customer_token_ttl(self) -> timedelta:
        return timedelta(seconds=self.customer_token_ttl_seconds)

    @property
    def agent_session_ttl(self) -> timedelta:
        return timedelta(seconds=self.agent_session_ttl_seconds)

    def signing_secret(self) -> str:
        if self.api_secret is not None:
            return self.api_secret.get_secret_value()
        return kept(self.data_dir / SECRET_FILE, lambda: secrets.token_urlsafe(48))
