"""Operators (an API key with the 'operator' scope): the help center and ticket history Tandem answers from,
the report and the review list — what `tandem ingest`, `ingest-tickets`, `sources`, `report` and `review` do
on the server's own machine, for deployments where nobody logs in to it."""

from __future__ import annotations

import tempfile
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, TypeAdapter
from starlette.concurrency import run_in_threadpool

from tandem.adapters.weaviate_session import weaviate
from tandem.api.auth import Operator
from tandem.api.problems import RESPONSES, Problem
from tandem.api.services import Svc
from tandem.knowledge.injection import injection_reason
from tandem.knowledge.loaders import KnowledgeError, load_tickets_jsonl, read_articles_jsonl
from tandem.reporting.report import build_report
from tandem.reporting.review import content_gaps, conversations_to_review
from tandem.store import ArticleSourceConflict, UnknownSourceError
from tandem.text_hygiene import IdText

router = APIRouter(prefix="/v1", tags=["operators"], responses=RESPONSES)
UPLOAD_PATHS = ("/v1/sources/", "/v1/ticket-history")  # may carry more than the usual body limit


class SourceSynced(BaseModel):
    source: str
    articles: int
    added: int
    updated: int
    unchanged: int
    deleted: int
    flagged: list[str]  # ids held back for a person: their text addresses an AI


class HistoryImported(BaseModel):
    imported: int


@router.put("/sources/{source}", response_model=SourceSynced)
async def sync_source(
    source: IdText, request: Request, who: Operator, svc: Svc, product: str | None = None
) -> SourceSynced:
    """Replace the help-center source `source` with the articles in the body (JSON lines:
    `{"id", "title", "body", "product"?, "url"?, "category"?, "internal"?}`): new ones added, changed ones
    updated, missing ones deleted. Articles whose text addresses an AI are held back for review."""
    rows = await _jsonl(request, read_articles_jsonl)
    articles = [
        replace(item.article, source=source, product=item.article.product or product) for item in rows
    ]
    flags = {a.id: reason for a in articles if (reason := injection_reason(f"{a.title}\n{a.body}"))}
    before = {a.id for a in await run_in_threadpool(svc.store.list_articles, source=source)}
    try:
        counts = await run_in_threadpool(svc.store.sync_articles, source, articles, flags=flags)
    except ArticleSourceConflict as err:
        taken = ", ".join(sorted(err.conflicts)[:5])
        raise Problem(409, "article_ids_taken", "Articles belong to another source", taken) from None
    await run_in_threadpool(_mirror, svc, source, before)
    await svc.audit(who, "sync_source", detail=f"{source}: {len(articles)} articles")
    return SourceSynced(source=source, articles=len(articles), flagged=sorted(flags), **asdict(counts))


@router.delete("/sources/{source}")
async def remove_source(source: str, who: Operator, svc: Svc) -> dict[str, object]:
    before = {a.id for a in await run_in_threadpool(svc.store.list_articles, source=source)}
    try:
        removed = await run_in_threadpool(svc.store.remove_source, source)
    except UnknownSourceError:
        raise Problem(404, "unknown_source", "No such source") from None
    await run_in_threadpool(_mirror, svc, source, before)
    await svc.audit(who, "remove_source", detail=f"{source}: {removed} articles")
    return {"source": source, "removed": removed}


@router.get("/sources")
async def sources(who: Operator, svc: Svc) -> list[dict[str, Any]]:
    found = await run_in_threadpool(svc.store.article_sources)
    return [TypeAdapter(type(s)).dump_python(s, mode="json") for s in found]


@router.post("/ticket-history", response_model=HistoryImported)
async def import_history(request: Request, who: Operator, svc: Svc) -> HistoryImported:
    """Resolved tickets (JSON lines: `{"id", "subject", "body", "category"?, "resolution"?}`) that
    similar-ticket answers and categories learn from; a ticket id imported again is updated, not doubled."""
    tickets = await _jsonl(request, load_tickets_jsonl)
    imported = await run_in_threadpool(svc.store.import_resolved_tickets, tickets)
    if svc.tandem_settings.knowledge_backend == "weaviate":
        await run_in_threadpool(_mirror_tickets, svc, tickets)
    await svc.audit(who, "import_ticket_history", detail=f"{imported} tickets")
    return HistoryImported(imported=imported)


@router.get("/report")
async def report(
    who: Operator, svc: Svc, since_days: int = Query(default=30, ge=1, le=3650), product: str | None = None
) -> dict[str, Any]:
    """Containment, resolution time, CSAT and escalation rate against their targets, overall and per
    period."""
    now = datetime.now(UTC)
    since = now - timedelta(days=since_days)
    facts = await run_in_threadpool(svc.store.ticket_facts, since=since, product=product)
    built = build_report(facts, now, since=since, product=product)
    return TypeAdapter(type(built)).dump_python(built, mode="json")


@router.get("/review")
async def review(
    who: Operator,
    svc: Svc,
    since_days: int = Query(default=7, ge=1, le=3650),
    limit: int = Query(default=50, ge=1, le=500),
) -> dict[str, Any]:
    """Conversations a person should look at (low CSAT, escalated after the AI, abstentions, guardrail
    rewrites) and content gaps (questions no article answered, grouped)."""
    since = datetime.now(UTC) - timedelta(days=since_days)
    facts = await run_in_threadpool(svc.store.ticket_facts, since=since)
    events = list(await run_in_threadpool(svc.store.ai_events, since=since))
    items = conversations_to_review(facts, events)[:limit]
    gaps = content_gaps(events)[:limit]
    return {
        "conversations": [
            {
                "ticket_id": i.ticket_id,
                "at": i.at.isoformat(),
                "product": i.product,
                "category": i.category,
                "reasons": i.reasons(),
            }
            for i in items
        ],
        "content_gaps": [
            {"question": g.representative, "count": g.count, "ticket_ids": g.ticket_ids} for g in gaps
        ],
    }


def _mirror(svc: Svc, source: str, before: set[str]) -> None:
    """With Weaviate as the knowledge backend, the change is mirrored there, as `tandem ingest` does."""
    if svc.tandem_settings.knowledge_backend != "weaviate":
        return
    from tandem.adapters.weaviate_sync import mirror_source

    with weaviate(svc.tandem_settings) as backend:
        mirror_source(svc.store, backend, source, before)


def _mirror_tickets(svc: Svc, tickets: list[Any]) -> None:
    with weaviate(svc.tandem_settings) as backend:
        backend.import_tickets(tickets)


async def _jsonl(request: Request, read: Any) -> list[Any]:
    """The body as JSON lines, read with the same loader (and the same errors) as the CLI's files."""
    body = await request.body()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.jsonl"
        path.write_bytes(body)
        try:
            return await run_in_threadpool(read, path)
        except (KnowledgeError, ValueError, UnicodeDecodeError) as err:
            detail = str(err).replace(str(path), "line")[:1000]
            raise Problem(422, "invalid_request", "The upload is not valid JSON lines", detail) from None
