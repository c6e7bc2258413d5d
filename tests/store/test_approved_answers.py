"""Approved answers in the store (SQLite and PostgreSQL): an answer is an article while active, and stops
being handed out for quoting the moment it is withdrawn or expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tandem.contracts import TicketRecord
from tandem.knowledge.approved import APPROVED_CATEGORY, APPROVED_SOURCE, NotApprovable
from tandem.store import TicketStore, UnknownAnswerError, UnknownTicketError
from tandem.store.models import ArticleRow
from tandem.store.types import utcnow

ANSWER = "You can pause a Koala plan once a year for up to 60 days from the Plans tab."


def quotable(store: TicketStore) -> tuple[list[str], list[str]]:
    every = [a.id for a in store.list_articles(include_flagged=True)]
    return [a.id for a in store.list_articles()], sorted(store.get_articles(every))


def test_an_approved_answer_is_an_article_until_it_is_withdrawn(store: TicketStore) -> None:
    before = store.knowledge_version()
    answer = store.approve_answer(title="Pausing a Koala plan", body=ANSWER, owner="ana", product="plans")
    [article] = store.list_articles()
    assert (article.title, article.body, article.product) == ("Pausing a Koala plan", ANSWER, "plans")
    assert (article.category, article.source) == (APPROVED_CATEGORY, APPROVED_SOURCE)
    assert store.knowledge_version() != before
    assert [a.answer_id for a in store.approved_answers()] == [answer.answer_id]

    approved = store.knowledge_version()
    withdrawn = store.withdraw_answer(answer.answer_id, "ben")
    assert withdrawn.withdrawn_by == "ben" and withdrawn.withdrawn_at is not None
    assert quotable(store) == ([], []) and store.approved_answers() == []
    assert store.knowledge_version() != approved
    assert [a.answer_id for a in store.approved_answers(include_inactive=True)] == [answer.answer_id]
    assert store.withdraw_answer(answer.answer_id, "cy").withdrawn_by == "ben"  # twice changes nothing
    with pytest.raises(UnknownAnswerError):
        store.withdraw_answer("A-missing", "ben")


def test_an_expired_answer_is_neither_indexed_nor_quoted_and_moves_the_version(store: TicketStore) -> None:
    answer = store.approve_answer(
        title="Koala summer offer", body=ANSWER, owner="ana", expires_at=utcnow() + timedelta(hours=1)
    )
    assert quotable(store) == ([f"answer/{answer.answer_id}"], [f"answer/{answer.answer_id}"])
    live = store.knowledge_version()
    with store._session() as s:  # the hour passes
        s.exec(update(ArticleRow).values(expires_at=utcnow() - timedelta(seconds=1)))  # type: ignore[call-overload]
        s.commit()
    assert quotable(store) == ([], []) and store.knowledge_version() != live
    with pytest.raises(ValueError, match="future"):
        store.approve_answer(title="t", body=ANSWER, owner="ana", expires_at=utcnow() - timedelta(days=1))


@pytest.mark.parametrize(
    "body",
    [
        "Write to ada@example.com and we will pause it.",
        "Call +1 415 555 0134 to pause it.",
        "Read the card number 4111 1111 1111 1111 to us.",
        "Same as in T-9f3a2c: pause it from the Plans tab.",
        "Customer c-77 paused it from the Plans tab.",
    ],
)
def test_customer_data_is_refused_and_nothing_is_stored(store: TicketStore, body: str) -> None:
    store.open_ticket(
        TicketRecord(ticket_id="T-77", customer_id="c-77", product=None, subject="pause", opened_at=utcnow())
    )
    with pytest.raises(NotApprovable, match="customer data"):
        store.approve_answer(title="Pausing", body=body, owner="ana", from_ticket_id="T-77")
    assert store.list_articles() == [] and store.approved_answers(include_inactive=True) == []


def test_an_unknown_source_ticket_is_refused(store: TicketStore) -> None:
    with pytest.raises(UnknownTicketError):
        store.approve_answer(title="Pausing", body=ANSWER, owner="ana", from_ticket_id="T-nope")


def test_the_approved_answers_source_is_not_synced_or_removed_as_a_whole(store: TicketStore) -> None:
    store.approve_answer(title="Pausing a Koala plan", body=ANSWER, owner="ana")
    with pytest.raises(ValueError, match="tandem answers withdraw"):
        store.remove_source(APPROVED_SOURCE)
    with pytest.raises(ValueError, match="tandem answers withdraw"):
        store.sync_articles(APPROVED_SOURCE, [])
    assert len(store.list_articles()) == 1


@pytest.mark.parametrize(
    "body",
    [
        "The spring offer ends 2026-12-31 10:00 UTC.",
        "Transfers of up to $1,000,000 a day are possible.",
        "Replacement cards arrive in 5 to 7 business days.",
    ],
)
def test_dates_amounts_and_periods_are_no_customer_data(store: TicketStore, body: str) -> None:
    answer = store.approve_answer(title="Offer", body=body, owner="ana")
    assert answer.body == body
