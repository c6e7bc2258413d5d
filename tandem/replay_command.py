"""`tandem replay`: before a deploy, what would change; for an audit, what happened.

- `tandem replay --since 7d [--json]`: the stored customer turns answered again with the current knowledge,
  responder and policy, in-process (tandem.evaluation.replay). Exit 0 when nothing would change, 1 when
  something would: a deploy pipeline can gate on it.
- `tandem replay TICKET`: the conversation's recorded Temporal history as a readable timeline, replayed on
  the current workflow code. Exit 0 when it replays deterministically, 1 when the code would break it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tandem.cli_output import out
from tandem.reporting.report import parse_since
from tandem.settings import Settings

CHANGED = 1


def register(commands: Any) -> None:
    replay = commands.add_parser(
        "replay",
        help="what the current code and content would change in stored turns; or one ticket's history",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("ticket", nargs="?", help="show and replay this ticket's workflow history")
    replay.add_argument("--since", type=parse_since, help="tickets opened since a date or span (7d)")
    replay.add_argument("--json", action="store_true", help="a JSON summary of every change")
    replay.add_argument("--include-simulated", action="store_true", help="replay `tandem simulate` tickets")
    replay.add_argument("--limit", type=int, default=50, help="changes listed in the text output")
    replay.set_defaults(handler=_replay)


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    if args.ticket is not None:
        import asyncio

        return asyncio.run(_history(args.ticket, settings))
    from tandem.cli_store import open_store
    from tandem.deployment import build_turn_parts
    from tandem.evaluation.replay import render, replay_store

    store = open_store(settings)
    parts = build_turn_parts(settings, store)
    report = replay_store(
        store, parts.answerer, parts.escalation, args.since, include_simulated=args.include_simulated
    )
    if args.json:
        print(json.dumps(report.as_json(), indent=2, default=str))
    else:
        out(render(report, args.limit))
    return CHANGED if report.changes else 0


async def _history(ticket_id: str, settings: Settings) -> int:
    from temporalio.worker import Replayer

    from tandem.client import workflow_id
    from tandem.payload_codec import data_converter
    from tandem.replay_timeline import timeline
    from tandem.temporal_client import connect
    from tandem.workflow_runner import workflow_runner
    from workflows.conversation import SupportConversation

    client = await connect(settings)
    history = await client.get_workflow_handle(workflow_id(ticket_id)).fetch_history()
    for line in timeline(history):
        out(line)
    converter = data_converter(settings.payload_keys)
    replayer = Replayer(
        workflows=[SupportConversation], data_converter=converter, workflow_runner=workflow_runner(converter)
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    if result.replay_failure is not None:
        out(f"\nNOT deterministic on the current code: {result.replay_failure}", file=sys.stderr)
        return CHANGED
    out(f"\nReplays deterministically on the current code ({len(history.events)} events).")
    return 0
