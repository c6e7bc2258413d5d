"""Time `ingest_path` on the sample help center (698 Rho-Bank articles) into a fresh SQLite store.

    .venv/bin/python bench/ingest.py [--repeat N] [--path data/helpcenter/rho_bank/kb.jsonl]

Prints JSON: the first ingest into an empty store and a re-ingest of the unchanged file (best and median
seconds over N fresh stores), with the sync counts of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tandem.knowledge.ingest import IngestReport, ingest_path  # noqa: E402
from tandem.store import TicketStore, create_schema, make_engine  # noqa: E402

DEFAULT_PATH = "data/helpcenter/rho_bank/kb.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default=DEFAULT_PATH, help="relative to the repository root")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.chdir(ROOT)  # sources are stored relative to the current directory

    first: list[float] = []
    again: list[float] = []
    reports: tuple[IngestReport, IngestReport] | None = None
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'tandem.db'}")
            create_schema(engine)
            store = TicketStore(engine)
            started = time.perf_counter()
            initial = ingest_path(store, args.path, progress=False)
            first.append(time.perf_counter() - started)
            started = time.perf_counter()
            repeat = ingest_path(store, args.path, progress=False)
            again.append(time.perf_counter() - started)
            engine.dispose()
        reports = (initial, repeat)
    assert reports is not None
    print(
        json.dumps(
            {
                "path": args.path,
                "database": "sqlite (fresh file per run)",
                "runs": args.repeat,
                "first_ingest": _timing(first, reports[0]),
                "reingest_unchanged": _timing(again, reports[1]),
            },
            indent=2,
        )
    )


def _timing(seconds: list[float], report: IngestReport) -> dict[str, object]:
    counts = report.counts
    return {
        "best_seconds": round(min(seconds), 4),
        "median_seconds": round(statistics.median(seconds), 4),
        "articles": report.articles,
        "added": counts.added,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "deleted": counts.deleted,
    }


if __name__ == "__main__":
    main()
