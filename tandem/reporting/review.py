"""`tandem review`: conversations worth a person's reading, and the questions the help center can't answer.

Conversations to review: low CSAT (2 or less), escalations after the AI answered, AI abstentions and
guardrail rewrites. Content gaps: the customer questions that found no good article (AI events
"abstained" and "no_article", whose `detail` is the question), grouped by meaning (or by shared words).

Grouping, `tandem review`'s: each question's sentence embedding (the bundled WordLlama) joins the earlier
group whose summed embedding is closest when the cosine reaches `DENSE_THRESHOLD`, else starts a group.
Without an embedder it is lexical: each question becomes its set of analyzed terms (the retrieval
tokenizer: lower case, no stopwords, stemmed) and joins the most similar group when the cosine between its
terms and the group's term counts reaches `threshold`. Each group is represented by its most central
question (highest summed word similarity to the others; the first seen wins a tie).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from tandem.knowledge.bm25_index import analyze
from tandem.metrics.facts import SupportPath, TicketFactsLike, as_utc, support_path
from tandem.snippets import shorten

GAP_KINDS = frozenset({"abstained", "no_article"})
GUARDRAIL_PREFIX = "guardrail:"
LOW_CSAT = 2
DEFAULT_LIMIT = 20
DEFAULT_THRESHOLD = 0.5
# Cosine (bundled WordLlama) at which a question joins a content-gap group. On banking77's real questions
# (six samples of 150 questions from 15 intents, three of them held out while choosing), pairs grouped
# together share an intent 71-96% of the time at 0.6, against 56-99% for shared words at 0.5, and 22-40% of
# same-intent pairs are grouped against 16-27%.
DENSE_THRESHOLD = 0.6

# Why a conversation is listed, most serious first.
SEVERITY = {"low_csat": 4, "guardrail": 3, "escalated_after_ai": 2, "abstained": 1}


class AiEventLike(Protocol):
    @property
    def ticket_id(self) -> str: ...
    @property
    def event_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def message_id(self) -> str | None: ...


# --- conversations to review -------------------------------------------------------------------------


@dataclass(slots=True)
class ReviewItem:
    ticket_id: str
    at: datetime  # opened_at, or the first event's time for a ticket without facts
    product: str | None = None
    category: str | None = None
    flags: dict[str, list[str]] = field(default_factory=dict)  # flag -> details

    @property
    def severity(self) -> int:
        return max((SEVERITY[f] for f in self.flags), default=0)

    def reasons(self) -> list[str]:
        out = []
        for flag in sorted(self.flags, key=lambda f: -SEVERITY[f]):
            details = self.flags[flag]
            if flag == "abstained":
                asked = f": {shorten(details[0], 100)!r}" if details[0] else ""
                out.append(f"AI abstained x{len(details)}{asked}")
            else:
                out.extend(details)
        return out


def conversations_to_review(
    facts: Iterable[TicketFactsLike], events: Iterable[AiEventLike], reviewed: Iterable[str] = ()
) -> list[ReviewItem]:
    """Every flagged conversation not `reviewed` yet, most serious first, then most flags, then newest."""
    items: dict[str, ReviewItem] = {}

    def item(ticket_id: str, at: datetime) -> ReviewItem:
        return items.setdefault(ticket_id, ReviewItem(ticket_id, as_utc(at)))

    known: dict[str, TicketFactsLike] = {}
    for t in facts:
        known[t.ticket_id] = t
        flags: dict[str, list[str]] = {}
        if t.csat_rating is not None and t.csat_rating <= LOW_CSAT:
            flags["low_csat"] = [f"low CSAT {t.csat_rating}/5"]
        if support_path(t) is SupportPath.ESCALATED:
            codes = ", ".join(dict.fromkeys(t.escalation_codes)) or "no code"
            messages = f"{t.ai_message_count} AI message" + ("" if t.ai_message_count == 1 else "s")
            flags["escalated_after_ai"] = [f"escalated after {messages} ({codes})"]
        if flags:
            entry = item(t.ticket_id, t.opened_at)
            entry.flags.update(flags)
    for e in sorted(events, key=lambda e: as_utc(e.at)):
        if e.kind == "abstained":
            flag, detail = "abstained", e.detail
        elif e.kind.startswith(GUARDRAIL_PREFIX):
            # The detail is the sentence the guardrail replaced.
            rewritten = f": {shorten(e.detail, 100)!r}" if e.detail else ""
            flag, detail = (
                "guardrail",
                f"guardrail rewrite ({e.kind.removeprefix(GUARDRAIL_PREFIX)}){rewritten}",
            )
        else:
            continue
        t = known.get(e.ticket_id)
        entry = item(e.ticket_id, t.opened_at if t is not None else e.at)
        entry.flags.setdefault(flag, []).append(detail)
    for entry in items.values():
        t = known.get(entry.ticket_id)
        if t is not None:
            entry.product, entry.category = t.product, t.category
        if "guardrail" in entry.flags:
            entry.flags["guardrail"] = list(dict.fromkeys(entry.flags["guardrail"]))
    done = set(reviewed)
    todo = [i for i in items.values() if i.ticket_id not in done]
    return sorted(todo, key=lambda i: (-i.severity, -len(i.flags), -i.at.timestamp(), i.ticket_id))


# --- content gaps ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GapCluster:
    representative: str
    questions: list[str]  # in the order seen
    ticket_ids: list[str]  # distinct, in the order seen

    @property
    def count(self) -> int:
        return len(self.questions)


def terms(question: str) -> frozenset[str]:
    return frozenset(analyze(question))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine between two term sets."""
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def _to_group(query: frozenset[str], counts: Counter[str]) -> float:
    norm = math.sqrt(sum(v * v for v in counts.values()))
    return sum(counts[t] for t in query) / (math.sqrt(len(query)) * norm) if query and norm else 0.0


