"""Policy files: the shipped ones load, every field is validated, and errors name the file and the field."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tandem.contracts import Priority
from tandem.escalation.policy import DEFAULT_WEIGHTS, PolicyError, default_policy, load_policy

POLICIES = Path(__file__).resolve().parents[2] / "data" / "policies"


def _write(tmp_path: Path, data: Any, name: str = "policy.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _topic(**fields: Any) -> dict[str, Any]:
    return {
        "name": "fraud",
        "description": "Payments the customer did not make.",
        "examples": ["not me"],
    } | fields


def test_shipped_default_is_the_builtin_default() -> None:
    loaded = load_policy(POLICIES / "default.json")
    builtin = default_policy()
    assert loaded.topics == () == builtin.topics
    assert dict(loaded.weights) == dict(builtin.weights) == dict(DEFAULT_WEIGHTS)
    assert (loaded.threshold, loaded.low_confidence, loaded.topic_threshold) == (
        builtin.threshold,
        builtin.low_confidence,
        builtin.topic_threshold,
    )


def test_shipped_example_uses_every_optional_field() -> None:
    policy = load_policy(POLICIES / "example.json")
    fraud = policy.topics[0]
    assert fraud.name == "fraud" and fraud.priority is Priority.URGENT and "fraud" in fraud.keywords
    assert policy.topics[1].priority is Priority.HIGH
    # weights may name a few signals; the others keep their defaults
    assert (
        policy.weight("cancellation") == 0.7
        and policy.weight("frustration") == DEFAULT_WEIGHTS["frustration"]
    )
    assert policy.low_confidence == 0.4


def test_suite_format_is_enough(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, {"escalate_topics": [_topic()]}))
    assert policy.topics[0].examples == ("not me",) and policy.topics[0].priority is Priority.NORMAL
    assert policy.threshold == 1.0 and policy.source == "policy.json"


def test_topic_without_examples_is_allowed(tmp_path: Path) -> None:
    topic = {"name": "fraud", "description": "Payments the customer did not make."}
    assert load_policy(_write(tmp_path, {"escalate_topics": [topic]})).topics[0].examples == ()


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        ({}, "escalate_topics", "missing"),
        ({"escalate_topics": {"name": "x"}}, "escalate_topics", "must be a list"),
        ({"escalate_topics": ["fraud"]}, "escalate_topics[0]", "must be an object"),
        ({"escalate_topics": [{"description": "d", "examples": []}]}, "escalate_topics[0].name", "missing"),
        ({"escalate_topics": [_topic(name="  ")]}, "escalate_topics[0].name", "non-empty string"),
        ({"escalate_topics": [_topic(description=None)]}, "escalate_topics[0].description", "missing"),
        ({"escalate_topics": [_topic(examples="not me")]}, "escalate_topics[0].examples", "list of strings"),
        ({"escalate_topics": [_topic(examples=["ok", 3])]}, "escalate_topics[0].examples[1]", "non-empty"),
        ({"escalate_topics": [_topic(keywords=[""])]}, "escalate_topics[0].keywords[0]", "non-empty"),
        ({"escalate_topics": [_topic(priority="asap")]}, "escalate_topics[0].priority", "must be one of"),
        ({"escalate_topics": [_topic(), _topic()]}, "escalate_topics[1].name", "duplicate topic"),
        ({"escalate_topics": [], "weights": {"anger": 1}}, "weights.anger", "unknown signal"),
        (
            {"escalate_topics": [], "weights": {"frustration": "high"}},
            "weights.frustration",
            "must be a number",
        ),
        ({"escalate_topics": [], "weights": {"frustration": -1}}, "weights.frustration", "at least 0"),
        ({"escalate_topics": [], "weights": [0.5]}, "weights", "must be an object"),
        ({"escalate_topics": [], "threshold": "1"}, "threshold", "must be a number"),
        ({"escalate_topics": [], "threshold": True}, "threshold", "must be a number"),
        ({"escalate_topics": [], "threshold": 0}, "threshold", "above 0"),
        ({"escalate_topics": [], "low_confidence": 2}, "low_confidence", "at most 1"),
        ({"escalate_topics": [], "topic_threshold": None}, "topic_threshold", "must be a number"),
    ],
)
def test_bad_policy_names_file_and_field(tmp_path: Path, data: Any, field: str, problem: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(_write(tmp_path, data, "acme.json"))
    assert caught.value.field == field
    assert str(caught.value).startswith(f"acme.json: {field}: ")
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("{not json", "bad JSON"), ("[]", "expected a JSON object"), (b"\xff\xfe", "not valid UTF-8")],
)
def test_unreadable_policy(tmp_path: Path, text: str | bytes, problem: str) -> None:
    path = tmp_path / "broken.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=problem) as caught:
        load_policy(path)
    assert str(caught.value).startswith("broken.json: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="file not found"):
        load_policy(tmp_path / "nope.json")


def test_unknown_fields_are_logged_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = {"escalate_topics": [_topic(owner="team-a")], "version": 3}
    with caplog.at_level(logging.WARNING, logger="tandem.escalation.policy"):
        policy = load_policy(_write(tmp_path, data))
    assert len(policy.topics) == 1
    assert "'version'" in caplog.text and "'owner'" in caplog.text
