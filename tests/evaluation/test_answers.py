"""The `answers` part of `tandem eval`: fact matching and scoring as the shared README's "Scoring answers"
defines them, answers.jsonl validation, and the part end to end on the tiny_answers suite (the real service:
WordLlama, SQLite, the turn's own code, the escalation engine)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tandem.cli import main
from tandem.evaluation.answers import answer_metrics, contains_fact, verdict
from tandem.evaluation.command import run_eval
from tandem.evaluation.suite import AnswerCase, SuiteFormatError, load_suite

TINY_ANSWERS = Path(__file__).parent / "fixtures" / "tiny_answers"
RATES = {"correct_rate", "wrong_rate", "abstain_rate", "abstain_ok_rate"}

# --- fact matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("The monthly fee is $20.", "$20"),  # a sentence's full stop is no decimal
        ("Fees: $20, charged monthly", "$20"),
        ("You earn 25,000 points.", "25000"),  # thousands separators removed, both ways
        ("You earn 25000 points.", "25,000"),
        ("The fee is $20.00 per month.", "$20"),  # a trailing .00 / .0 dropped, both ways
        ("The fee is $20 per month.", "$20.00"),
        ("It pays 3.0% APY.", "3%"),
        ("It pays 3% APY.", "3.0%"),
        ("A GRACE PERIOD OF 23 DAYS", "23 days"),  # case-insensitive
        ("within 6\n   months of opening", "6 months"),  # whitespace collapsed
        ("Your limit is $1,500 and $12,500 a month.", "$12,500"),
        ("The answer is $660.", "660"),  # a plain number after a currency sign
    ],
)
def test_a_fact_is_found_as_a_whole_value(text: str, fact: str) -> None:
    assert contains_fact(text, fact)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("The annual fee is $200.", "$20"),  # whole values only
        ("The fee is $20.50.", "$20"),
        ("It pays 13% APY.", "3%"),
        ("It pays 1.5% APY.", "5%"),
        ("It pays 3% APY.", "3"),  # a count is not a rate
        ("The fee is $25.", "$20"),
        ("", "$20"),
        ("The fee is $20.", "  "),  # an empty fact is never found
    ],
)
def test_a_fact_inside_another_value_is_not_found(text: str, fact: str) -> None:
    assert not contains_fact(text, fact)


# --- verdicts and metrics ---------------------------------------------------------------------------

ANSWER = AnswerCase(id="q", question="fee?", expect="answer", must=("$25", "3%"), must_not=("$20",))
ABSTAIN = AnswerCase(id="x", question="poker?", expect="abstain")


def test_a_verdict_needs_every_must_fact_and_no_must_not_fact() -> None:
    assert verdict(ANSWER, "answered", "The fee is $25.00 plus 3.0% of the amount.") == "correct"
    assert verdict(ANSWER, "answered", "The fee is $25.") == "wrong"  # 3% missing
    assert verdict(ANSWER, "answered", "The fee is $25 plus 3%, or $20 for members.") == "wrong"
    assert verdict(ANSWER, "answered", "The fee is $250 plus 3%.") == "wrong"
    # An item the help center does not answer: any answer is wrong, whatever it says.
    assert verdict(ABSTAIN, "answered", "Poker has these rules.") == "wrong"
    # What did not answer keeps its outcome, whatever the text holds.
    for outcome in ("abstained", "handed_over", "clarified"):
        assert verdict(ANSWER, outcome, "The fee is $25 plus 3%.") == outcome
        assert verdict(ABSTAIN, outcome, "") == outcome


def test_answer_metrics_on_a_hand_made_case() -> None:
    answerable = ["correct", "wrong", "abstained", "handed_over", "clarified"]
    unanswerable = ["wrong", "abstained", "clarified"]
    cases = [ANSWER] * len(answerable) + [ABSTAIN] * len(unanswerable)
    assert answer_metrics(cases, answerable + unanswerable) == {
        "correct_rate": 0.2,  # 1 of 5 answerable
        "wrong_rate": 0.6667,  # 2 of the 3 replies that answered (correct, wrong, wrong)
        "abstain_rate": 0.4,  # abstained and handed over, 2 of 5; a clarifying question is neither
        "abstain_ok_rate": 0.3333,  # 1 of 3 unanswerable
    }
    assert answer_metrics([], []) == dict.fromkeys(RATES, 0.0)
    with pytest.raises(ValueError):
        answer_metrics([ANSWER], [])


# --- answers.jsonl ----------------------------------------------------------------------------------

GOOD = {"id": "ok", "question": "What is the fee?", "expect": "answer", "must": ["$20"]}


def test_answers_jsonl_is_read_into_cases(tmp_path: Path) -> None:
    row = {
        **GOOD,
        "product": "checking",
        "account": {"account type": "Blue Account"},
        "history": ["I have the Blue Account."],
        "must_not": ["$25"],
        "source": ["blue-fees"],
    }
    abstain = {"id": "no", "product": None, "question": "Poker?", "expect": "abstain"}
    (tmp_path / "answers.jsonl").write_text(f"{json.dumps(row)}\n\n{json.dumps(abstain)}\n")
    suite = load_suite(tmp_path)
    assert suite.answers == [
        AnswerCase(
            id="ok",
            question="What is the fee?",
            expect="answer",
            product="checking",
            account={"account type": "Blue Account"},
            history=("I have the Blue Account.",),
            must=("$20",),
            must_not=("$25",),
            source=("blue-fees",),
        ),
        AnswerCase(id="no", question="Poker?", expect="abstain"),
    ]


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({**GOOD, "expect": "maybe"}, "field 'expect' must be 'answer' or 'abstain'"),
        ({**GOOD, "must": []}, "needs at least one 'must' fact"),
        ({**GOOD, "account": {"card": 4242}}, "field 'account' must be an object of strings"),
        ({**GOOD, "history": "I have the Blue Account."}, "field 'history' must be a list"),
        ({**GOOD, "must_not": ["$25", ""]}, "field 'must_not' must be a list of non-empty strings"),
        ({**GOOD, "question": ""}, "field 'question' must be a non-empty string"),
        ({**GOOD, "id": "first"}, "duplicate id 'first' (first seen on line 1)"),
    ],
)
def test_a_malformed_answers_line_is_rejected_with_file_and_line(
    tmp_path: Path, bad: dict[str, Any], problem: str
) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(f"{json.dumps({**GOOD, 'id': 'first'})}\n{json.dumps(bad)}\n")
    with pytest.raises(SuiteFormatError) as caught:
        load_suite(tmp_path)
    assert str(caught.value).startswith(f"{path}:2: ")
    assert problem in str(caught.value)


def test_tandem_eval_exits_2_on_a_malformed_answers_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kb.jsonl").write_text((TINY_ANSWERS / "kb.jsonl").read_text())
    (tmp_path / "answers.jsonl").write_text('{"id": "q1", "question": "fee?", "expect": "answer"}\n')
    assert run_eval(tmp_path, as_json=True) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{tmp_path / 'answers.jsonl'}:1:" in captured.err


# --- the part end to end ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`tandem eval tests/evaluation/fixtures/tiny_answers --json --part answers --details FILE`."""
    details = tmp_path_factory.mktemp("answers") / "details.json"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        main(["eval", str(TINY_ANSWERS), "--json", "--part", "answers", "--details", str(details)])
    assert exited.value.code == 0
    return json.loads(out.getvalue()), json.loads(details.read_text(encoding="utf-8"))


