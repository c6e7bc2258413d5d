"""Extractive responder that needs no model: it answers only with sentences copied from retrieved passages.

Every sentence in a reply comes verbatim (markdown markup aside) from a given article or resolved ticket and
carries a [n] marker for its numbered source; the only other text is fixed framing with no promises in it.
When the evidence is thin it abstains and offers a person instead of guessing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tandem.contracts import GeneratedReply, GenerationRequest, SimilarTicket, SourceRef
from tandem.knowledge.bm25_index import SNIPPET_CHARS, analyze, shorten
from tandem.knowledge.chunking import chunk_article
from tandem.knowledge.documents import Article
from tandem.knowledge.embeddings import default_embedder, normalize_rows
from tandem.knowledge.interfaces import Embedder
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.knowledge.query_analysis import analyze_query
from tandem.responder import DEFAULT_CONFIDENCE_THRESHOLD

_HEADING = re.compile(r"^#{1,6}\s")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|no|mr|mrs|ms|dr|st)\.$", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")
MAX_UNIT_CHARS = 400
MAX_BLOCK_CHARS = 600
MIN_UNIT_WORDS = 3
# s / (s + 0.1): the hybrid retriever's scores for an answerable question (0.25 to 0.7) give 0.7 to 0.9, a
# passage it barely found (0.02) 0.17. Unnormalised scores (raw BM25) need a half point on their own scale.
DEFAULT_SCORE_HALF_POINT = 0.1
TICKET_MATCH_TICKETS = 3  # the workflow retrieves three similar tickets a turn
# Weight of the category model's probability in the ticket match: 0.1 and 0.3 are within 0.0004 AUROC on
# the clinc150 folds, but from 0.3 on banking77 (77 close intents share probability) loses; 0.2 holds both.
CATEGORY_EXPONENT = 0.2
# 0.29 ** 0.85 = 0.349: where the F1 of abstaining peaked for similarity * coverage on the validation sets
TICKET_MATCH_EXPONENT = 0.85
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
    tokens: tuple[str, ...]  # the analysed text in order (for product names)


class OfflineResponder:
    """Picks the passage sentences that best cover the customer's message and cites them.

    Sentences score by the IDF-weighted message words they contain, scaled by their passage's retrieval
    score; the reply quotes the best one, then up to `max_sentences` more that score at least half as well
    (a quarter for the first `min_sentences`), in the passages' own order. Sentences that name only
    products other than the ones the message names are not quoted.

    confidence = max(quoted, ticket match), where
      quoted       = meaning * retrieval for the articles whose sentences are picked (`quoted_strength`):
        meaning   = the best cosine between the message and a heading section of those articles, with the
                    bundled WordLlama (`passage_meaning`): whether they are about what was asked;
        retrieval = s / (s + score_half_point) for their top retrieval score s (the hybrid retriever's,
                    normalised-BM25 led: where the shared words count). A score of `score_half_point` maps
                    to 0.5; the default 0.1 fits the hybrid retriever's [0, 1] scores;
      ticket match = (similarity * coverage * category probability ** 0.2) ** 0.85 of the best three
                    similar tickets (`ticket_match`): resolved tickets asking the same question make it
                    answerable, with or without a written resolution. Similarity is the index's neighbourhood
                    (or the tickets' scores), coverage how much of each ticket's subject the message echoes
                    (`subject_coverage`: it tells "when does my milk expire" from "when does my card
                    expire"), the probability the index's category model's.
    Both are calibrated so that the default threshold 0.35 separates in- from out-of-scope questions; see
    `tandem.responder.confidence` for the measure it replaced and the validation.

    The confidence says how sure we are that the knowledge covers the question; the reply must also be able
    to say it. A quote needs its own support: an article sentence its articles' `quoted`, a ticket
    resolution the tickets' match (their match is that resolution's evidence); unsupported quotes are left
    out. A question the tickets know but no passage answers (tickets without a written resolution) gets the
    honest "not sure" and the offer of a person, with its confidence reported as it is.
    """

    def __init__(
        self,
        confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
        *,
        score_half_point: float = DEFAULT_SCORE_HALF_POINT,
        max_sentences: int = 4,
        min_sentences: int = 2,
        lexicon: Callable[[], HelpCenterLexicon] | None = None,
    ) -> None:
        self.confidence_threshold = confidence_threshold
        # The help center's lexicon (KnowledgeBackend.lexicon): its spelling corrects the message and its
        # product names leave out sentences about other products. Without it, neither happens.
        self._lexicon = lexicon
        self.score_half_point = score_half_point
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences

    def respond(self, request: GenerationRequest, passages: dict[str, Article]) -> GeneratedReply:
        greeting = _greeting(request.customer.name)
        lexicon = self._lexicon() if self._lexicon is not None else None
        # Read a misspelt message as the help center spells it, as retrieval did.
        message = lexicon.speller.correct(request.message) if lexicon is not None else request.message
        query = set(analyze(message)) - _FILLER
        if not query:
            return _abstain(greeting, 0.0)
        match = ticket_match(request.message, request.similar_tickets)
        sources = _sources(request, passages)
        units = [unit for index, source in enumerate(sources) for unit in _units(source.text, index)]
        if lexicon is not None:
            units = _about_the_products_asked(units, message, lexicon)
        chosen = self._select(units, query, sources, _term_weights(units, query)) if units else []

        articles = sorted({u.source for u in chosen if sources[u.source].ref.kind == "article"})
        quoted = 0.0
        if articles:
            meaning = passage_meaning(message, [sources[i].text for i in articles])
            top_score = max(max(sources[i].ref.score, 0.0) for i in articles)
            quoted = quoted_strength(meaning, top_score / (top_score + self.score_half_point))
        confidence = max(quoted, match)
        # Each quote needs its own support: an article sentence its articles' evidence, a ticket resolution
        # the tickets' match with the message.
        supported = [
            u
            for u in chosen
            if (quoted if sources[u.source].ref.kind == "article" else match) >= self.confidence_threshold
        ]
        if confidence < self.confidence_threshold or not supported:
            return _abstain(greeting, confidence)
        return _answer(greeting, supported, sources, confidence)

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


def _about_the_products_asked(units: list[_Unit], message: str, lexicon: HelpCenterLexicon) -> list[_Unit]:
    """The units that do not speak only of products other than those the message names.

    A passage retrieved for "the annual fee on the Gold Rewards Card" may compare it with the Business Gold
    Rewards Card; quoting that card's $200 fee would answer about the wrong product. Nothing is left out
    when the message names no product the help center knows (tandem.knowledge.names).
    """
    asked = lexicon.names.spans(message)
    if not asked:
        return units
    names = lexicon.names
    return [u for u in units if not names.other_products(names.spans_of_tokens(u.tokens), asked)]


def passage_meaning(message: str, texts: Sequence[str], embedder: Embedder | None = None) -> float:
    """How close in meaning the message is to the closest section of the passages: the best cosine, in [0, 1].

    Passages are split into heading sections as the article index splits articles (without a title: the
    Cohere responder only has the text), and compared with the message's retrieval focus (a long message's
    request clauses) through the bundled WordLlama, whatever embedder retrieval uses, so that one threshold
    holds across deployments. 0 without passages.
    """
    sections = [
        chunk.indexed_text
        for n, text in enumerate(texts)
        for chunk in chunk_article(Article(id=f"passage-{n}", title="", body=text))
    ]
    if not sections:
        return 0.0
    model = embedder if embedder is not None else default_embedder()
    cosine = model.embed_documents(sections) @ model.embed_query(analyze_query(message).focus)
    return float(min(max(float(cosine.max()), 0.0), 1.0))


def quoted_strength(meaning: float, retrieval: float) -> float:
    """Evidence of quoted passages: meaning * retrieval, in [0, 1].

    Meaning leads; retrieval (s / (s + half point) of the retriever's lexical-led score) scales it, so a
    passage the retriever barely found cannot carry an answer however close it reads.
    """
    return min(max(meaning, 0.0), 1.0) * min(max(retrieval, 0.0), 1.0)


def ticket_match(message: str, tickets: Sequence[SimilarTicket]) -> float:
    """How strongly resolved tickets match the message, in [0, 1]: `match_strength` of the best three.

    The best three by the index's similarity, each with its `subject_coverage` of the message. Where the
    index supplies them, its neighbourhood (mean dense cosine of the ten nearest tickets) stands for their
    similarity and their category probabilities join in; tickets from a backend without them (or from an
    older workflow history) are measured by their scores alone.
    """
    best = sorted(tickets, key=lambda t: -t.score)[:TICKET_MATCH_TICKETS]
    message_tokens = _token_units(message)  # once for the three subjects
    coverages = [_coverage(message_tokens, t.subject) for t in best]
    neighbourhood = [t.neighbourhood for t in best if t.neighbourhood is not None]
    scores = [neighbourhood[0]] if neighbourhood else [t.score for t in best]
    probabilities = [t.category_probability for t in best if t.category_probability is not None]
    return match_strength(scores, coverages, probabilities or None)


def match_strength(
    scores: Sequence[float], coverages: Sequence[float], category_probabilities: Sequence[float] | None = None
) -> float:
    """(mean similarity * mean coverage * mean category probability ** 0.2) ** 0.85, in [0, 1].

    0 without scores or coverages; without category probabilities (None) that factor is 1. The three means
    may be over different counts (one neighbourhood similarity, three coverages).

    Similarity says the message reads like the past questions: the ticket index's neighbourhood (mean dense
    cosine of the ten nearest tickets) or, without one, the mean of the tickets' scores. Coverage says it
    also asks what they asked: a message that shares a question's frame but swaps its subject ("how long
    until my milk expires" against "how long until my card expires") is similar but leaves the subject's
    word uncovered. The category probability (the index's softmax model, P(ticket's category | message))
    says it asks what one intent of the history asks: an out-of-scope message in a banking frame spreads its
    probability over several intents. A mean over several tickets rather than the best one: a question that
    recurs in the history is answerable, a single near-paraphrase is less telling.

    The validation behind each factor (AUROC and F1 of abstaining on held-out clinc150 train questions,
    banking77 and bitext queries; never clinc150's scope.jsonl) is in `tandem.responder.confidence`.
    The exponent only places the threshold: the F1 of abstaining peaked at a product (before ** 0.85) of
    0.28 to 0.31 on those sets (0.27 to 0.31 for the earlier measure); 0.29 ** 0.85 = 0.349, the default.
    Calibrated with the default embedder (WordLlama); another embedder's cosines sit on another scale.
    """
    if not scores or not coverages:
        return 0.0
    similarity = sum(min(max(s, 0.0), 1.0) for s in scores) / len(scores)
    coverage = sum(min(max(c, 0.0), 1.0) for c in coverages) / len(coverages)
    category = 1.0
    if category_probabilities:
        category = sum(min(max(p, 0.0), 1.0) for p in category_probabilities) / len(category_probabilities)
    return (similarity * coverage * category**CATEGORY_EXPONENT) ** TICKET_MATCH_EXPONENT


def subject_coverage(message: str, subject: str) -> float:
    """How much of a past ticket's subject the message covers, in [0, 1], from WordLlama's token vectors.

    Each subject token counts with its best cosine to a message token, weighted by its vector norm (WordLlama
    average-pools unnormalised token vectors, so the norm is how much a token weighs in its embeddings:
    "my" 3.9, "milk" 17). A max-match rather than the pooled cosine: one uncovered telling word, drowned in
    the average, shows. Only this direction: the message's own extra words (a merchant, a place) are
    common in questions the tickets answer. 0 when either has no token.
    """
    return _coverage(_token_units(message), subject)


def _token_units(text: str) -> np.ndarray:
    # The bundled WordLlama's token vectors whatever embedder retrieval uses, so one threshold holds.
    return normalize_rows(default_embedder().token_vectors(text))


def _coverage(message_units: np.ndarray, subject: str) -> float:
    subject_vectors = default_embedder().token_vectors(subject)
    weight = np.linalg.norm(subject_vectors, axis=1)
    if not len(message_units) or not len(subject_vectors) or weight.sum() <= 0:
        return 0.0
    best = np.clip((normalize_rows(subject_vectors) @ message_units.T).max(axis=1), 0.0, 1.0)
    return float((best * weight).sum() / weight.sum())


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
        tokens = tuple(analyze(clean))
        if tokens:
            units.append(_Unit(clean, source, position, frozenset(tokens), tokens))
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
