"""`tandem review` round trip on a real store: a verdict is recorded, the ticket leaves the to-do list, the
report counts it, and the export is a suite `tandem eval` accepts and scores."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tandem.contracts import Author, MessageRecord, SourceRef, TicketRecord, TranscriptEntry
from tandem.evaluation.command import run_eval
from tandem.reporting.report import run_report
from tandem.reporting.review import run_review
from tandem.reporting.verdicts import Verdict, export_reviews, record_verdict
from tandem.store import TicketStore, create_schema, make_engine

FIXTURES = Path(__file__).parents[1] / "evaluation" / "fixtures" / "tiny_answers"
OPENED = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _ticket(store: TicketStore, ticket_id: str, *turns: tuple[Author, str, bool]) -> None:
    store.open_ticket(
        TicketRecord(
            ticket_id=ticket_id,
            customer_id=f"c-{ticket_id}",
            product="checking",
            subject="",
            opened_at=OPENED,
        )
    )
    for n, (author, text, cited) in enumerate(turns):
        sources = [SourceRef(id="navy-fees", title="Navy Blue fees")] if cited else []
        entry = TranscriptEntry(
            message_id=f"{ticket_id}-{n}",
            author=author,
            text=text,
            at=OPENED + timedelta(minutes=n),
            sources=sources,
        )
        store.record_message(MessageRecord(ticket_id=ticket_id, entry=entry))


@pytest.fixture
def store(tmp_path: Path) -> TicketStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    return TicketStore(engine)


def test_a_verdict_takes_the_ticket_off_the_list_and_exports_as_a_suite_item(
    store: TicketStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ticket(
        store,
        "T-wrong",
        (Author.CUSTOMER, "I have the Navy Blue Account.", False),
        (Author.AI, "Thanks, what would you like to know?", False),
        (Author.CUSTOMER, "What is the monthly maintenance fee?", False),
        (Author.AI, "The monthly maintenance fee is $20. [1]", True),
    )
    _ticket(
        store,
        "T-unsure",
        (Author.CUSTOMER, "Can I get a car loan?", False),
        (Author.AI, "I'm not sure.", False),
    )
    for ticket in ("T-wrong", "T-unsure"):
        store.record_ai_event(ticket, f"e-{ticket}", OPENED, "abstained", "a question")
    run_review(store)
    listed = capsys.readouterr().out
    assert "T-wrong" in listed and "T-unsure" in listed

    assert record_verdict(store, "T-nope", "answer_wrong", "rita") == 2
    assert (
        record_verdict(
            store, "T-wrong", Verdict.ANSWER_WRONG, "rita", "fee is $25", must=["$25"], must_not=["$20"]
        )
        == 0
    )
    assert record_verdict(store, "T-unsure", Verdict.SHOULD_HAVE_ESCALATED, "rita") == 0
    capsys.readouterr()
    run_review(store)
    listed = capsys.readouterr().out
    assert "T-wrong" not in listed and "T-unsure" not in listed, "reviewed tickets leave the to-do list"
    assert "should have escalated 1" in listed

    run_report(store, now=OPENED + timedelta(days=1), html_path=tmp_path / "report.html")
    assert "AI answers judged right 0 of 1 (0%)" in capsys.readouterr().out
    assert "AI answers judged right 0 of 1 (0%)" in (tmp_path / "report.html").read_text()

    suite = tmp_path / "reviewed"
    suite.mkdir()
    shutil.copy(FIXTURES / "kb.jsonl", suite / "kb.jsonl")
    assert export_reviews(store, suite / "answers.jsonl") == 0
    items = {i["id"]: i for i in map(json.loads, (suite / "answers.jsonl").read_text().splitlines())}
    assert items["review-T-wrong"] == {
        "id": "review-T-wrong",
        "product": "checking",
        "account": {},
        "history": ["I have the Navy Blue Account."],
        "question": "What is the monthly maintenance fee?",
        "expect": "answer",
        "must": ["$25"],
        "must_not": ["$20"],
        "source": [],
    }
    assert items["review-T-unsure"]["expect"] == "abstain" and items["review-T-unsure"]["must"] == []

    capsys.readouterr()
    assert run_eval(suite, as_json=True, only=["answers"]) == 0
    scored = json.loads(capsys.readouterr().out)["answers"]
    assert set(scored) >= {"correct_rate", "wrong_rate", "abstain_ok_rate"}
