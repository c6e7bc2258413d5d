"""The worker's glibc malloc settings: applied unless the deployment sets its own (each case in a fresh
interpreter: malloc settings are for the life of a process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc settings (Linux)")

_APPLY = "import json; from tandem.malloc_tuning import tune_malloc; print(json.dumps(tune_malloc()))"


def _applied(**environment: str) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | environment
    done = subprocess.run([sys.executable, "-c", _APPLY], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_two_arenas_and_a_fixed_mmap_threshold_by_default() -> None:
    assert _applied() == {"MALLOC_ARENA_MAX": 2, "MALLOC_MMAP_THRESHOLD_": 128 * 1024}


def test_a_deployments_own_settings_win() -> None:
    assert _applied(MALLOC_ARENA_MAX="4") == {"MALLOC_MMAP_THRESHOLD_": 128 * 1024}
    assert _applied(MALLOC_MMAP_THRESHOLD_="65536") == {"MALLOC_ARENA_MAX": 2}
