"""The first-message evaluation on tiny suites: metric math, the keyword baseline, the output shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.escalation.evaluate import SuiteFormatError, evaluate_escalation, keyword_baseline, prf
from tandem.knowledge.embeddings import WordLlamaEmbedder

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_metric_math_on_a_suite_without_topics() -> None:
    result = evaluate_escalation(FIXTURES / "tiny_suite")
    # Engine: the three requests for a person or a complaint are caught (TP 3); "worst service ... !!!" is
    # frustration alone, which does not escalate a first message (FN 1); no false alarm. P 1, R 3/4.
    assert result["escalation"] == {"precision": 1.0, "recall": 0.75, "f1": 0.8571}
    # Keyword rule: "human" and "complain" hit (TP 2); "cancel", "agent" (travel agent) and "frustrated"
    # fire on three messages that need no person (FP 3); two escalations have no keyword (FN 2).
    assert result["baseline"] == {"precision": 0.4, "recall": 0.5, "f1": 0.4444}
    assert (result["messages"], result["positives"], result["topics"]) == (8, 4, 0)
    assert set(result["latency"]) == {"build_seconds", "mean_ms", "p95_ms"}


def test_suite_with_topic_and_history() -> None:
    result = evaluate_escalation(FIXTURES / "tiny_topic_suite", embedder=WordLlamaEmbedder())
    assert result["topic_mode"] == "history"
    assert result["history_tickets"] == 99  # the ticket that is also a judged message is left out
    assert result["escalation"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert result["baseline"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert json.loads(json.dumps(result)) == result  # plain JSON for `tandem eval --json`


@pytest.mark.parametrize(
    ("predicted", "truth", "expected"),
    [
        ([True, True, False, False], [True, False, True, False], (0.5, 0.5, 0.5)),
        ([False, False], [True, False], (0.0, 0.0, 0.0)),  # nothing predicted: precision undefined -> 0
        ([True, False], [False, False], (0.0, 0.0, 0.0)),  # no positives: recall undefined -> 0
        ([True, True, True], [True, True, False], (0.6667, 1.0, 0.8)),
    ],
)
def test_prf(predicted: list[bool], truth: list[bool], expected: tuple[float, float, float]) -> None:
    assert tuple(prf(predicted, truth).values()) == expected


def test_keyword_baseline_is_the_readme_rule() -> None:
    assert keyword_baseline("I'm FRUSTRATED") and keyword_baseline("my travel agent")
    assert keyword_baseline("Complaints department") and keyword_baseline("cancellation fee")
    assert not keyword_baseline("Where is my parcel?")


def test_bad_suite_line_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "escalation.jsonl").write_text(
        '{"id": "e0", "message": "hi", "escalate": false}\n'
        '{"id": "e1", "message": "hi", "escalate": "yes"}\n',
        encoding="utf-8",
    )
    with pytest.raises(SuiteFormatError, match=r"escalation.jsonl:2: field 'escalate'"):
        evaluate_escalation(tmp_path)
