"""The deployment's escalation policy: a JSON file a support team writes without touching code.

Format (only `escalate_topics` is required; every other field has the default shown)::

    {
      "escalate_topics": [                      # always-to-a-human topics; [] for none
        {
          "name": "lost_or_stolen",             # required, unique: shows up in the escalation reason
          "description": "The customer's card or phone is lost or stolen.",   # required, in words
          "examples": ["My card has been lost", "my phone was stolen"],       # a few customer messages
          "keywords": ["stolen card"],          # optional: phrases that match the topic on their own
          "priority": "high"                    # optional: low | normal | high | urgent (default normal)
        }
      ],
      "threshold": 1.0,          # weighed signals escalate when their weighted strengths add up to this
      "weights": {               # weight of each weighed signal (a signal's strength is 0..1)
        "frustration": 0.5, "cancellation": 0.5, "high_value": 0.5, "low_confidence": 0.5,
        "multi_issue": 0.5, "repeated_failure": 1.0, "complaint": 1.0
      },
      "low_confidence": 0.35,    # an AI answer below this confidence is a low-confidence signal
      "topic_threshold": 0.5     # share of a message's nearest neighbours that must belong to a topic
    }

With the defaults, any two weak signals together escalate (0.5 + 0.5 reaches 1.0) and one alone does not;
the AI being unsure twice or a formal complaint escalates alone. `weights` may name only some signals; the
others keep their defaults, and a weight of 0 turns a signal off (it is still recorded).

Immediate signals are not weighed and cannot be turned off here: an explicit request for a person, a
matched topic, a legal threat and a safety concern (self-harm, violence) always escalate.

Unknown fields at the top level or in a topic are logged and ignored (so a newer file still loads); an
unknown weight name, a wrong type or a missing required field raises `PolicyError` naming the file and the
field, e.g. `policy.json: escalate_topics[2].examples[0]: must be a non-empty string`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tandem.contracts import Priority

log = logging.getLogger(__name__)

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "frustration": 0.5,
        "cancellation": 0.5,
        "high_value": 0.5,
        "low_confidence": 0.5,
        "multi_issue": 0.5,
        "repeated_failure": 1.0,
        "complaint": 1.0,
    }
)
DEFAULT_THRESHOLD = 1.0
DEFAULT_LOW_CONFIDENCE = 0.35
DEFAULT_TOPIC_THRESHOLD = 0.5

_TOP_LEVEL = frozenset({"escalate_topics", "threshold", "weights", "low_confidence", "topic_threshold"})
_TOPIC_FIELDS = frozenset({"name", "description", "examples", "keywords", "priority"})
_PRIORITIES = {p.name.lower(): p for p in Priority}


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the field."""

    def __init__(self, source: str, field_path: str, problem: str) -> None:
        super().__init__(f"{source}: {field_path}: {problem}" if field_path else f"{source}: {problem}")
        self.source = source
        self.field = field_path
        self.problem = problem


@dataclass(frozen=True)
class Topic:
    """An always-to-a-human topic, described in words with a few example messages."""

    name: str
    description: str
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    priority: Priority = Priority.NORMAL


@dataclass(frozen=True)
class Policy:
    topics: tuple[Topic, ...] = ()
    threshold: float = DEFAULT_THRESHOLD
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    low_confidence: float = DEFAULT_LOW_CONFIDENCE
    topic_threshold: float = DEFAULT_TOPIC_THRESHOLD
    source: str = "<default>"

    def weight(self, code: str) -> float:
        return self.weights.get(code, 0.0)

    def topics_version(self) -> tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]:
        """What a topic matcher depends on: rebuild it only when this changes."""
        return tuple((t.name, t.description, t.examples, t.keywords) for t in self.topics)


