"""A person's resolution becomes the team's approved answer: the next customer who asks the same thing in
other words is answered with it, cited as the support team's answer (never as a ticket); once withdrawn, no
reply quotes it."""

from __future__ import annotations

import uuid

from tandem.client import TandemClient
from tandem.contracts import Author, Resolution
from tandem.knowledge.approved import TEAM_PREFIX
from tandem.store import TicketStore
from tests.conftest import new_ticket

NOTE = "Koala plans can be paused once a year for up to 60 days: open the Plans tab and tap Pause."


async def test_an_approved_resolution_answers_the_next_customer_until_it_is_withdrawn(
    local_tandem: TandemClient, store: TicketStore
) -> None:
    product = f"koala_{uuid.uuid4().hex[:6]}"  # no help-center article is about it
    first = new_ticket(product=product)
    reply = await local_tandem.send_message(first.ticket_id, "Can I pause my Koala plan?", start=first)
    assert reply.sources == [] and "60 days" not in reply.text
    await local_tandem.take_over(first.ticket_id, "grace")
    await local_tandem.reply(first.ticket_id, "grace", "Yes: once a year, for up to 60 days.")
    await local_tandem.close(first.ticket_id, Resolution.RESOLVED_BY_HUMAN, by="grace", note=NOTE)

    candidates = {c.ticket_id: c for c in store.answer_candidates()}
    assert candidates[first.ticket_id].resolution == NOTE, "no article answered it: a candidate"
    answer = store.approve_answer(
        title="Pausing a Koala plan",
        body=NOTE,
        owner="grace",
        product=product,
        from_ticket_id=first.ticket_id,
    )
    assert first.ticket_id not in {c.ticket_id for c in store.answer_candidates()}

    second = new_ticket(product=product, name="Lin Wu")
    reply = await local_tandem.send_message(
        second.ticket_id, "is there a way to pause my koala plan, and for how long?", start=second
    )
    assert reply.author is Author.AI and "not sure" not in reply.text, reply.text
    assert "60 days" in reply.text and f"{TEAM_PREFIX}Pausing a Koala plan" in reply.text
    [source] = reply.sources
    assert (source.kind, source.id, source.url) == ("answer", f"answer/{answer.answer_id}", None)
    assert first.ticket_id not in reply.text, "cited as the team's answer, never as the ticket it came from"

    store.withdraw_answer(answer.answer_id, "grace")
    third = new_ticket(product=product, name="Sam Ode")
    reply = await local_tandem.send_message(
        third.ticket_id, "is there a way to pause my koala plan, and for how long?", start=third
    )
    assert "60 days" not in reply.text and all(s.kind != "answer" for s in reply.sources), reply.text
