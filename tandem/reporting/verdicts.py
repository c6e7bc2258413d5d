"""What a reviewer decided about a conversation, and where it goes: the report's reviewed AI accuracy, and
`answers.jsonl` items (the shared suite format) so every reviewed mistake becomes a regression test.

Verdicts: the AI's answer was right or wrong, the AI should have handed over, or it handed over when it
could have answered. A ticket's latest review counts; reviewed tickets leave `tandem review`'s to-do list.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from tandem.contracts import Author, TranscriptEntry


class Verdict(StrEnum):
    ANSWER_RIGHT = "answer_right"
    ANSWER_WRONG = "answer_wrong"
    SHOULD_HAVE_ESCALATED = "should_have_escalated"
    ESCALATED_NEEDLESSLY = "escalated_needlessly"


class ReviewLike(Protocol):
    @property
    def ticket_id(self) -> str: ...
    @property
    def verdict(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def must(self) -> tuple[str, ...]: ...
    @property
    def must_not(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    reviewed: int = 0
    right: int = 0
    wrong: int = 0
    should_have_escalated: int = 0
    escalated_needlessly: int = 0

    @property
    def accuracy(self) -> float | None:
        """Of the AI answers a person judged, the share judged right."""
        judged = self.right + self.wrong
        return self.right / judged if judged else None


def latest(reviews: Iterable[ReviewLike]) -> dict[str, ReviewLike]:
    """Each ticket's latest review (reviews come oldest first)."""
    return {r.ticket_id: r for r in reviews if r.verdict in Verdict._value2member_map_}


def summarize(reviews: Iterable[ReviewLike], tickets: Iterable[str] | None = None) -> ReviewSummary:
    """Counts of the latest verdict per ticket; of `tickets` only, when given."""
    wanted = set(tickets) if tickets is not None else None
    chosen = [r for t, r in latest(reviews).items() if wanted is None or t in wanted]
    count = {v: sum(1 for r in chosen if r.verdict == v) for v in Verdict}
    return ReviewSummary(
        reviewed=len(chosen),
        right=count[Verdict.ANSWER_RIGHT],
        wrong=count[Verdict.ANSWER_WRONG],
        should_have_escalated=count[Verdict.SHOULD_HAVE_ESCALATED],
        escalated_needlessly=count[Verdict.ESCALATED_NEEDLESSLY],
    )


def summary_line(summary: ReviewSummary) -> str:
    if not summary.reviewed:
        return "Reviewed: none yet (`tandem review TICKET --verdict ...`)"
    accuracy = f"{summary.accuracy * 100:.0f}%" if summary.accuracy is not None else "n/a"
    return (
        f"Reviewed: {summary.reviewed} conversations · AI answers judged right {summary.right} of "
        f"{summary.right + summary.wrong} ({accuracy}) · should have escalated "
        f"{summary.should_have_escalated} · escalated needlessly {summary.escalated_needlessly}"
    )


def asked_question(transcript: Sequence[TranscriptEntry]) -> tuple[str, list[str]] | None:
    """The customer message the verdict is about and the customer's earlier messages: the message the AI
    first answered with sources, else the first one the AI replied to, else the first customer message."""
    customer: list[str] = []
    first_replied: tuple[str, list[str]] | None = None
    for entry in transcript:
        if entry.author is Author.CUSTOMER:
            customer.append(entry.text)
        elif entry.author is Author.AI and customer:
            asked = (customer[-1], customer[:-1])
            if entry.sources:
                return asked
            first_replied = first_replied or asked
    if first_replied is not None:
        return first_replied
    return (customer[0], []) if customer else None


def export_item(
    review: ReviewLike, product: str | None, transcript: Sequence[TranscriptEntry]
) -> dict[str, Any] | None:
    """An `answers.jsonl` item (the shared suite format) for a reviewed conversation, or None when the
    verdict makes no test: an answer judged right or wrong needs the facts a right answer states (`must`);
    "should have escalated" expects an abstention."""
    asked = asked_question(transcript)
    if asked is None:
        return None
    question, history = asked
    verdict = Verdict(review.verdict)
    if verdict is Verdict.SHOULD_HAVE_ESCALATED:
        expect, must, must_not = "abstain", [], []
    elif review.must:
        expect, must, must_not = "answer", list(review.must), list(review.must_not)
    else:
        return None
    return {
        "id": f"review-{review.ticket_id}",
        "product": product,
        "account": {},
        "history": history,
        "question": question,
        "expect": expect,
        "must": must,
        "must_not": must_not,
        "source": [],
    }


def export_items(
    reviews: Iterable[ReviewLike],
    products: Mapping[str, str | None],
    transcripts: Mapping[str, Sequence[TranscriptEntry]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Items for every ticket's latest review, and the ticket ids that made none (why: see `export_item`)."""
    items: list[dict[str, Any]] = []
    skipped: list[str] = []
    for ticket_id, review in latest(reviews).items():
        item = export_item(review, products.get(ticket_id), transcripts.get(ticket_id, []))
        (items.append(item) if item is not None else skipped.append(ticket_id))
    return items, skipped


# --- the command -------------------------------------------------------------------------------------


def record_verdict(
    store: Any,
    ticket_id: str,
    verdict: str,
    reviewer: str,
    note: str = "",
    must: Sequence[str] = (),
    must_not: Sequence[str] = (),
    content_gap: bool = False,
) -> int:
    """`tandem review TICKET --verdict V`: records it (the ticket leaves the to-do list); the exit code.
    `content_gap`: the reviewer says the help center lacks what the answer needed."""
    if store.get_ticket(ticket_id) is None:
        print(f"error: no ticket {ticket_id!r}", file=sys.stderr)
        return 2
    store.record_review(
        ticket_id,
        uuid.uuid4().hex,
        datetime.now(UTC),
        reviewer,
        Verdict(verdict).value,
        note=note,
        content_gap=content_gap,
        must=must,
        must_not=must_not,
    )
    hint = "" if must or verdict == Verdict.SHOULD_HAVE_ESCALATED else " (add --must to export it as a test)"
    print(f"recorded {verdict} for {ticket_id} by {reviewer}{hint}")
    return 0


def export_reviews(store: Any, path: Path, since: datetime | None = None) -> int:
    """`tandem review --export FILE`: every reviewed conversation that makes a test, as answers.jsonl."""
    reviews = store.reviews(since=since)
    chosen = latest(reviews)
    products = {t: (s.product if (s := store.get_ticket(t)) is not None else None) for t in chosen}
    transcripts = {t: store.transcript(t) for t in chosen}
    items, skipped = export_items(chosen.values(), products, transcripts)
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    print(f"wrote {len(items)} items to {path}")
    if skipped:
        print(
            f"skipped {len(skipped)} reviews with no facts to test (record them with --must): "
            + ", ".join(skipped[:10])
        )
    return 0