def cluster_questions(
    questions: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    embed: Callable[[str], np.ndarray] | None = None,
) -> list[list[int]]:
    """Groups of indices into `questions`, largest first (ties: first seen first).

    With `embed` (a unit-length sentence embedding), a question joins the group whose summed embedding is
    closest when the cosine reaches `DENSE_THRESHOLD`, so paraphrases group ("I forgot my PIN" with "how do
    I reset my PIN"); without, by shared words (`threshold`). A question without any term (only stopwords)
    groups with identical text only.
    """
    if embed is not None:
        return _dense_groups(questions, embed)
    groups: list[tuple[list[int], Counter[str]]] = []
    bare: dict[str, list[int]] = {}
    for i, question in enumerate(questions):
        query = terms(question)
        if not query:
            bare.setdefault(" ".join(question.lower().split()), []).append(i)
            continue
        scores = [_to_group(query, counts) for _, counts in groups]
        best = max(range(len(scores)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= threshold:
            groups[best][0].append(i)
            groups[best][1].update(query)
        else:
            groups.append(([i], Counter(query)))
    found = [members for members, _ in groups] + list(bare.values())
    return sorted(found, key=lambda members: (-len(members), members[0]))


def _dense_groups(questions: Sequence[str], embed: Callable[[str], np.ndarray]) -> list[list[int]]:
    groups: list[list[int]] = []
    sums: list[np.ndarray] = []
    for i, question in enumerate(questions):
        vector = embed(question)
        cosines = [float(s @ vector) / (float(np.linalg.norm(s)) or 1.0) for s in sums]
        best = max(range(len(cosines)), key=cosines.__getitem__, default=None)
        if best is not None and cosines[best] >= DENSE_THRESHOLD:
            groups[best].append(i)
            sums[best] = sums[best] + vector
        else:
            groups.append([i])
            sums.append(vector.copy())
    return sorted(groups, key=lambda members: (-len(members), members[0]))


def representative(questions: Sequence[str], members: Sequence[int]) -> str:
    """The member most similar to the others in total; the first seen on a tie."""
    sets = {i: terms(questions[i]) for i in members}
    best = max(members, key=lambda i: (sum(similarity(sets[i], sets[j]) for j in members if j != i), -i))
    return questions[best]


def content_gaps(
    events: Iterable[AiEventLike],
    threshold: float = DEFAULT_THRESHOLD,
    keep: Callable[[str], bool] = lambda _: True,
    embed: Callable[[str], np.ndarray] | None = None,
) -> list[GapCluster]:
    """Clusters of unanswered customer questions, largest first; `keep` says which messages are gaps at
    all (tandem.reporting.gap_filter leaves out greetings, abuse, injection attempts and off-topic ones).

    A question counts once per ticket: one turn may log both "no_article" and "abstained".
    """
    seen: set[tuple[str, str]] = set()
    questions: list[str] = []
    tickets: list[str] = []
    for e in sorted(events, key=lambda e: as_utc(e.at)):
        text = " ".join((e.detail or "").split())
        key = (e.ticket_id, text.lower())
        if e.kind not in GAP_KINDS or not text or key in seen or not keep(text):
            continue
        seen.add(key)
        questions.append(text)
        tickets.append(e.ticket_id)
    return [
        GapCluster(
            representative=representative(questions, members),
            questions=[questions[i] for i in members],
            ticket_ids=list(dict.fromkeys(tickets[i] for i in members)),
        )
        for members in cluster_questions(questions, threshold, embed)
    ]


# --- the command -------------------------------------------------------------------------------------


def render_review(items: Sequence[ReviewItem], gaps: Sequence[GapCluster], limit: int = DEFAULT_LIMIT) -> str:
    lines = [f"Conversations to review ({min(len(items), limit)} of {len(items)})"]
    if not items:
        lines.append("  none")
    for entry in items[:limit]:
        where = " · ".join(x for x in (entry.product, entry.category) if x)
        lines.append(
            f"  {entry.ticket_id}  opened {entry.at:%Y-%m-%d %H:%M}" + (f"  {where}" if where else "")
        )
        lines.extend(f"      - {shorten(reason, 160)}" for reason in entry.reasons())
    lines += [
        "",
        f"Content gaps: questions with no good article ({min(len(gaps), limit)} of {len(gaps)} groups)",
    ]
    if not gaps:
        lines.append("  none")
    for gap in gaps[:limit]:
        tickets = ", ".join(gap.ticket_ids[:5]) + (" ..." if len(gap.ticket_ids) > 5 else "")
        lines.append(f"  {gap.count:>4} x  {shorten(gap.representative, 160)}")
        others = [q for q in dict.fromkeys(gap.questions) if q != gap.representative][:2]
        lines.extend(f"          also: {shorten(q, 140)}" for q in others)
        lines.append(f"          tickets: {tickets}")
    return "\n".join(lines)


def run_review(
    store: Any,
    since: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
    threshold: float = DEFAULT_THRESHOLD,
    include_simulated: bool = False,
) -> int:
    """Print conversations to review and content gaps for the CLI; the exit code.

    `store` is anything with `ticket_facts(since=...)` and `ai_events(since=...)`, i.e. the `TicketStore`.
    """
    from tandem.reporting.gap_filter import GapFilter
    from tandem.reporting.verdicts import latest, summarize, summary_line

    facts = store.ticket_facts(since=since, include_simulated=include_simulated)
    events = list(store.ai_events(since=since, include_simulated=include_simulated))
    reviews = store.reviews()
    gaps_filter = GapFilter(store.list_articles())
    gaps = content_gaps(events, threshold, gaps_filter.keeps, gaps_filter.embed)
    print(render_review(conversations_to_review(facts, events, latest(reviews)), gaps, limit))
    print(f"\n{summary_line(summarize(reviews))}")
    return 0