def default_policy() -> Policy:
    """No topics and the default weights: the same as `data/policies/default.json`."""
    return Policy()


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; raises `PolicyError` (file and field) for anything unusable."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyError(str(path), "", "file not found") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(source, "", f"not valid UTF-8 ({exc.reason})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(source, "", f"bad JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    return parse_policy(data, source=source)


def parse_policy(data: Any, *, source: str = "<policy>") -> Policy:
    """Validate an already-parsed policy document (see the module docstring for the format)."""
    if not isinstance(data, dict):
        raise PolicyError(source, "", f"expected a JSON object, got {_kind(data)}")
    for key in sorted(set(data) - _TOP_LEVEL):
        log.warning("%s: unknown field %r ignored (known: %s)", source, key, ", ".join(sorted(_TOP_LEVEL)))
    if "escalate_topics" not in data:
        raise PolicyError(source, "escalate_topics", "missing (use [] for a policy without topics)")
    raw_topics = data["escalate_topics"]
    if not isinstance(raw_topics, list):
        raise PolicyError(source, "escalate_topics", f"must be a list of topics, got {_kind(raw_topics)}")
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_topics):
        topic = _topic(raw, source, f"escalate_topics[{index}]")
        if topic.name in seen:
            raise PolicyError(
                source,
                f"escalate_topics[{index}].name",
                f"duplicate topic {topic.name!r} (also escalate_topics[{seen[topic.name]}])",
            )
        seen[topic.name] = index
        topics.append(topic)

    weights = dict(DEFAULT_WEIGHTS)
    raw_weights = data.get("weights", {})
    if not isinstance(raw_weights, dict):
        raise PolicyError(source, "weights", f"must be an object of signal: weight, got {_kind(raw_weights)}")
    for name, value in raw_weights.items():
        if name not in DEFAULT_WEIGHTS:
            known = ", ".join(DEFAULT_WEIGHTS)
            raise PolicyError(source, f"weights.{name}", f"unknown signal (known: {known})")
        weights[name] = _number(value, source, f"weights.{name}", minimum=0.0)

    return Policy(
        topics=tuple(topics),
        threshold=_number(
            data.get("threshold", DEFAULT_THRESHOLD), source, "threshold", minimum=0.0, strict=True
        ),
        weights=MappingProxyType(weights),
        low_confidence=_number(
            data.get("low_confidence", DEFAULT_LOW_CONFIDENCE),
            source,
            "low_confidence",
            minimum=0.0,
            maximum=1.0,
        ),
        topic_threshold=_number(
            data.get("topic_threshold", DEFAULT_TOPIC_THRESHOLD),
            source,
            "topic_threshold",
            minimum=0.0,
            maximum=1.0,
            strict=True,
        ),
        source=source,
    )


def _topic(raw: Any, source: str, where: str) -> Topic:
    if not isinstance(raw, dict):
        raise PolicyError(
            source, where, f"must be an object with name, description and examples, got {_kind(raw)}"
        )
    for key in sorted(set(raw) - _TOPIC_FIELDS):
        log.warning("%s: %s: unknown field %r ignored", source, where, key)
    name = _text(raw.get("name"), source, f"{where}.name")
    description = _text(raw.get("description"), source, f"{where}.description")
    priority_name = raw.get("priority", "normal")
    if not isinstance(priority_name, str) or priority_name.strip().lower() not in _PRIORITIES:
        raise PolicyError(
            source, f"{where}.priority", f"must be one of {', '.join(_PRIORITIES)}, got {priority_name!r}"
        )
    return Topic(
        name=name.strip(),
        description=description.strip(),
        examples=_texts(raw.get("examples", []), source, f"{where}.examples"),
        keywords=_texts(raw.get("keywords", []), source, f"{where}.keywords"),
        priority=_PRIORITIES[priority_name.strip().lower()],
    )


def _text(value: Any, source: str, where: str) -> str:
    if value is None:
        raise PolicyError(source, where, "missing")
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(source, where, f"must be a non-empty string, got {_kind(value)}")
    return value


def _texts(value: Any, source: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PolicyError(source, where, f"must be a list of strings, got {_kind(value)}")
    return tuple(_text(item, source, f"{where}[{i}]").strip() for i, item in enumerate(value))


def _number(
    value: Any,
    source: str,
    where: str,
    *,
    minimum: float,
    maximum: float | None = None,
    strict: bool = False,
) -> float:
    # bool is an int in Python; `"threshold": true` is a mistake, not 1.0.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PolicyError(source, where, f"must be a number, got {_kind(value)}")
    if value < minimum or (strict and value == minimum) or (maximum is not None and value > maximum):
        bounds = f"{'above' if strict else 'at least'} {minimum:g}" + (
            f" and at most {maximum:g}" if maximum is not None else ""
        )
        raise PolicyError(source, where, f"must be {bounds}, got {value!r}")
    return float(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"string {value!r}" if len(value) < 40 else "a string"
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )
