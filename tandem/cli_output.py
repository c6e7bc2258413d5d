"""What the `tandem` command prints: text from customers, agents and help centers with control characters
made visible, and conversation entries as one line each."""

from __future__ import annotations

from typing import TextIO

from tandem.contracts import SupportResponse, TranscriptEntry
from tandem.text_hygiene import for_terminal


def out(*parts: object, file: TextIO | None = None) -> None:
    """Print what customers, agents and help centers wrote with control characters made visible: a message
    holding terminal escapes must not repaint the agent's screen."""
    print(*(for_terminal(str(p)) for p in parts), file=file)


def print_response(response: SupportResponse) -> None:
    out(f"{response.author.value}> {response.text}")
    if response.escalation.escalate:
        reasons = ", ".join(r.code for r in response.escalation.reasons)
        out(f"  (handed to a person: {reasons}; state {response.state.value})")


def print_entry(entry: TranscriptEntry) -> None:
    who = entry.author_name or entry.author.value
    out(f"{entry.at:%H:%M} {who}> {entry.text}")
