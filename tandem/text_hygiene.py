"""Text that crosses the boundary: what customers and agents write, the ids callers choose.

- Texts (messages, notes, names) are cleaned, not refused: terminal escape sequences and control characters
  (NUL among them, which PostgreSQL refuses to store) are removed, line breaks and tabs kept, Windows line
  ends made plain. What a person meant to write survives; nothing that could freeze a store write or
  repaint an agent's terminal does.
- Ids are refused when they hold a control character: an id is a key, and quietly changing it could
  join two tickets into one.
- `for_terminal` shows stored text in a terminal with any control character made visible, for text stored
  before cleaning existed or written straight to the store.

The contracts apply these in their validators, so the client, the workflow and the activities all see the
same clean text; the workflow's update validators also check `message_problem` (empty, too long).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

MAX_MESSAGE_CHARS = 4000
MAX_ID_CHARS = 120

# ANSI escape sequences: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), and two-byte escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]"
)
# Unicode's control characters (category Cc) but tab and line feed; carriage returns become line feeds.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """`text` without escape sequences and control characters other than line breaks and tabs."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def check_id(value: str) -> str:
    """`value` unchanged, or ValueError when it holds a control character (tab and line feed included)."""
    if _CONTROLS.search(value) or "\t" in value or "\n" in value:
        raise ValueError("an id may not contain control characters")
    return value


def message_problem(text: str) -> str | None:
    """Why a message cannot be sent as it is, or None."""
    if not text.strip():
        return "message is empty"
    if len(text) > MAX_MESSAGE_CHARS:
        return f"message is {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}"
    return None


def for_terminal(text: str) -> str:
    """Text safe to print: control characters but line breaks and tabs shown as escapes (\\x1b)."""
    return _CONTROLS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


CleanText = Annotated[str, AfterValidator(clean_text)]
IdText = Annotated[str, AfterValidator(check_id)]
