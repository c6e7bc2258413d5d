"""`tandem answers` as a process: approve (refusing customer data), list, withdraw, and the audit trail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tandem.store import TicketStore, create_schema, make_engine
from tandem.store.access import AccessStore
from tests.conftest import PROJECT_ROOT


def _tandem(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tandem", "answers", *args],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "TANDEM_DATABASE_URL": db, "TANDEM_AGENT": "grace"},
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
