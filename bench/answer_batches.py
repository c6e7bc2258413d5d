"""Every answers batch scored at once, with pooled totals for the batches read for error analysis and for the
held-out ones. Prints JSON; never prints an item (held-out batches are reported as totals only).

    .venv/bin/python bench/answer_batches.py [--out FILE]

Batches: `../shared/data/rho_bank` (when present) and `data/eval/rho_answers*`. A batch is held out when its
README says "**Use: held out. Never read"; the others have been read. Rates as `tandem eval --part answers`
gives them (`tandem.evaluation.answers.answer_metrics`). Each batch runs in its own process, two at a time.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from harness import report

from tandem.evaluation.answers import answer_metrics
from tandem.evaluation.runner import AnswersPart, run_suite
from tandem.evaluation.suite import AnswerCase, load_suite

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT_MARK = "**Use: held out. Never read"


def batches() -> list[Path]:
    found = sorted(p.parent for p in (ROOT / "data" / "eval").glob("rho_answers*/answers.jsonl"))
    shared = ROOT.parent / "shared" / "data" / "rho_bank"
    return ([shared] if (shared / "answers.jsonl").is_file() else []) + found


def held_out(batch: Path) -> bool:
    readme = batch / "README.md"
    return readme.is_file() and HELD_OUT_MARK in readme.read_text(encoding="utf-8")


def verdicts(batch: Path) -> list[tuple[AnswerCase, str]]:
    """Each item of the batch with its verdict, as `tandem eval --part answers` scores it."""
    suite = load_suite(batch)
    result = run_suite(suite, [AnswersPart()])
    return list(
        zip(suite.answers or [], (item["verdict"] for item in result.parts["answers"].details), strict=True)
    )


def rates(scored: Sequence[tuple[AnswerCase, str]]) -> dict[str, object]:
    """`tandem eval`'s answer metrics over the items."""
    return {"items": len(scored), **answer_metrics([c for c, _ in scored], [v for _, v in scored])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    found = batches()
    with ProcessPoolExecutor(2) as pool:
        scored = dict(zip(found, pool.map(verdicts, found), strict=True))
    groups: dict[str, list[tuple[AnswerCase, str]]] = {"read": [], "held_out": []}
    per_batch = {}
    for batch, items in scored.items():
        group = "held_out" if held_out(batch) else "read"
        groups[group] += items
        per_batch[batch.name] = {"group": group, **rates(items)}
    report({"batches": per_batch, **{name: rates(items) for name, items in groups.items()}}, args.out)


if __name__ == "__main__":
    main()
