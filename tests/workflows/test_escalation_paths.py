"""Escalation paths through the workflow: weighed signals, rollout modes, and silence from the AI while a
person is on the way."""

from __future__ import annotations

import asyncio

from tandem.client import TandemClient
from tandem.contracts import AgentDraft, AiMode, Author, ConversationState
from tandem.store import TicketStore
from tests.conftest import new_ticket, wait_for_state


async def _wait_for_draft(client: TandemClient, tid: str) -> AgentDraft | None:
    """The draft is prepared after the update returns; poll for it (None if none comes within ~5 s)."""
    for _ in range(100):
        draft = await client.draft(tid)
        if draft is not None:
            return draft
        await asyncio.sleep(0.05)
    return None


async def test_repeated_failure_escalates_on_weighed_signals(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket()
    tid = start.ticket_id
    first = await local_tandem.send_message(
        tid, "What's the weather going to be like on Mars next Tuesday?", start=start
    )
    second = await local_tandem.send_message(tid, "And how windy will it be on Jupiter tomorrow?")

    assert not first.escalation.escalate, "one unsure answer only offers a person"
    assert second.escalation.escalate and second.state is ConversationState.WAITING_FOR_HUMAN
    codes = {r.code for r in second.escalation.reasons}
    assert "repeated_failure" in codes and "explicit_request" not in codes
    assert [e.trigger for e in store.escalations(tid)] == ["turn"]


async def test_no_ai_reply_while_waiting_for_a_person(local_tandem: TandemClient, store: TicketStore) -> None:
    start = new_ticket(product="credit_cards")
    tid = start.ticket_id
    await local_tandem.open_ticket(start)
    await local_tandem.request_human(tid)
    await wait_for_state(local_tandem, tid, ConversationState.WAITING_FOR_HUMAN)

    held = await local_tandem.send_message(tid, "What rewards does the gold credit card give?")

    assert held.author is Author.SYSTEM and held.sources == []
    assert held.state is ConversationState.WAITING_FOR_HUMAN
    assert Author.AI not in {e.author for e in store.transcript(tid)}


async def test_shadow_mode_sends_nothing_and_drafts_for_people(local_tandem: TandemClient) -> None:
    start = new_ticket(product="credit_cards").model_copy(update={"ai_mode": AiMode.SHADOW})
    tid = start.ticket_id
    held = await local_tandem.send_message(
        tid, "What is the annual fee for the Platinum Rewards Card?", start=start
    )
    status = await local_tandem.status(tid)

    assert held.author is Author.SYSTEM and status.state is ConversationState.WAITING_FOR_HUMAN
    assert "shadow_mode" in {r.code for r in status.escalation_reasons}
    draft = await _wait_for_draft(local_tandem, tid)
    assert draft is not None and draft.sources, "in shadow mode the AI drafts for the person"
    assert "$200" in draft.text
    sent = await local_tandem.transcript(tid)
    assert not any("$200" in e.text for e in sent), "in shadow mode the draft is never sent"


async def test_ai_off_goes_straight_to_people_without_drafts(local_tandem: TandemClient) -> None:
    start = new_ticket().model_copy(update={"ai_mode": AiMode.OFF})
    tid = start.ticket_id
    held = await local_tandem.send_message(tid, "How do I open a savings account?", start=start)
    status = await local_tandem.status(tid)
    assert held.author is Author.SYSTEM and "ai_off" in {r.code for r in status.escalation_reasons}
    assert await local_tandem.draft(tid) is None


async def test_a_human_only_category_goes_to_people_after_the_first_message(
    local_tandem: TandemClient,
) -> None:
    start = new_ticket().model_copy(update={"human_only_categories": ["card_arrival"]})
    held = await local_tandem.send_message(start.ticket_id, "My new card still hasn't arrived", start=start)
    status = await local_tandem.status(start.ticket_id)
    assert status.category == "card_arrival" and held.author is Author.SYSTEM
    assert status.state is ConversationState.WAITING_FOR_HUMAN
    assert "ai_off" in {r.code for r in status.escalation_reasons}


async def test_the_draft_answers_the_real_question_not_the_request_for_a_person(
    local_tandem: TandemClient,
) -> None:
    start = new_ticket(product="checking_accounts")
    tid = start.ticket_id
    question = await local_tandem.send_message(
        tid, "How much travel insurance coverage does the Purple Account include?", start=start
    )
    await local_tandem.send_message(tid, "I want to talk to a person")
    draft = await _wait_for_draft(local_tandem, tid)
    assert draft is not None and draft.sources, "an 'I'm not sure' draft would help nobody"
    assert draft.for_message_id == question.message_id
    assert "$30,000" in draft.text


async def test_a_shadow_ticket_handed_back_still_goes_to_people(local_tandem: TandemClient) -> None:
    start = new_ticket(product="credit_cards").model_copy(update={"ai_mode": AiMode.SHADOW})
    tid = start.ticket_id
    await local_tandem.send_message(tid, "What rewards does the gold credit card give?", start=start)
    await local_tandem.take_over(tid, "grace")
    await local_tandem.hand_back(tid, "grace")
    held = await local_tandem.send_message(tid, "And the platinum card?")
    assert held.author is Author.SYSTEM and held.state is ConversationState.WAITING_FOR_HUMAN


async def test_the_agents_draft_names_the_internal_procedure_the_customer_never_sees(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    start = new_ticket().model_copy(update={"ai_mode": AiMode.SHADOW})
    tid = start.ticket_id
    await local_tandem.send_message(tid, "How do I open a personal checking account?", start=start)
    draft = await _wait_for_draft(local_tandem, tid)
    assert draft is not None
    assert "Internal: Opening Personal Checking Accounts" in [p.title for p in draft.procedures]
    assert all(p.internal for p in draft.procedures) and not any(s.internal for s in draft.sources)
    assert "Internal" not in draft.text
