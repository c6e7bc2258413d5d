"""Extractive responder that needs no model: it answers only with sentences copied from retrieved passages.

Every sentence in a reply comes verbatim (markdown markup aside) from a given article or resolved ticket and
carries a [n] marker for its numbered source; the only other text is fixed framing with no promises in it.
When the evidence is thin it abstains and offers a person instead of guessing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tandem.contracts import GeneratedReply, GenerationRequest, SourceRef
from tandem.knowledge.bm25_index import SNIPPET_CHARS, analyze, shorten
from tandem.knowledge.documents import Article

_HEADING = re.compile(r"^#{1,6}\s")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|no|mr|mrs|ms|dr|st)\.$", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")
MAX_UNIT_CHARS = 400
MAX_BLOCK_CHARS = 600
MIN_UNIT_WORDS = 3
# Chat filler beyond the stopword list: it says nothing about the topic, so it must not earn overlap.
_FILLER = frozenset(
    {"hi", "hello", "hey", "thanks", "thank", "please", "want", "need", "help", "know", "like", "would"}
    | {"could", "get", "tell", "able", "question", "ok", "okay"}
)


@dataclass(frozen=True, slots=True)
class _Source:
    ref: SourceRef
    text: str


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    source: int  # position in the source list (retrieval order)
    position: int  # position inside its source, to keep the passage's own order
    terms: frozenset[str]


class OfflineResponder:
    """Picks the passage sentences that best cover the customer's message and cites them.

    Sentences score by the IDF-weighted message words they contain, scaled by their passage's retrieval
    score; the reply quotes the best one, then up to `max_sentences` more that score at least half as well
    (a quarter for the first `min_sentences`), in the passages' own order.

    confidence = sqrt(coverage * retrieval)  (geometric mean), where
      coverage  = IDF-weighted share of the message's distinct content words found in the cited sentences
                  of one source (the best-supported one: words scattered one per passage are no answer), and
      retrieval = s / (s + score_half_point) for the top retrieval score s among the usable sources
                  (a score of `score_half_point` maps to 0.5). The default fits the hybrid retriever's
                  scores in [0, 1] (about 0.6 for an on-topic question, 0.1 for an off-topic one); raw BM25
                  scores are unbounded and need a half point of about 5.
    The geometric form makes either kind of evidence alone insufficient: a strong hit that shares few words
    with the message, or a word match inside a weakly retrieved passage, both stay low.
    """

    def __init__(
        self,
        confidence_threshold: float = 0.35,
        *,
        score_half_point: float = 0.5,
        max_sentences: int = 4,
        min_sentences: int = 2,
    ) -> None:
        self.confidence_threshold = confidence_threshold
        self.score_half_point = score_half_point
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences

    def respond(self, request: GenerationRequest, passages: dict[str, Article]) -> GeneratedReply:
        greeting = _greeting(request.customer.name)
        sources = _sources(request, passages)
        query = set(analyze(request.message)) - _FILLER
        if not sources or not query:
            return _abstain(greeting, 0.0)

        units = [unit for index, source in enumerate(sources) for unit in _units(source.text, index)]
        weight = _term_weights(units, query)
        chosen = self._select(units, query, sources, weight)
        if not chosen:
            return _abstain(greeting, 0.0)

        covered_by_source: dict[int, set[str]] = {}
        for unit in chosen:
            covered_by_source.setdefault(unit.source, set()).update(unit.terms & query)
        total = sum(weight.values())
        coverage = max(sum(weight[t] for t in covered) for covered in covered_by_source.values()) / total
        top_score = max(max(s.ref.score, 0.0) for s in sources)
        retrieval = top_score / (top_score + self.score_half_point)
        confidence = min(1.0, math.sqrt(coverage * retrieval))
        if confidence < self.confidence_threshold:
            return _abstain(greeting, confidence)
        return _answer(greeting, chosen, sources, confidence)

    def _select(
        self, units: list[_Unit], query: set[str], sources: list[_Source], weight: dict[str, float]
    ) -> list[_Unit]:
        # Better-retrieved passages get up to twice the weight, so ties go to the passage retrieval trusts.
        top = max((s.ref.score for s in sources), default=0.0)
        prior = [0.5 + 0.5 * (max(s.ref.score, 0.0) / top if top > 0 else 1.0) for s in sources]

        scored = [(sum(weight[t] for t in u.terms & query) * prior[u.source], u) for u in units]
        ranked = sorted(
            ((s, u) for s, u in scored if s > 0),
            key=lambda su: (-su[0], su[1].source, su[1].position),
        )
        chosen: list[_Unit] = []
        seen_texts: set[str] = set()
        for score, unit in ranked:
            # Up to the minimum, a sentence a quarter as good as the best still helps; beyond it, half.
            floor = 0.25 if len(chosen) < self.min_sentences else 0.5
            if len(chosen) == self.max_sentences or score < floor * ranked[0][0]:
                break
            key = unit.text.casefold()
            if key not in seen_texts:
                seen_texts.add(key)
                chosen.append(unit)
        # Present them in the passages' own order so steps and explanations read naturally.
        return sorted(chosen, key=lambda u: (u.source, u.position))


def _term_weights(units: list[_Unit], query: set[str]) -> dict[str, float]:
    """IDF of each message word over the passage sentences: log(1 + N / (1 + df)).

    Rare words weigh more, so "card" found in every sentence does not decide; a word no passage contains
    gets the highest weight, so leaving it uncovered costs the most (it is what the passages do not address).
    """
    df = dict.fromkeys(query, 0)
    for unit in units:
        for term in unit.terms & query:
            df[term] += 1
    return {t: math.log(1 + len(units) / (1 + n)) for t, n in df.items()}


def _sources(request: GenerationRequest, passages: dict[str, Article]) -> list[_Source]:
    """The passages the reply may use, in retrieval order: given articles, then resolved tickets."""
    sources: list[_Source] = []
    seen: set[tuple[str, str]] = set()
    for ref in request.articles:
        article = passages.get(ref.id)
        if article is None or ("article", ref.id) in seen:
            continue  # only articles we actually hold the text of may be quoted
        seen.add(("article", ref.id))
        cited = SourceRef(
            kind="article", id=article.id, title=article.title, url=article.url or ref.url, score=ref.score
        )
        sources.append(_Source(cited, article.body))
    for ticket in request.similar_tickets:
        if not ticket.resolution.strip() or ("ticket", ticket.ticket_id) in seen:
            continue
        seen.add(("ticket", ticket.ticket_id))
        cited = SourceRef(kind="ticket", id=ticket.ticket_id, title=ticket.subject, score=ticket.score)
        sources.append(_Source(cited, ticket.resolution))
    return sources


def _units(text: str, source: int) -> list[_Unit]:
    """Sentences, list items and "lead-in: list" blocks of a passage that can stand alone in a reply."""
    units: list[_Unit] = []
    for position, piece in enumerate(_pieces(text)):
        clean = _LINK.sub(r"\1", piece).replace("**", "").replace("__", "").replace("`", "").strip()
        limit = MAX_BLOCK_CHARS if "\n" in clean else MAX_UNIT_CHARS
        if (
            len(clean.split()) < MIN_UNIT_WORDS
            or len(clean) > limit
            # a lead-in without its list, or a sentence cut by truncation, says nothing whole
            or clean.endswith((":", "…"))
            # unfilled template slots ("{{Website Name}}") must never reach a customer
            or _PLACEHOLDER.search(clean)
        ):
            continue
        terms = frozenset(analyze(clean))
        if terms:
            units.append(_Unit(clean, source, position, terms))
    return units


def _pieces(text: str) -> list[str]:
    """Split markdown into sentences and list items; a sentence ending in ':' keeps the list that follows.

    Headings and table rows are left out: a heading is no answer, and a table row makes no sense alone.
    """
    pieces: list[str] = []
    paragraph: list[str] = []
    lead: str | None = None  # a "...following:" sentence waiting for its list
    items: list[str] = []

    def flush_paragraph() -> None:
        nonlocal lead
        if paragraph:
            flush_list()
            sentences = _sentences(" ".join(paragraph))
            paragraph.clear()
            if sentences and sentences[-1].endswith(":"):
                lead = sentences.pop()
            pieces.extend(sentences)

    def flush_list() -> None:
        nonlocal lead
        block = "\n".join([lead, *(f"  {item}" for item in items)]) if lead and items else ""
        if block and len(block) <= MAX_BLOCK_CHARS:
            pieces.append(block)
        else:
            pieces.extend(s for item in items for s in _sentences(_LIST_ITEM.sub(r"\1", item)))
        lead, items[:] = None, []

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush_paragraph()  # a blank line ends a paragraph but not a list (loose lists)
        elif _HEADING.match(stripped) or stripped.startswith("|"):
            flush_paragraph()
            flush_list()
        elif _LIST_ITEM.match(stripped):
            flush_paragraph()
            items.append(stripped)
        else:
            paragraph.append(stripped)
    flush_paragraph()
    flush_list()
    return pieces


def _sentences(text: str) -> list[str]:
    parts = _SENTENCE_END.split(" ".join(text.split()))
    merged: list[str] = []
    for part in parts:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"  # "e.g. Blue Account" is one sentence
        else:
            merged.append(part)
    return merged


def _greeting(name: str) -> str:
    first = name.strip().split()[0] if name.strip() else ""
    return f"Hi {first}," if first else "Hi,"


def _answer(greeting: str, chosen: list[_Unit], sources: list[_Source], confidence: float) -> GeneratedReply:
    numbers: dict[int, int] = {}
    cited: list[SourceRef] = []
    lines: list[str] = []
    for unit in chosen:
        if unit.source not in numbers:
            numbers[unit.source] = len(numbers) + 1
            ref = sources[unit.source].ref
            # The snippet shows the first sentence we quoted from this source.
            cited.append(ref.model_copy(update={"snippet": shorten(unit.text, SNIPPET_CHARS)}))
        lines.append(f"- {unit.text} [{numbers[unit.source]}]")  # a block's list stays indented under it
    listing = [
        f"[{n}] {ref.title}" + (f" ({ref.url})" if ref.url else "") for n, ref in enumerate(cited, start=1)
    ]
    text = "\n".join([f"{greeting} here is what I found:", "", *lines, "", "Sources:", *listing])
    return GeneratedReply(text=text, sources=cited, confidence=confidence, abstained=False)


def _abstain(greeting: str, confidence: float) -> GeneratedReply:
    text = (
        f"{greeting} I'm not sure I can answer that correctly, and I'd rather not guess. "
        "Would you like me to connect you with a person from our support team?"
    )
    return GeneratedReply(text=text, sources=[], confidence=confidence, abstained=True)
