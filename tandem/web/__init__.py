"""The browser pages on the API's app: the agent console (/console) and the customer chat page (/chat),
server-rendered (Jinja2, htmx and its SSE extension, vendored in static/), on the API's services, rules and
audit trail."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tandem.web import chat, console

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    app.include_router(console.router)
    app.include_router(chat.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
