"""The worker's build id: a digest of Tandem's source and the SDK's version.

Temporal's default hashes the bytecode of every module loaded in the process (about 1,200 in a worker), which
took 0.2-0.3 s of every worker start-up, paid again after each restart, and differed between a workflow
process and an activity process of the same build. Hashing the source files of the given packages names the
same build the same way in every process, changes whenever the code or the SDK does, and takes milliseconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType


def build_id(packages: Iterable[ModuleType], sdk_version: str) -> str:
    """A hex digest of every `.py` file under the `packages` (each by its path inside its package) and of
    `sdk_version`."""
    digest = hashlib.sha256(sdk_version.encode())
    for package in packages:
        for root in map(Path, package.__path__):  # a package's folders (several for a namespace package)
            for path in sorted(root.rglob("*.py")):
                digest.update(f"{package.__name__}/{path.relative_to(root).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
