"""Approved answers: what a support team wrote once and lets the AI quote again.

An agent turns a resolution into an answer with a title, the answer text and a product scope. It is stored as
an article of the source `APPROVED_SOURCE` with the category `APPROVED_CATEGORY`, so it is searched and quoted
like a help-center article and cited as the team's answer (`cited_title`), never as a ticket. It must hold no
customer data: `customer_data_in` names what it found (an email address, a phone or card number, a ticket
id, or the name or id of the customer it came from), and approving refuses such text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

APPROVED_SOURCE = "tandem:approved-answers"
APPROVED_CATEGORY = "approved-answer"
TEAM_PREFIX = "Answer from our support team: "
MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 4000

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# An international number (+ and at least 9 digits), a North American one (555-123-4567, (555) 123 4567) or
# a card number (13-19 digits, maybe grouped); not dates ("2026-12-31 10:00") or amounts ("$1,000,000").
_PHONE = re.compile(r"\+\d[\d\s().-]{7,}\d|(?<![\w-])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w-])")
_CARD = re.compile(r"(?<![\w.,$])\d(?:[ -]?\d){12,18}(?![\w.,])")
_TICKET = re.compile(r"\bT-[0-9A-Za-z][\w-]{3,}\b")


class NotApprovable(ValueError):
    """The text cannot become an approved answer; the message says why."""


def customer_data_in(text: str, known: Iterable[str] = ()) -> list[str]:
    """What in `text` is one customer's data rather than an answer for everyone; `known`: the source
    ticket's customer id and name, found case-insensitively as whole words."""
    found: list[str] = []
    if _EMAIL.search(text):
        found.append("an email address")
    if _PHONE.search(text):
        found.append("a phone number")
    if _CARD.search(text):
        found.append("a card or account number")
    if _TICKET.search(text):
        found.append("a ticket id")
    for value in known:
        value = value.strip()
        if len(value) >= 3 and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.I):
            found.append(f"the customer's name or id ({value!r})")
    return found


def check_approvable(title: str, body: str, known: Iterable[str] = ()) -> None:
    """Raises NotApprovable when the title or text is empty, too long, or holds customer data."""
    if not title.strip() or not body.strip():
        raise NotApprovable("an approved answer needs a title and an answer text")
    if len(title) > MAX_TITLE_CHARS or len(body) > MAX_BODY_CHARS:
        raise NotApprovable(
            f"an approved answer has at most {MAX_TITLE_CHARS} characters of title, {MAX_BODY_CHARS} of text"
        )
    found = customer_data_in(f"{title}\n{body}", known)
    if found:
        raise NotApprovable("an approved answer must hold no customer data; it contains " + ", ".join(found))


def is_approved_answer(category: str | None) -> bool:
    return category == APPROVED_CATEGORY


def cited_title(title: str) -> str:
    """How a reply names an approved answer among its sources: as the team's answer."""
    return title if title.startswith(TEAM_PREFIX) else f"{TEAM_PREFIX}{title}"


def source_kind(category: str | None) -> str:
    """The `SourceRef.kind` a reply cites an article as: "answer" for an approved answer."""
    return "answer" if is_approved_answer(category) else "article"


QUOTABLE_KINDS = frozenset({"article", "answer"})  # what a customer reply may quote and cite
