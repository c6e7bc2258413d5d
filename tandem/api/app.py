"""The HTTP API as an ASGI app: `create_app` for the server and for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from tandem.access.tokens import OidcVerifier
from tandem.api import (
    problems,
    routes_access,
    routes_agents,
    routes_answers,
    routes_codec,
    routes_events,
    routes_operators,
    routes_tickets,
)
from tandem.api.auth import Gatekeeper
from tandem.api.config import ApiSettings
from tandem.api.idempotency import Idempotency
from tandem.api.limits import BodyLimit, RateLimiter
from tandem.api.services import Services
from tandem.client import TandemClient
from tandem.payload_codec import data_converter
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine
from tandem.store.access import AccessStore
from tandem.temporal_client import connect
from tandem.web import mount as mount_pages

API_VERSION = "1.0.0"


def create_app(settings: Settings, api: ApiSettings, tandem: TandemClient | None = None) -> FastAPI:
    """The API over the settings' store and Temporal (connected at start-up unless `tandem` is given)."""
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    access = AccessStore(engine)
    secret = api.signing_secret()
    oidc = None
    if api.oidc_issuer:
        audience = api.oidc_audience or "tandem"
        oidc = OidcVerifier(api.oidc_issuer, audience, api.oidc_jwks_url, api.oidc_agent_claim)
    gate = Gatekeeper(
        access, secret, oidc, RateLimiter(api.requests_per_minute), RateLimiter(api.logins_per_minute)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = tandem or TandemClient.from_settings(await connect(settings, lazy=True), settings)
        app.state.services = Services(
            settings=api,
            tandem_settings=settings,
            tandem=client,
            store=TicketStore(engine),
            access=access,
            gatekeeper=gate,
            idempotency=Idempotency(access, secret),
            secret=secret,
        )
        yield

    app = FastAPI(
        title="Tandem",
        version=API_VERSION,
        summary="AI customer support where the AI and people work in tandem",
        description=(
            "Authenticate with `Authorization: Bearer <credential>`: an API key (backends), a customer token "
            "(minted by a backend for one customer), or an agent token (login or your identity provider). "
            "Send an `Idempotency-Key` header with POSTs so a retried call never acts twice. Errors are "
            "`application/problem+json` with a stable `code`."
        ),
        lifespan=lifespan,
    )
    app.state.gatekeeper = gate
    problems.install(app)
    for module in (
        routes_tickets,
        routes_agents,
        routes_answers,
        routes_access,
        routes_events,
        routes_operators,
        routes_codec,
    ):
        app.include_router(module.router)
    app.state.payload_codec = data_converter(settings.payload_keys).payload_codec
    if api.codec_cors_origins:  # the Temporal UI calls the codec endpoint from its own origin
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api.codec_cors_origins,
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "X-Namespace"],
            allow_credentials=True,
        )
    mount_pages(app)  # the agent console (/console) and the customer chat page (/chat)

    @app.get("/healthz", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    uploads = dict.fromkeys(routes_operators.UPLOAD_PATHS, api.max_upload_bytes)
    app.add_middleware(BodyLimit, limit=api.max_body_bytes, larger=uploads)
    return app
