"""`tandem simulate SUITE --conversations N [--seed S]`: replay a suite's messages through the real workflow.

It gives `tandem report` real numbers on a fresh install: every ticket goes through the Temporal dev server
(`make run`), the real AI turn (retrieval, answer, escalation check) and the real ticket store. It is a
simulation, not ground truth: the customers and agents below are simple scripts, the ratings are drawn at
random, and everything happens as fast as the workflow answers, so durations mean nothing.

What runs
- A worker of its own on a fresh task queue (`tandem-sim-<random>`), in this process, so the main worker is
  never disturbed; tickets are `sim-<suite>-<n>-<random>` and customers `sim-<name>` (one in four high value;
  a customer's product is that of the help-center article the suite names as relevant, when it names one:
  a guessed product would hide the right articles). The suite's kb, tickets and policy are not loaded: the
  AI answers and escalates as the deployment is set up (ingest a suite's kb first to replay against it).
- First messages: `escalation.jsonl` (label: `escalate`), `queries.jsonl` (`expects_human`),
  `ticket_queries.jsonl` (no label) and `scope.jsonl` (`in_scope`), whichever the suite has; the sources
  take turns and rows are drawn with the seed (`scenario.plan`). At most 8 conversations run at a time.

The simulated customer and agent
- The customer sends the suite's message. If the AI answered (no handoff, a reply with sources; an
  abstention cites nothing), the customer closes the ticket as `resolved_by_ai` (by "customer").
- If the AI said it was not sure, the customer writes "Can I talk to a person?" (and, should that not bring
  one in, uses "talk to a human", the `request_human` signal).
- 12% of customers go silent after the AI's first reply (an answer or "not sure"); instead of waiting for the
  inactivity timer the ticket is closed as `abandoned` by "system". They neither reopen nor rate.
- Escalated tickets (on the first message or after asking for a person) are picked up by one of three
  simulated agents once the handoff package is ready: take over, send the handoff's suggested reply when it
  is an answer (it cites sources; a generic reply otherwise), close as
  `resolved_by_human`. No resolution note: a note would put the simulated ticket into the similar-ticket
  history the AI answers real customers from.
- After a close, 8% of customers write again (`reopen`; 35% when the AI answered a message the suite says it
  should not have: labelled escalate, expects_human or out of scope) with the same question, and that episode
  runs as above (no abandoning). Then 80% rate the conversation from 1 to 5 with weights (1..5):
  AI answer the suite says it should not have given 40/30/15/10/5; AI answer with confidence >= 0.6
  2/3/10/35/50, below 0.6 6/12/27/35/20; a person resolved it 3/5/12/35/45; one star less after a reopen.
- Every draw comes from the seed (per conversation, made up front), and the AI is deterministic for a given
  knowledge base, so the same suite, seed and knowledge give the same outcomes.

Each ticket's survey window is shortened (`survey_window`, default 15 s) and the command waits for every
simulated conversation to finish before it stops its worker, so none is left running on a task queue that
nobody polls. Nothing is written outside the ticket store and Temporal (the worker loads or builds the
knowledge index under the data folder, as the main worker does).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client

from tandem.client import TandemClient, workflow_id
from tandem.contracts import (
    MAX_MESSAGE_CHARS,
    Author,
    ConversationState,
    Resolution,
    SupportResponse,
    TicketOutcome,
    TicketStart,
)
from tandem.evaluation.suite import SuiteFormatError, load_suite
from tandem.settings import Settings
from tandem.simulation import scenario
from tandem.simulation.scenario import PlannedConversation
from tandem.temporal_client import connect

CONCURRENCY = 8
SURVEY_WINDOW = timedelta(seconds=15)
CONNECT_TIMEOUT_S = 10
HANDOFF_WAIT_S = 15  # how long an agent waits for the handoff package before taking over without it
FINISH_GRACE_S = 60  # after the survey window, how long to wait for every conversation to finish
GENERIC_AGENT_REPLY = (
    "Hi {name}, thanks for your patience. I've looked into this and sorted it out for you; "
    "let me know if there is anything else."
)
HUMAN_STATES = (ConversationState.WAITING_FOR_HUMAN, ConversationState.HUMAN_ACTIVE)


class TemporalUnreachable(RuntimeError):
    pass


@dataclass(slots=True)
class ConversationResult:
    index: int
    ticket_id: str
    source: str
    case_id: str
    first_reply: str = ""  # "answered" | "unsure" | "escalated"
    escalated: bool = False
    reasons: list[str] = field(default_factory=list)  # escalation reason codes, once each
    agent: str | None = None
    abandoned: bool = False
    reopened: bool = False
    resolution: Resolution | None = None
    closed_by: str = ""
    rating: int | None = None
    error: str | None = None
    outcome: TicketOutcome | None = None  # the workflow's result, once it finished

    def key(self) -> tuple:
        """Everything but ids and the workflow result: equal for equal seeds."""
        return (
            self.index, self.source, self.case_id, self.first_reply, self.escalated, tuple(self.reasons),
            self.agent, self.abandoned, self.reopened, self.resolution, self.closed_by, self.rating,
        )  # fmt: skip


@dataclass(slots=True)
class SimulationReport:
    suite: str
    seed: int
    task_queue: str
    run_id: str
    results: list[ConversationResult]
    seconds: float = 0.0
    unfinished: int = 0  # conversations that had not finished in time and were terminated

    def summary(self) -> str:
        results = self.results
        done = [r for r in results if r.error is None]
        first = Counter(r.first_reply for r in done)
        escalated = [r for r in done if r.escalated]
        reasons = Counter(code for r in escalated for code in r.reasons)
        resolutions = Counter(r.resolution.value for r in done if r.resolution)
        ratings = [r.rating for r in done if r.rating is not None]
        mean = f"{sum(ratings) / len(ratings):.2f}" if ratings else "-"
        by_reason = ", ".join(f"{code} {n}" for code, n in reasons.most_common()) or "-"
        lines = [
            f"Simulated {len(results)} conversations from suite {self.suite!r} (seed {self.seed}) in "
            f"{self.seconds:.0f} s; tickets sim-{_slug(self.suite)}-<n>-{self.run_id}",
            f"  AI answered            {first['answered']:>5}  (first reply, no handoff)",
            f"  AI not sure            {first['unsure']:>5}  (the customer then asked for a person)",
            f"  escalated              {len(escalated):>5}  by reason: {by_reason}",
            f"  resolved by AI         {resolutions[Resolution.RESOLVED_BY_AI.value]:>5}",
            f"  resolved by a person   {resolutions[Resolution.RESOLVED_BY_HUMAN.value]:>5}",
            f"  abandoned              {resolutions[Resolution.ABANDONED.value]:>5}",
            f"  reopened               {sum(r.reopened for r in done):>5}",
            f"  rated                  {len(ratings):>5}  mean rating {mean}",
        ]
        failed = [r for r in results if r.error is not None]
        if failed:
            lines.append(f"  failed                 {len(failed):>5}  first: {failed[0].error}")
        if self.unfinished:
            lines.append(f"  terminated unfinished  {self.unfinished:>5}")
        lines.append("A simulation with scripted customers and agents and random ratings, not ground truth.")
        return "\n".join(lines)


def run_simulation(settings: Settings, suite_dir: Path | str, conversations: int, seed: int = 0) -> int:
    """The `tandem simulate` command: 0 when every conversation ran, 1 otherwise."""
    if conversations < 1:
        print("error: --conversations must be at least 1", file=sys.stderr)
        return 1
    try:
        report = asyncio.run(simulate(settings, Path(suite_dir), conversations, seed))
    except (SuiteFormatError, TemporalUnreachable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0 if all(r.error is None for r in report.results) and not report.unfinished else 1


async def simulate(
    settings: Settings,
    suite_dir: Path,
    conversations: int,
    seed: int = 0,
    *,
    concurrency: int = CONCURRENCY,
    survey_window: timedelta = SURVEY_WINDOW,
    progress: bool = True,
) -> SimulationReport:
    suite = load_suite(suite_dir)
    planned = scenario.plan(suite, conversations, seed)
    if not planned:
        raise SuiteFormatError(
            suite.path, 0, "nothing to replay (needs escalation, queries, ticket_queries or scope .jsonl)"
        )
    client = await _connect(settings)
    run_id = uuid.uuid4().hex[:8]
    sim_settings = settings.model_copy(update={"task_queue": f"tandem-sim-{run_id}"})
    simulation = _Simulation(client, sim_settings, suite.name, run_id, survey_window, len(planned), progress)
    report = SimulationReport(suite.name, seed, sim_settings.task_queue, run_id, [])
    began = time.monotonic()
    from worker import build_worker

    if progress:
        print(f"Simulating {len(planned)} conversations on task queue {sim_settings.task_queue} ...")
    async with build_worker(client, sim_settings):
        try:
            gate = asyncio.Semaphore(concurrency)
            report.results = list(await asyncio.gather(*(simulation.run(c, gate) for c in planned)))
            report.unfinished = await simulation.wait_for_all(survey_window.total_seconds() + FINISH_GRACE_S)
            for result in report.results:
                result.outcome = simulation.outcomes.get(result.ticket_id)
        finally:
            await simulation.stop_unfinished()  # interrupted: leave nothing running without a worker
    report.seconds = time.monotonic() - began
    return report


async def _connect(settings: Settings) -> Client:
    where = settings.temporal_address
    try:
        return await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT_S)
    except (RuntimeError, TimeoutError, OSError) as err:
        raise TemporalUnreachable(
            f"cannot reach Temporal at {where}: start it with `make run` in another terminal, then run "
            f"the simulation again. ({str(err) or type(err).__name__})"
        ) from err


class _Simulation:
    def __init__(
        self,
        client: Client,
        settings: Settings,
        suite: str,
        run_id: str,
        survey_window: timedelta,
        total: int,
        progress: bool,
    ) -> None:
        self._client = client
        self._tandem = TandemClient.from_settings(client, settings)
        self._timeouts = settings.default_timeouts().model_copy(update={"csat_window": survey_window})
        self._prefix = f"sim-{_slug(suite)}"
        self._run_id = run_id
        self._started: list[str] = []
        self._finished: set[str] = set()
        self.outcomes: dict[str, TicketOutcome] = {}
        self._total, self._done, self._progress = total, 0, progress

    async def run(self, conv: PlannedConversation, gate: asyncio.Semaphore) -> ConversationResult:
        ticket_id = f"{self._prefix}-{conv.index}-{self._run_id}"
        result = ConversationResult(conv.index, ticket_id, conv.case.source, conv.case.case_id)
        async with gate:
            self._started.append(ticket_id)
            try:
                await self._converse(conv, result)
            except Exception as err:  # one conversation failing must not stop the others
                result.error = f"{ticket_id}: {type(err).__name__}: {err}"
                await self._close_quietly(ticket_id)
            self._done += 1
            step = max(1, self._total // 10)
            if self._progress and (self._done % step == 0 or self._done == self._total):
                print(f"  {self._done}/{self._total} conversations played")
        return result

    async def _converse(self, conv: PlannedConversation, result: ConversationResult) -> None:
        tandem, tid, case = self._tandem, result.ticket_id, conv.case
        customer = conv.profile.customer(case.product)
        start = TicketStart(ticket_id=tid, customer=customer, timeouts=self._timeouts, simulated=True)
        response = await tandem.send_message(tid, case.message, message_id=f"{tid}-1", start=start)
        result.first_reply = self._kind(response)
        answered, confidence = await self._episode(conv, result, response, episode=1)
        if result.abandoned:
            return
        if conv.reopens(answered):
            result.reopened = True
            text = (scenario.REOPEN_PREFIX + case.message)[:MAX_MESSAGE_CHARS]
            response = await tandem.reopen(tid, text, message_id=f"{tid}-reopen")
            answered, confidence = await self._episode(conv, result, response, episode=2)
        if conv.rates():
            result.rating = conv.rating(scenario.rating_kind(case, answered, confidence), result.reopened)
            await tandem.submit_csat(tid, result.rating)

    async def _episode(
        self, conv: PlannedConversation, result: ConversationResult, response: SupportResponse, episode: int
    ) -> tuple[bool, float | None]:
        """From the AI's reply to a close; True (and the confidence) when the AI's answer resolved it."""
        tandem, tid = self._tandem, result.ticket_id
        kind = self._kind(response)
        if kind != "escalated" and episode == 1 and conv.abandons():
            result.abandoned = True
            await self._close(tid, result, Resolution.ABANDONED, "system")
            return False, None
        if kind == "answered":
            await self._close(tid, result, Resolution.RESOLVED_BY_AI, "customer")
            return True, response.confidence
        if kind == "unsure":
            ask = scenario.ASK_FOR_PERSON
            asked = await tandem.send_message(tid, ask, message_id=f"{tid}-{episode}-person")
            if self._kind(asked) != "escalated":
                await tandem.request_human(tid)
                await self._until(tid, lambda s: s.state in HUMAN_STATES)
        await self._agent_resolves(conv, result)
        return False, None

    async def _agent_resolves(self, conv: PlannedConversation, result: ConversationResult) -> None:
        tandem, tid, agent = self._tandem, result.ticket_id, conv.agent
        result.escalated = True
        status = await tandem.status(tid)
        result.reasons = list(dict.fromkeys([*result.reasons, *(r.code for r in status.escalation_reasons)]))
        handoff = None
        deadline = time.monotonic() + HANDOFF_WAIT_S
        while handoff is None and time.monotonic() < deadline:  # an agent opens the ticket from its handoff
            handoff = await tandem.handoff(tid)
            if handoff is None:
                await asyncio.sleep(0.1)
        await tandem.take_over(tid, agent)
        result.agent = agent
        suggested = handoff.suggested_reply if handoff else None
        if suggested is not None and suggested.sources and suggested.text.strip():
            text = suggested.text[:MAX_MESSAGE_CHARS]
        else:
            text = GENERIC_AGENT_REPLY.format(name=conv.profile.name)
        await tandem.reply(tid, agent, text, message_id=f"{tid}-{agent}-{int(result.reopened) + 1}")
        await self._close(tid, result, Resolution.RESOLVED_BY_HUMAN, agent)

    async def _close(self, tid: str, result: ConversationResult, resolution: Resolution, by: str) -> None:
        await self._tandem.close(tid, resolution, by=by)
        result.resolution, result.closed_by = resolution, by

    def _kind(self, response: SupportResponse) -> str:
        # A person has it (a handoff, or the rollout sent the ticket straight to people), the AI said it
        # was not sure (an abstention cites nothing), or the AI answered with sources.
        if response.escalation.escalate or response.state is not ConversationState.AI_ACTIVE:
            return "escalated"
        if response.author is Author.AI and response.sources:
            return "answered"
        return "unsure"

    async def _until(self, tid: str, done, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while not done(await self._tandem.status(tid)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"ticket {tid} did not reach the expected state")
            await asyncio.sleep(0.05)

    async def _close_quietly(self, tid: str) -> None:
        with contextlib.suppress(Exception):
            await self._tandem.close(tid, Resolution.ABANDONED, by="system")

    async def wait_for_all(self, timeout_s: float) -> int:
        """Wait for every simulated conversation to end (its survey window closes); terminate the rest."""

        async def finish(tid: str) -> None:
            handle = self._client.get_workflow_handle(workflow_id(tid), result_type=TicketOutcome)
            with contextlib.suppress(Exception):
                self.outcomes[tid] = await handle.result()
            self._finished.add(tid)

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(finish(t) for t in self._started)), timeout_s)
        return await self.stop_unfinished()

    async def stop_unfinished(self) -> int:
        left = [t for t in self._started if t not in self._finished]
        for tid in left:
            with contextlib.suppress(Exception):
                await self._close_quietly(tid)
                await self._client.get_workflow_handle(workflow_id(tid)).terminate(
                    reason="tandem simulate stopped before this conversation finished"
                )
            self._finished.add(tid)
        return len(left)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-")[:40] or "suite"
