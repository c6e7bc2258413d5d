"""The `tandem` command: chat as a customer, act as an agent, list tickets, ingest knowledge, run Tandem."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import tandem.blas_threads  # noqa: F401  (before numpy loads)
from tandem import access_command, answers_command, replay_command
from tandem import cli_store as store_commands
from tandem.cli_chat import chat as customer_chat
from tandem.cli_output import out, print_entry
from tandem.client import TandemClient, TandemError
from tandem.contracts import (
    ConversationState,
    Resolution,
)
from tandem.knowledge.loaders import KnowledgeError
from tandem.reporting.verdicts import Verdict
from tandem.settings import Settings, get_settings


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = get_settings()
    try:
        code = args.handler(args, settings)
    except (TandemError, KnowledgeError) as err:
        code = _fail(err)
    except KeyboardInterrupt:
        code = 130
    except Exception as err:  # a person at a terminal gets one line, not a traceback
        code = _fail(f"{type(err).__name__}: {err} (set TANDEM_DEBUG=1 for the traceback)")
        if os.environ.get("TANDEM_DEBUG"):
            raise
    sys.exit(code or 0)


def _fail(err: Exception | str) -> int:
    out(f"error: {err}", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="chat as a customer (opens or resumes a ticket)")
    chat.add_argument("--ticket", help="ticket id to resume; a new one is made if omitted")
    chat.add_argument("--customer", default="demo-customer", help="customer id")
    chat.add_argument("--name", default="", help="customer's name")
    chat.add_argument("--product", help="product the customer uses (filters help-center articles)")
    chat.add_argument("--high-value", action="store_true", help="mark the customer as high value")
    chat.add_argument("-m", "--message", action="append", help="send this message and exit (repeatable)")
    chat.set_defaults(handler=_run(customer_chat))

    agent = commands.add_parser("agent", help="act as a human agent on a ticket")
    agent_commands = agent.add_subparsers(required=True, metavar="ACTION")
    default_agent = os.environ.get("TANDEM_AGENT") or getpass.getuser()
    queue = agent_commands.add_parser("queue", help="conversations waiting for a person, most urgent first")
    queue.set_defaults(handler=_run(_agent_queue))
    for name, handler, help_text in (
        ("take", _agent_take, "take over a conversation"),
        ("reply", _agent_reply, "reply to the customer"),
        ("hand-back", _agent_hand_back, "hand the conversation back to the AI"),
        ("close", _agent_close, "close the ticket"),
        ("show", _agent_show, "show the ticket's state and transcript"),
        ("promise", _agent_promise, "record a follow-up you promised, with when it is due"),
        ("kept", _agent_kept, "mark a promise kept"),
    ):
        sub = agent_commands.add_parser(name, help=help_text)
        sub.add_argument("ticket")
        sub.add_argument("--agent", default=default_agent, help=f"agent name (default {default_agent})")
        if name in ("reply", "promise"):
            sub.add_argument("text")
        if name == "promise":
            sub.add_argument(
                "--due", required=True, type=answers_command.expiry, help="a span from now (2h, 1d) or a time"
            )
        if name == "kept":
            sub.add_argument("promise_id")
        if name in ("close", "hand-back"):
            sub.add_argument("--note", default="", help="resolution or hand-back note")
        if name == "close":
            sub.add_argument(
                "--resolution",
                default=Resolution.RESOLVED_BY_HUMAN.value,
                choices=[r.value for r in Resolution],
            )
        sub.set_defaults(handler=_run(handler))

    tickets = commands.add_parser("tickets", help="list tickets with their state")
    tickets.add_argument("--state", choices=[s.value for s in ConversationState])
    tickets.add_argument("--limit", type=int, default=50)
    tickets.set_defaults(handler=store_commands.tickets)

    ingest = commands.add_parser(
        "ingest",
        help="sync help-center articles from a JSONL file, Markdown or HTML files, or a folder of them",
    )
    ingest.add_argument("path", type=Path)
    ingest.add_argument(
        "--product", help="product for articles that don't name one (else: first folder level)"
    )
    ingest.set_defaults(handler=store_commands.ingest)

    sources = commands.add_parser(
        "sources",
        help="list ingested help-center sources, with the articles flagged for review",
        description="With no ACTION: list the sources, their article counts and flagged articles.",
    )
    sources.set_defaults(handler=store_commands.sources, action=None)
    source_actions = sources.add_subparsers(dest="action", metavar="ACTION")
    remove = source_actions.add_parser("remove", help="remove a source and all its articles")
    remove.add_argument("source", help="as `tandem sources` lists it, or the path that was ingested")
    clear = source_actions.add_parser(
        "clear", help="mark a flagged article reviewed: from now on it is indexed and quoted"
    )
    clear.add_argument("article_id")

    evaluate = commands.add_parser("eval", help="measure retrieval, tickets, escalation and scope on a suite")
    evaluate.add_argument("suite", type=Path, help="a folder in the evaluation-suite format")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument(
        "--details", type=Path, metavar="FILE", help="write each answers item's reply, verdict and sources"
    )
    evaluate.add_argument(
        "--part", action="append", metavar="NAME", help="only this part (repeatable): retrieval, tickets, ..."
    )
    evaluate.set_defaults(handler=store_commands.evaluate)

    simulate = commands.add_parser(
        "simulate", help="replay a suite's messages through the real workflow (needs `make run`)"
    )
    simulate.add_argument("suite", type=Path, help="a folder in the evaluation-suite format")
    simulate.add_argument("--conversations", type=int, default=50)
    simulate.add_argument("--seed", type=int, default=0)
    simulate.set_defaults(handler=_simulate)

    report = commands.add_parser(
        "report", help="containment, resolution time, CSAT and escalation vs targets"
    )
    report.add_argument(
        "--since", type=store_commands.since, help="a date (2026-11-01) or a span (30d, 8w, 12h)"
    )
    report.add_argument("--product")
    report.add_argument("--period", choices=["day", "week", "month"], default="week")
    report.add_argument("--html", type=Path, metavar="FILE", help="also write an HTML page with charts")
    report.add_argument(
        "--include-simulated", action="store_true", help="count `tandem simulate` tickets too"
    )
    report.set_defaults(handler=store_commands.report)

    review = commands.add_parser(
        "review",
        help="conversations to review and content gaps; record a verdict; export reviewed mistakes",
        description="With no TICKET: the conversations not reviewed yet and the content gaps. With TICKET "
        "and --verdict: record what you decided (the ticket leaves the list). With --export FILE: "
        "reviewed conversations as answers.jsonl items for `tandem eval`.",
    )
    review.add_argument("ticket", nargs="?", help="the ticket to record a verdict for")
    review.add_argument("--verdict", choices=[v.value for v in Verdict])
    review.add_argument("--note", default="", help="what was wrong, or what a right answer says")
    review.add_argument("--must", action="append", default=[], help="a fact a right answer states (repeat)")
    review.add_argument(
        "--must-not", action="append", default=[], help="a wrong value a careless answer gives (repeat)"
    )
    review.add_argument("--content-gap", action="store_true", help="the help center lacks what was needed")
    review.add_argument("--reviewer", default=default_agent, help=f"who reviewed (default {default_agent})")
    review.add_argument("--export", type=Path, metavar="FILE", help="write reviewed items as answers.jsonl")
    review.add_argument(
        "--since", type=store_commands.since, help="a date (2026-11-01) or a span (30d, 8w, 12h)"
    )
    review.add_argument("--limit", type=int, default=20)
    review.add_argument("--include-simulated", action="store_true", help="list `tandem simulate` tickets too")
    review.set_defaults(handler=store_commands.review)

    csat = commands.add_parser("csat", help="rate a closed conversation from 1 to 5 (as the customer)")
    csat.add_argument("ticket")
    csat.add_argument("rating", type=int, choices=range(1, 6))
    csat.add_argument("--comment", default="")
    csat.set_defaults(handler=_run(_csat))

    history = commands.add_parser(
        "ingest-tickets", help="import resolved tickets (JSONL) for similar-ticket search"
    )
    history.add_argument("path", type=Path)
    history.set_defaults(handler=store_commands.ingest_tickets)

    worker = commands.add_parser("worker", help="run a worker")
    worker.add_argument(
        "--processes",
        type=int,
        default=None,
        help="1 workflow process and N-1 activity processes (default: 2 without a Cohere key on 2+ cores)",
    )
    worker.set_defaults(handler=lambda args, settings: _start_worker(settings, args.processes))

    access_command.register(commands)
    answers_command.register(commands)
    replay_command.register(commands)

    dev = commands.add_parser("dev", help="run the whole stack on this machine (what `make run` calls)")
    dev.add_argument("--helpcenter", type=Path, default=Path("data/helpcenter/rho_bank/kb.jsonl"))
    dev.set_defaults(handler=lambda args, settings: _dev(args, settings))
    return parser


def _run(handler):
    """Wrap an async handler that needs a Tandem client."""

    def call(args: argparse.Namespace, settings: Settings) -> int:
        async def go() -> int | None:
            from tandem.temporal_client import connect

            try:
                temporal = await connect(settings)
            except RuntimeError as err:
                where = settings.temporal_address
                return _fail(
                    RuntimeError(f"cannot reach Temporal at {where} ({err}); is `make run` running?")
                )
            client = TandemClient.from_settings(temporal, settings)
            try:
                return await handler(args, client)
            except TandemError as err:
                return _fail(err)

        try:
            code = asyncio.run(go()) or 0
        except KeyboardInterrupt:
            code = 130
        except BrokenPipeError:  # output piped into `head` and the like
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            code = 0
        _exit_now(code)

    return call


def _exit_now(code: int) -> None:
    """The Temporal client's Rust threads can abort interpreter teardown in short-lived processes
    (temporalio/sdk-python#300); everything is written and flushed, so skip the teardown."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# --- customer ---------------------------------------------------------------------------------------


async def _agent_queue(args: argparse.Namespace, client: TandemClient) -> int:
    items = await client.queue()
    if not items:
        out("nobody is waiting")
    now = datetime.now(UTC)
    for item in items:
        waited = int((now - item.waiting_since).total_seconds() // 60)
        out(
            f"{item.ticket_id:<14} priority {item.priority.name:<7} waiting {waited:>4} min · "
            f"customer {item.customer_id} · {item.product or '-'}"
        )
    return 0


async def _agent_take(args: argparse.Namespace, client: TandemClient) -> int:
    status = await client.take_over(args.ticket, args.agent)
    out(f"{args.agent} owns ticket {args.ticket} ({status.state.value}). Conversation so far:")
    for entry in await client.transcript(args.ticket):
        print_entry(entry)
    return 0


async def _agent_reply(args: argparse.Namespace, client: TandemClient) -> int:
    entry = await client.reply(args.ticket, args.agent, args.text)
    print_entry(entry)
    return 0


async def _agent_hand_back(args: argparse.Namespace, client: TandemClient) -> int:
    status = await client.hand_back(args.ticket, args.agent, args.note)
    out(f"ticket {args.ticket} is back with the AI ({status.state.value})")
    return 0


async def _agent_close(args: argparse.Namespace, client: TandemClient) -> int:
    status = await client.close(args.ticket, Resolution(args.resolution), by=args.agent, note=args.note)
    out(f"ticket {args.ticket} closed ({status.resolution.value if status.resolution else '-'})")
    return 0


async def _agent_promise(args: argparse.Namespace, client: TandemClient) -> int:
    promise = await client.promise(args.ticket, args.agent, args.text, args.due)
    out(f"promise {promise.promise_id} due {promise.due_at:%Y-%m-%d %H:%M} UTC: {promise.text}")
    return 0


async def _agent_kept(args: argparse.Namespace, client: TandemClient) -> int:
    promise = await client.keep_promise(args.ticket, args.agent, args.promise_id)
    out(f"promise {promise.promise_id} kept")
    return 0


async def _agent_show(args: argparse.Namespace, client: TandemClient) -> int:
    status = await client.status(args.ticket)
    reasons = "; ".join(f"{r.code}: {r.detail}" for r in status.escalation_reasons) or "none"
    out(
        f"ticket {status.ticket_id} · customer {status.customer_id} · {status.state.value} · "
        f"priority {status.priority.name} · agent {status.agent or '-'}\nescalation reasons: {reasons}"
    )
    for p in status.promises:
        state = "kept" if p.kept_at else "MISSED" if p.missed_at else "open"
        out(f"promise {p.promise_id} ({p.agent}, due {p.due_at:%Y-%m-%d %H:%M} UTC, {state}): {p.text}")
    handoff = await client.handoff(args.ticket)
    if handoff is not None:
        out(f"\nHandoff: {handoff.summary}")
        facts = "; ".join(f"{k}: {v}" for k, v in handoff.customer.account_facts.items())
        if facts:
            out(f"Account: {facts}")
        out()
    for entry in await client.transcript(args.ticket):
        print_entry(entry)
    draft = await client.draft(args.ticket)
    if draft is not None:
        sources = ", ".join(s.title for s in draft.sources) or "none"
        out(f"\nSuggested reply (not sent; confidence {draft.confidence:.2f}; sources: {sources}):")
        out(draft.text)
        if draft.procedures:
            out(
                "Internal procedures (for you, not the customer): "
                + ", ".join(p.title for p in draft.procedures)
            )
    return 0


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.simulation import run_simulation

    code = run_simulation(settings, args.suite, args.conversations, args.seed)
    _exit_now(code)  # the Temporal client is done; skip its teardown (see _run)
    return code


async def _csat(args: argparse.Namespace, client: TandemClient) -> int:
    status = await client.submit_csat(args.ticket, args.rating, args.comment)
    out(f"thanks: ticket {args.ticket} rated {status.csat.rating if status.csat else args.rating}/5")
    return 0


def _start_worker(settings: Settings, processes: int | None = None) -> int:
    import logging

    from worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run_worker(settings, processes=processes))
    return 0


def _dev(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.devstack import run_dev_stack

    return run_dev_stack(settings, helpcenter=args.helpcenter)
