"""The `tandem` commands that work on the ticket store and the knowledge directly, without Temporal: tickets,
ingest, sources, report, review, eval and ingest-tickets."""

from __future__ import annotations

import argparse
import sys

from tandem.adapters.weaviate_session import weaviate
from tandem.contracts import ConversationState
from tandem.settings import Settings


def open_store(settings: Settings):
    from tandem.store import TicketStore, create_schema, make_engine

    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    return TicketStore(engine)


def tickets(args: argparse.Namespace, settings: Settings) -> int:
    rows = open_store(settings).list_tickets(
        ConversationState(args.state) if args.state else None, args.limit
    )
    if not rows:
        print("no tickets")
    for t in rows:
        print(
            f"{t.ticket_id:<14} {t.state:<18} priority {t.priority} "
            f"{'escalated ' if t.escalated else ''}agent {t.agent or '-'} · {t.message_count} messages · "
            f"opened {t.opened_at:%Y-%m-%d %H:%M}"
        )
    return 0


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.knowledge.ingest import ingest_path, source_label

    store = open_store(settings)
    before = {a.id for a in store.list_articles(source=source_label(args.path))}
    report = ingest_path(store, args.path, product=args.product)
    print(report.summary())
    for line in report.flag_notes():
        print(line)
    if settings.knowledge_backend == "weaviate":
        from tandem.adapters.weaviate_sync import mirror_source

        with weaviate(settings) as backend:
            written, deleted = mirror_source(store, backend, report.source, before)
        print(f"Weaviate: {written} chunks written, {deleted} deleted")
    return 0


def sources(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.sources_command import clear_article, list_sources, remove_source

    store = open_store(settings)
    mirror = (lambda: weaviate(settings)) if settings.knowledge_backend == "weaviate" else None
    match args.action:
        case "remove":
            return remove_source(store, args.source, mirror)
        case "clear":
            return clear_article(store, args.article_id, mirror)
    return list_sources(store)


def since(text: str):
    from tandem.reporting.report import parse_since

    return parse_since(text)


def report(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.reporting.report import run_report

    return run_report(
        open_store(settings),
        args.since,
        args.product,
        args.html,
        granularity=args.period,
        include_simulated=args.include_simulated,
    )


def review(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.reporting.review import run_review
    from tandem.reporting.verdicts import export_reviews, record_verdict

    store = open_store(settings)
    if args.export is not None:
        return export_reviews(store, args.export, args.since)
    if args.ticket is not None or args.verdict is not None:
        if args.ticket is None or args.verdict is None:
            print("error: a verdict needs both TICKET and --verdict", file=sys.stderr)
            return 2
        return record_verdict(
            store,
            args.ticket,
            args.verdict,
            args.reviewer,
            args.note,
            args.must,
            args.must_not,
            content_gap=args.content_gap,
        )
    return run_review(store, args.since, args.limit, include_simulated=args.include_simulated)


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.evaluation.command import run_eval

    return run_eval(args.suite, as_json=args.json, details=args.details, only=args.part)


def ingest_tickets(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.knowledge.loaders import load_tickets_jsonl

    tickets = load_tickets_jsonl(args.path)
    imported = open_store(settings).import_resolved_tickets(tickets)
    print(f"{args.path}: {imported} resolved tickets imported")
    if settings.knowledge_backend == "weaviate":
        with weaviate(settings) as backend:
            print(f"Weaviate: {backend.import_tickets(tickets)} tickets written")
    return 0
