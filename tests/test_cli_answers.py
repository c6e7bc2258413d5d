"""`tandem answers` and `tandem review` verdicts as processes: approve (refusing customer data), list,
withdraw and the audit trail; a verdict recorded with its facts, and the mistakes refused."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tandem.contracts import TicketRecord
from tandem.store import TicketStore, create_schema, make_engine
from tandem.store.access import AccessStore
from tests.conftest import PROJECT_ROOT


def _tandem(
    db: str, *args: str, command: str = "answers", agent: str = "grace"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tandem", command, *args],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "TANDEM_DATABASE_URL": db, "TANDEM_AGENT": agent},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_approve_list_withdraw(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tandem.db'}"
    refused = _tandem(db, "approve", "--title", "Pausing", "--text", "Mail ada@example.com to pause it.")
    assert refused.returncode == 2 and "customer data" in refused.stderr and "email" in refused.stderr

    made = _tandem(
        db,
        "approve",
        "--title",
        "Pausing a Koala plan",
        "--text",
        "Pause it once a year.",
        "--expires",
        "30d",
    )
    assert made.returncode == 0, made.stderr
    answer_id = made.stdout.split()[1].rstrip(":")
    listed = _tandem(db, "list")
    assert answer_id in listed.stdout and "owner grace" in listed.stdout and "active until" in listed.stdout

    gone = _tandem(db, "withdraw", answer_id)
    assert gone.returncode == 0 and "withdrawn" in gone.stdout
    assert "no approved answers" in _tandem(db, "list").stdout
    assert "withdrawn" in _tandem(db, "list", "--all").stdout
    assert _tandem(db, "withdraw", "A-unknown").returncode == 2

    engine = make_engine(db)
    create_schema(engine)
    assert TicketStore(engine).list_articles() == []
    actions = [(e.actor, e.action, e.detail) for e in AccessStore(engine).audit_trail()]
    assert ("grace", "withdraw_answer", answer_id) in actions and (
        "grace",
        "approve_answer",
        answer_id,
    ) in actions


def test_review_verdicts_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tandem.db'}"

    def review(*args: str) -> subprocess.CompletedProcess[str]:
        return _tandem(db, *args, command="review", agent="rita")

    assert review("--verdict", "answer_wrong").returncode == 2, "a verdict needs its ticket"
    assert review("T-nope", "--verdict", "answer_wrong").returncode == 2
    assert review("T-1", "--verdict", "sort_of").returncode == 2  # not a verdict
    engine = make_engine(db)
    create_schema(engine)
    store = TicketStore(engine)
    store.open_ticket(
        TicketRecord(
            ticket_id="T-1", customer_id="c-1", product=None, subject="", opened_at=datetime.now(UTC)
        )
    )
    made = review(
        "T-1", "--verdict", "answer_wrong", "--must", "$25", "--content-gap", "--note", "fee is $25"
    )
    assert made.returncode == 0 and "recorded answer_wrong for T-1 by rita" in made.stdout
    [verdict] = store.reviews("T-1")
    assert (verdict.verdict, verdict.must, verdict.content_gap, verdict.note) == (
        "answer_wrong",
        ("$25",),
        True,
        "fee is $25",
    )
