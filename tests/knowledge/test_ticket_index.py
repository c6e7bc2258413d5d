"""TicketIndex: similar-ticket search and category prediction on real banking77/bitext tickets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.loaders import load_tickets_jsonl
from tandem.knowledge.ticket_index import RESOLUTION_CHARS, TicketIndex

SHARED = Path(__file__).resolve().parents[2] / "data" / "tickets"  # copies of the suites' ticket files


@pytest.fixture(scope="module")
def banking77() -> tuple[list[ResolvedTicket], TicketIndex]:
    tickets = load_tickets_jsonl(SHARED / "banking77" / "tickets.jsonl")
    return tickets, TicketIndex(tickets)


def test_predicts_the_category_of_banking77_messages(
    banking77: tuple[list[ResolvedTicket], TicketIndex],
) -> None:
    _, index = banking77
    assert index.predict_category("My new card still hasn't arrived in the mail, when will I get it?") == (
        "card_arrival"
    )
    lines = (SHARED / "banking77" / "ticket_queries.jsonl").read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line) for line in lines[:300]]
    correct = sum(index.predict_category(q["query"]) == q["category"] for q in queries)
    assert correct / len(queries) >= 0.7  # plain BM25 reaches ~0.78 on the whole file


def test_category_filter_and_ranking(banking77: tuple[list[ResolvedTicket], TicketIndex]) -> None:
    _, index = banking77
    results = index.search(
        "I was charged twice for the same purchase", category="transaction_charged_twice", limit=5
    )
    assert len(results) == 5
    assert {r.category for r in results} == {"transaction_charged_twice"}
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_exclude_ticket_id_removes_the_ticket_itself(
    banking77: tuple[list[ResolvedTicket], TicketIndex],
) -> None:
    tickets, index = banking77
    ticket = tickets[1234]
    assert index.search(ticket.body, limit=1)[0].ticket_id == ticket.ticket_id
    excluded = index.search(ticket.body, limit=20, exclude_ticket_id=ticket.ticket_id)
    assert excluded and ticket.ticket_id not in {r.ticket_id for r in excluded}


def test_resolutions_are_truncated_prefixes() -> None:
    tickets = load_tickets_jsonl(SHARED / "bitext" / "tickets.jsonl")
    index = TicketIndex(tickets)
    by_id = {t.ticket_id: t for t in tickets}
    results = index.search("I want to cancel my order and get a refund", limit=10)
    assert results
    truncated = 0
    for result in results:
        full = by_id[result.ticket_id].resolution
        assert len(result.resolution) <= RESOLUTION_CHARS + 1
        if result.resolution.endswith("…"):
            truncated += 1
            assert full.startswith(result.resolution[:-1])
            assert "\n" in result.resolution  # line breaks (list structure) survive truncation
        else:
            assert result.resolution == full
    assert truncated > 0  # bitext answers are longer than the limit


def test_vote_weighs_several_good_hits_over_one_best_hit() -> None:
    index = TicketIndex(
        [
            ResolvedTicket("a", "card refund", "card refund", "r", category="A"),
            ResolvedTicket("b1", "card refund delayed", "card refund delayed", "r", category="B"),
            ResolvedTicket("b2", "card refund status", "card refund status", "r", category="B"),
            ResolvedTicket("c", "loan rates", "loan rates", "r", category="C"),
        ]
    )
    assert index.search("card refund", limit=1)[0].ticket_id == "a"
    assert index.predict_category("card refund", k=1) == "A"
    assert index.predict_category("card refund", k=3) == "B"


def test_no_match_gives_nothing() -> None:
    index = TicketIndex([ResolvedTicket("a", "card refund", "card refund", "r", category="A")])
    assert index.search("mortgage", limit=3) == []
    assert index.predict_category("mortgage") is None
    assert TicketIndex([]).search("card", limit=3) == []
    assert TicketIndex([]).predict_category("card") is None
