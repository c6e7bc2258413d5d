"""`tandem answers`: the support team's approved answers (tandem.knowledge.approved).

approve  turn a resolution into an answer customers may be given (cited as the team's answer)
list     active answers (with --all, withdrawn and expired ones too)
withdraw stop using an answer at once
suggest  closed tickets whose question no article answered, with the resolution a person wrote
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime
from typing import Any

from tandem.cli_output import out
from tandem.knowledge.approved import NotApprovable
from tandem.reporting.report import parse_since, span
from tandem.settings import Settings
from tandem.store import TicketStore, UnknownAnswerError, UnknownTicketError, create_schema, make_engine
from tandem.store.access import AccessStore

USAGE_ERROR = 2


def register(commands: Any) -> None:
    answers = commands.add_parser(
        "answers", help="the support team's approved answers: approve, list, withdraw"
    )
    actions = answers.add_subparsers(required=True, metavar="ACTION")
    default_owner = os.environ.get("TANDEM_AGENT") or getpass.getuser()

    approve = actions.add_parser("approve", help="approve an answer customers may be given")
    approve.add_argument("--title", required=True, help="what it answers, as a customer would look for it")
    text = approve.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="the answer, with no customer data")
    text.add_argument("--from-ticket", metavar="TICKET", help="take the answer from this ticket's resolution")
    approve.add_argument("--ticket", metavar="TICKET", help="the ticket it came from (with --text)")
    approve.add_argument("--question", default="", help="the customer question it answers")
    approve.add_argument("--product", help="product it is about (default: the source ticket's, else all)")
    approve.add_argument("--expires", type=expiry, help="a date (2027-01-31) or a span (90d, 8w)")
    approve.add_argument(
        "--owner", default=default_owner, help=f"who answers for it (default {default_owner})"
    )
    approve.set_defaults(handler=_approve)

    listing = actions.add_parser("list", help="active approved answers")
    listing.add_argument("--all", action="store_true", help="withdrawn and expired ones too")
    listing.set_defaults(handler=_list)

    withdraw = actions.add_parser("withdraw", help="stop using an answer at once")
    withdraw.add_argument("answer_id")
    withdraw.add_argument("--by", default=default_owner, help=f"who withdraws it (default {default_owner})")
    withdraw.set_defaults(handler=_withdraw)

    suggest = actions.add_parser("suggest", help="resolved tickets whose question no article answered")
    suggest.add_argument("--limit", type=int, default=20)
    suggest.set_defaults(handler=_suggest)


def expiry(text: str) -> datetime:
    """`--expires`: a span from now (90d, 8w, 12h) or a date or datetime (UTC unless it says so)."""
    if (ahead := span(text)) is not None:
        return datetime.now(UTC) + ahead
    try:
        return parse_since(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"invalid time {text!r}: use a span from now (2h, 90d, 8w) or a date (2027-01-31)"
        ) from None


def _store(settings: Settings) -> TicketStore:
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    return TicketStore(engine)


def _approve(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    source_ticket = args.from_ticket or args.ticket
    body = args.text
    product = args.product
    question = args.question
    if source_ticket is not None:
        summary = store.get_ticket(source_ticket)
        if summary is None:
            out(f"error: no ticket {source_ticket!r}", file=sys.stderr)
            return USAGE_ERROR
        product = product or summary.product
        question = question or summary.subject
        if args.from_ticket:
            body = summary.resolution_text or ""
            if not body.strip():
                out(f"error: ticket {source_ticket} was closed without a resolution note", file=sys.stderr)
                return USAGE_ERROR
    try:
        answer = store.approve_answer(
            title=args.title,
            body=body,
            owner=args.owner,
            product=product,
            question=question,
            from_ticket_id=source_ticket,
            expires_at=args.expires,
        )
    except (NotApprovable, UnknownTicketError, ValueError) as err:
        out(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    AccessStore(store._engine).audit(
        "agent", args.owner, "approve_answer", ticket_id=source_ticket, detail=answer.answer_id
    )
    until = f", until {answer.expires_at:%Y-%m-%d %H:%M} UTC" if answer.expires_at else ""
    out(f"approved {answer.answer_id}: {answer.title} (product: {answer.product or 'all'}{until})")
    _mirror(store, settings)
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    _mirror(store, settings)  # expired ones leave Weaviate too
    answers = store.approved_answers(include_inactive=args.all)
    if not answers:
        out("no approved answers; approve one with `tandem answers approve`")
    now = datetime.now(UTC)
    for a in answers:
        if a.withdrawn_at is not None:
            state = f"withdrawn {a.withdrawn_at:%Y-%m-%d} by {a.withdrawn_by}"
        elif not a.active(now):
            state = "expired"
        else:
            state = f"active{f' until {a.expires_at:%Y-%m-%d}' if a.expires_at else ''}"
        origin = f"  from {a.from_ticket_id}" if a.from_ticket_id else ""
        out(f"{a.answer_id}  {a.title}  [{a.product or 'all'}]  owner {a.owner}  {state}{origin}")
    return 0


def _withdraw(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    try:
        answer = store.withdraw_answer(args.answer_id, args.by)
    except UnknownAnswerError:
        out(f"error: no approved answer {args.answer_id!r}", file=sys.stderr)
        return USAGE_ERROR
    AccessStore(store._engine).audit("agent", args.by, "withdraw_answer", detail=answer.answer_id)
    out(f"withdrawn {answer.answer_id}: no reply quotes it from now on")
    _mirror(store, settings)
    return 0


def _suggest(args: argparse.Namespace, settings: Settings) -> int:
    found = _store(settings).answer_candidates(limit=args.limit)
    if not found:
        out(
            "no candidates: every closed ticket with a resolution note had an article, or is approved already"
        )
    for c in found:
        out(f"{c.ticket_id}  {c.subject or c.question}")
        out(f"    asked:    {c.question}")
        out(f"    resolved: {c.resolution}")
    if found:
        out('\napprove one with: tandem answers approve --from-ticket TICKET --title "..."')
    return 0


def _mirror(store: TicketStore, settings: Settings) -> None:
    from tandem.adapters.weaviate_session import mirror_answers_if_weaviate

    if (counts := mirror_answers_if_weaviate(settings, store)) is not None:
        out(f"Weaviate: {counts[0]} chunks written, {counts[1]} answers removed")
