"""Built indexes kept on disk, so a worker that restarts (after a crash, a deploy, a scale-out) answers in
about a second instead of rebuilding its indexes from the store (seconds, mostly lexicon mining and
category-model training).

A snapshot is named by what it was built from: the store's version stamp, the embedder, and a fingerprint of
this package's code, so new articles, another embedder or a new Tandem version are never served from an old
snapshot. Snapshots are pickles under the worker's own index directory (the same trust as its database:
nobody else may write there); one that cannot be read is rebuilt and replaced."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
KEEP = 2  # snapshots per index kind: the current one and the one before (a rolling deploy may read it)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def path_for(index_dir: Path, kind: str, version: str, embedder: str) -> Path:
    key = hashlib.sha256(f"{kind}\n{version}\n{embedder}\n{code_fingerprint()}".encode()).hexdigest()[:24]
    return index_dir / "snapshots" / f"{kind}-{key}.pickle"


def load(path: Path) -> Any | None:
    try:
        with path.open("rb") as snapshot:
            return pickle.load(snapshot)
    except FileNotFoundError:
        return None
    except Exception as err:  # a torn or foreign file: rebuild rather than fail the worker
        log.warning("ignoring unreadable index snapshot %s: %s", path, err)
        return None


def save(path: Path, index: Any) -> None:
    """Write atomically (a concurrent reader sees the old file or the new one), and drop old snapshots."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as out:
            pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, path)
    except OSError as err:
        log.warning("could not keep an index snapshot at %s: %s", path, err)
        return
    kind = path.name.split("-", 1)[0]
    older = sorted(path.parent.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[KEEP:]:
        stale.unlink(missing_ok=True)
