"""A small version of bench/chaos.py: a few conversations while the worker is SIGKILLed twice and the
Temporal server restarts once. Nothing is lost or duplicated, no workflow fails, every conversation has a
next step, and no caller sees anything but the client's documented errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def test_kills_and_a_server_restart_lose_nothing(tmp_path: Path) -> None:
    out = tmp_path / "chaos.json"
    command = [sys.executable, "bench/chaos.py", "--conversations", "4", "--messages", "2", "--kills", "2"]
    subprocess.run(
        [*command, "--out", str(out)], cwd=PROJECT_ROOT, check=True, timeout=600, capture_output=True
    )
    result = json.loads(out.read_text())
    assert result["messages"] == 8
    assert (
        result["lost"],
        result["duplicated"],
        result["failed_workflows"],
        result["without_next_step"],
    ) == (
        0,
        0,
        0,
        0,
    )
    assert not any(kind.startswith("undocumented") for kind in result["errors_reaching_callers"])