def test_eval_reports_the_answers_part_with_its_baseline(evaluated: tuple[dict, list]) -> None:
    report, details = evaluated
    assert set(report) == {"answers", "baseline", "latency"}  # kb + answers: no other part applies
    assert set(report["answers"]) == RATES and set(report["baseline"]) == {"answers"}
    assert set(report["baseline"]["answers"]) == RATES
    assert all(
        0.0 <= v <= 1.0 for part in (report["answers"], report["baseline"]["answers"]) for v in part.values()
    )
    # The rates are those of the per-item verdicts the details file lists.
    cases = load_suite(TINY_ANSWERS).answers
    assert cases is not None
    assert report["answers"] == answer_metrics(cases, [d["verdict"] for d in details])
    assert report["baseline"]["answers"] == answer_metrics(cases, [d["baseline_verdict"] for d in details])
    # Tandem: the product from the message (a1), the account facts (a2) and an earlier message (a3) picks the
    # right sibling's figure; off topic (a4) and an unknown product (a5) abstain.
    assert report["answers"] == {
        "correct_rate": 1.0,
        "wrong_rate": 0.0,
        "abstain_rate": 0.0,
        "abstain_ok_rate": 1.0,
    }
    # The plain BM25 sentence always answers: right only for the Blue Account's fee (a2).
    assert report["baseline"]["answers"] == {
        "correct_rate": 0.3333,
        "wrong_rate": 0.8,
        "abstain_rate": 0.0,
        "abstain_ok_rate": 0.0,
    }
    latency = report["latency"]["answers"]
    assert latency["items"] == 5
    assert latency["stages_ms"].keys() >= {"focus", "articles", "tickets", "passages", "reply", "escalation"}


def test_details_has_one_entry_per_item(evaluated: tuple[dict, list]) -> None:
    _, details = evaluated
    assert [d["id"] for d in details] == ["a1", "a2", "a3", "a4", "a5"]
    by_id = {d["id"]: d for d in details}
    for d in details:
        assert d.keys() >= {
            "expect",
            "verdict",
            "question",
            "reply",
            "confidence",
            "sources",
            "baseline_reply",
        }
        assert d["verdict"] in {"correct", "wrong", "abstained", "handed_over", "clarified"}
    assert by_id["a2"]["focus"]["source"] == "account" and by_id["a2"]["sources"] == ["blue-fees"]
    assert by_id["a3"]["focus"]["source"] == "history" and by_id["a3"]["sources"] == ["navy-fees"]
    assert by_id["a5"]["focus"]["unknown_name"] == "Teal Account" and by_id["a5"]["sources"] == []
    assert "$25" in by_id["a1"]["reply"] and "$20" not in by_id["a1"]["reply"]


def test_an_unknown_part_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_eval(TINY_ANSWERS, as_json=True, only=["answer"]) == 2
    assert "unknown part 'answer'" in capsys.readouterr().err
