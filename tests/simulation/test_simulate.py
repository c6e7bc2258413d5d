"""`tandem simulate` on a real dev server and a real store: every simulated ticket ends where the script says.

The fixture suite has three escalation rows and three ticket queries. With the bundled help center the AI
answers the three banking questions, says it is not sure about the pizza and the unrecognised payments, and
hands the explicit request for a person straight over. Seed 21 also makes one customer go silent, two reopen
and one skip the survey, so every path of the script runs.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tandem.contracts import Author, ConversationState, Resolution
from tandem.evaluation.suite import load_suite
from tandem.reporting.gap_filter import GapFilter
from tandem.reporting.review import content_gaps
from tandem.settings import Settings
from tandem.simulation import SimulationReport, run_simulation, scenario, simulate
from tandem.store import TicketStore

SUITE = Path(__file__).parent / "fixtures" / "mini"
SEED = 21


@pytest.fixture(scope="module")
def sim_settings(local_env: WorkflowEnvironment, settings: Settings, store: TicketStore) -> Settings:
    """The test dev server and the test store (help center and ticket history ingested by `store`)."""
    address = local_env.client.service_client.config.target_host
    return settings.model_copy(update={"temporal_address": address})


async def _simulate(sim_settings: Settings, seed: int = SEED) -> SimulationReport:
    return await simulate(sim_settings, SUITE, 6, seed, survey_window=timedelta(seconds=3), progress=False)


@pytest.fixture(scope="module")
async def report(sim_settings: Settings) -> SimulationReport:
    return await _simulate(sim_settings)


async def test_every_conversation_ends_in_the_store_as_played(report: SimulationReport, store: TicketStore):
    assert len(report.results) == 6 and report.unfinished == 0
    assert [r.error for r in report.results] == [None] * 6
    for r in report.results:
        ticket = store.get_ticket(r.ticket_id)
        assert ticket is not None, r.ticket_id
        assert r.ticket_id.startswith("sim-mini-") and ticket.customer_id.startswith("sim-")
        assert ticket.state is ConversationState.CLOSED and ticket.resolution is r.resolution
        assert ticket.resolution_text is None, "simulated tickets must not become similar-ticket history"
        # The workflow itself finished (its survey window closed) with the same outcome.
        assert r.outcome is not None
        assert (r.outcome.resolution, r.outcome.closed_by) == (r.resolution, r.closed_by)
        assert r.outcome.reopened == int(r.reopened)
        assert [c.rating for c in store.csat(r.ticket_id)] == ([r.rating] if r.rating else [])
        assert (r.outcome.csat.rating if r.outcome.csat else None) == r.rating
        if r.abandoned:
            assert (r.resolution, r.closed_by, r.rating) == (Resolution.ABANDONED, "system", None)
        elif r.resolution is Resolution.RESOLVED_BY_AI:
            assert r.closed_by == "customer"
            assert any(e.author is Author.AI for e in store.transcript(r.ticket_id))


async def test_escalated_tickets_are_taken_over_and_closed_by_the_simulated_agent(
    report: SimulationReport, store: TicketStore
):
    escalated = [r for r in report.results if r.escalated]
    assert escalated
    for r in escalated:
        assert r.agent in scenario.AGENTS and r.reasons
        assert store.escalations(r.ticket_id), "the escalation was recorded"
        transcript = store.transcript(r.ticket_id)
        assert any(e.author is Author.AGENT and e.author_name == r.agent for e in transcript)
        if r.resolution is Resolution.RESOLVED_BY_HUMAN:
            ticket = store.get_ticket(r.ticket_id)
            assert ticket is not None and ticket.agent == r.agent and r.closed_by == r.agent
    explicit = next(r for r in report.results if r.case_id == "e1")
    assert explicit.first_reply == "escalated" and "explicit_request" in explicit.reasons


async def test_the_seed_exercises_every_path(report: SimulationReport):
    results = report.results
    assert {r.first_reply for r in results} == {"answered", "unsure", "escalated"}
    assert any(r.abandoned for r in results)
    assert any(r.reopened and r.rating is not None for r in results)
    assert any(r.resolution is Resolution.RESOLVED_BY_AI and r.rating for r in results)
    assert any(r.rating is None and not r.abandoned for r in results), "someone skips the survey"
    # Everyone who asked for a person after "not sure" got one.
    assert all(r.escalated for r in results if r.first_reply == "unsure" and not r.abandoned)
    summary = report.summary()
    assert "Simulated 6 conversations" in summary and "explicit_request" in summary


async def test_the_same_seed_plays_the_same_conversations(report: SimulationReport, sim_settings: Settings):
    again = await _simulate(sim_settings)
    assert [r.key() for r in again.results] == [r.key() for r in report.results]
    assert {r.ticket_id for r in again.results}.isdisjoint(r.ticket_id for r in report.results)


def test_plan_takes_turns_between_sources_and_uses_every_row_before_repeating():
    suite = load_suite(SUITE)
    plan = scenario.plan(suite, 12, SEED)
    assert plan == scenario.plan(suite, 12, SEED)
    assert [c.case.source for c in plan[:6]] == ["escalation", "ticket_queries"] * 3
    first, second = plan[:6], plan[6:]
    assert sorted(c.case.case_id for c in first) == sorted(c.case.case_id for c in second)
    assert [c.case.case_id for c in scenario.plan(suite, 6, SEED + 1)] != [c.case.case_id for c in first]
    labels = {c.case.case_id: c.case.answerable for c in plan}
    assert labels["e1"] is False and labels["e2"] is True and labels["q1"] is None


async def test_unreachable_temporal_tells_the_user_to_start_make_run(
    settings: Settings, capsys: pytest.CaptureFixture[str]
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = settings.model_copy(update={"temporal_address": f"127.0.0.1:{port}"})
    code = await asyncio.to_thread(run_simulation, nowhere, SUITE, 2, 0)
    assert code == 1
    assert "make run" in capsys.readouterr().err


async def test_simulated_tickets_are_marked_and_left_out_unless_asked_for(
    report: SimulationReport, store: TicketStore
) -> None:
    ids = {r.ticket_id for r in report.results}
    assert not ids & {t.ticket_id for t in store.ticket_facts()}, "the report leaves them out"
    assert ids <= {t.ticket_id for t in store.ticket_facts(include_simulated=True)}
    assert not ids & {e.ticket_id for e in store.ai_events()}, "so does the review"
    assert ids & {e.ticket_id for e in store.ai_events(include_simulated=True)}
    assert not ids & {t.ticket_id for t in store.resolved_tickets()}, "and the similar-ticket history"


async def test_content_gaps_of_a_simulation_hold_no_greeting_weather_or_injection(
    sim_settings: Settings, store: TicketStore
) -> None:
    played = await simulate(
        sim_settings, SUITE.parent / "chatter", 6, 0, survey_window=timedelta(seconds=3), progress=False
    )
    ids = {r.ticket_id for r in played.results}
    events = [e for e in store.ai_events(include_simulated=True) if e.ticket_id in ids]
    unanswered = {e.detail for e in events if e.kind in ("abstained", "no_article")}
    assert any("weather" in q for q in unanswered), "the AI could not answer it: a candidate gap"
    gaps = content_gaps(events, keep=GapFilter(store.list_articles()).keeps)
    asked = [q for gap in gaps for q in gap.questions]
    assert not [q for q in asked if "weather" in q or q == "hi there" or "Ignore previous" in q], asked
    assert any("Roth IRA" in q for q in asked) and any("mortgage" in q for q in asked), asked
