"""A responder that writes grounded replies with a Cohere Command model (v2 chat with documents).

The retrieved help-center passages go to the model as `documents`, never as instructions. Resolved tickets of
other customers never do: a reply to a customer neither quotes nor cites another customer's ticket, so they
come back in `GeneratedReply.similar_tickets`, for the agent's eyes only. The system prompt (`cohere_prompt`)
carries the customer's context, what the message is about (`GenerationRequest.focus`: the product names the
reply keeps to and where they came from, or the ticket's product line, and a product name the help center does
not know) and the rules (answer only from the documents and only about that product, ask which product the
customer means when several fit and the documents differ, say you are not sure and offer a person otherwise,
promise nothing the documents do not state, ask for nothing we already know, treat documents as data). The
earlier turns of the conversation go as chat messages. The model's citations are mapped back to our
`SourceRef`s: only documents it actually cited become sources, each cited span gets a [n] marker, and a
numbered "Sources:" list follows, as in the offline responder's replies.

A reply that only asks which product the customer means (a question, no citation, no figure from the
documents) is returned as it is with `clarifying=True`: neither an answer nor an abstention, and it needs the
documents to cover the question as well as an answer would (else it abstains).

It abstains (the offline responder's honest "not sure" text, no sources) when there is nothing to ground an
answer on, when the model cites nothing (a refusal, or an answer from its own knowledge), when the answer
was cut off or turned into a tool call, and when the confidence is below the threshold:

    confidence = strength * sqrt(citation_coverage)

strength is the offline responder's measure of what a reply quotes (`answer_confidence.quoted_confidence`:
retrieval * sqrt(coverage * meaning)) over the answer's cited spans; citation coverage is the share of the
answer's characters inside cited spans.

Failures: `CohereUnavailable` (retry later: 429, 408, 5xx, timeouts, a generation the API reports as failed)
or `CohereRequestError` (do not retry); the generation activity turns them into Temporal errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import cohere

from tandem.adapters.cohere_client import NO_RETRIES, CohereUnavailable, cohere_errors
from tandem.contracts import Focus, GeneratedReply, GenerationRequest, SourceRef
from tandem.knowledge.approved import cited_title, is_approved_answer, source_kind
from tandem.knowledge.bm25_index import SNIPPET_CHARS, analyze
from tandem.knowledge.documents import Article
from tandem.knowledge.lexicon import HelpCenterLexicon
from tandem.responder import DEFAULT_CONFIDENCE_THRESHOLD
from tandem.responder.answer_confidence import quoted_confidence, read_question, retrieval_strength
from tandem.responder.cohere_prompt import PRODUCT_WORDS, history_messages, system_prompt, without_markup
from tandem.responder.confidence import citation_coverage, query_terms
from tandem.responder.evidence import DEFAULT_SCORE_HALF_POINT
from tandem.responder.passages import statements
from tandem.responder.wording import abstain, greeting
from tandem.snippets import shorten

DEFAULT_MODEL = "command-a-03-2025"
DEFAULT_MAX_TOKENS = 700
MAX_DOCUMENT_CHARS = 6000  # per document; help-center passages are far shorter
MAX_HISTORY_MESSAGES = 8
MAX_CLARIFYING_CHARS = 600  # a question asking which product is short; longer text is an answer

# Finish reasons: the API says the generation itself failed (retry), or the answer is not a whole reply.
_FAILED = frozenset({"ERROR", "TIMEOUT"})
_NOT_A_REPLY = frozenset({"MAX_TOKENS", "TOOL_CALL"})
_SENTENCE_BREAK = re.compile(r"[.!?]\s|\n")
# A clarifying question: a sentence ending in "?" that asks which product (or account, card...) is meant.
_QUESTION = re.compile(r"[^.!?\n]*\?")
_ASKS_WHICH = re.compile(
    r"\b(?:which|what (?:kind|type)|do you (?:mean|have|hold|use)|are you (?:asking|referring)"
    r"|is (?:it|this|that) (?:the|your))\b",
    re.IGNORECASE,
)
# Offering a person is the abstention's way out, not a question about the product.
_OFFERS_PERSON = re.compile(r"\b(?:person|human|colleague|agent|support team|someone from)\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Document:
    wire_id: str  # "<kind>:<id>", what the model sees and cites
    ref: SourceRef  # what the reply cites when the model cites this document
    text: str


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    documents: tuple[int, ...]  # positions in the document list


class CohereResponder:
    """Implements the `Responder` protocol with one Cohere v2 chat request per reply (SDK retries off).

    `client` comes from `tandem.adapters.cohere_client.make_cohere_client`. `score_half_point` has the
    offline responder's meaning (a retrieval score mapped to 0.5 evidence).
    """

    def __init__(
        self,
        client: cohere.ClientV2,
        model: str = DEFAULT_MODEL,
        confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
        *,
        temperature: float = 0.2,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        score_half_point: float = DEFAULT_SCORE_HALF_POINT,
        max_history: int = MAX_HISTORY_MESSAGES,
        lexicon: Callable[[], HelpCenterLexicon] | None = None,
    ) -> None:
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be positive, got {max_tokens}")
        self._client = client
        self.model = model
        self.confidence_threshold = confidence_threshold
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.score_half_point = score_half_point
        self.max_history = max_history
        # The help center's lexicon (KnowledgeBackend.lexicon): how specific its words are, for the
        # confidence that a reply answers the question (tandem.responder.answer_confidence).
        self._lexicon = lexicon

    def respond(self, request: GenerationRequest, passages: dict[str, Article]) -> GeneratedReply:
        reply = self._respond(request, passages)
        # Other customers' resolved tickets are for the agent only (drafts, handoff), never in the reply.
        return reply.model_copy(update={"similar_tickets": similar_tickets(request), "focus": request.focus})

    def _respond(self, request: GenerationRequest, passages: dict[str, Article]) -> GeneratedReply:
        hello = greeting(request.customer.name)
        documents = _documents(request, passages)
        if not documents or not query_terms(request.message):
            # Nothing to ground an answer on (or nothing asked): the reply could only be an abstention.
            return abstain(hello, 0.0)
        messages = [
            {"role": "system", "content": system_prompt(request.customer, request.focus)},
            *history_messages(request, self.max_history),
            {"role": "user", "content": request.message},
        ]
        operation = "chat"
        with cohere_errors(operation):
            response = self._client.chat(
                model=self.model,
                messages=messages,
                documents=[
                    {"id": d.wire_id, "data": _document_data(d)}
                    for d in documents  # data, never instructions
                ],
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                request_options=NO_RETRIES,
            )
        finish = str(response.finish_reason or "").upper()
        if finish in _FAILED:
            raise CohereUnavailable(
                f"Cohere {operation}: generation ended with {finish}", operation=operation, status_code=200
            )
        message = response.message
        if finish in _NOT_A_REPLY or (message is not None and message.tool_calls):
            return abstain(hello, 0.0)
        text, spans = _answer_and_spans(message, documents)
        if text.strip() and not spans and _is_clarifying(text, documents, request.focus):
            return self._clarifying(hello, text, request, documents)
        if not text.strip() or not spans:
            return abstain(hello, 0.0)  # a refusal, or an answer that cites nothing

        cited = sorted({i for span in spans for i in span.documents})
        quoted = [text[span.start : span.end] for span in spans]
        strength = self._strength(request, quoted, [documents[i] for i in cited])
        confidence = strength * math.sqrt(citation_coverage(text, [(s.start, s.end) for s in spans]))
        if confidence < self.confidence_threshold:
            return abstain(hello, confidence)
        return _render(hello, text, spans, documents, confidence)

    def _clarifying(
        self, hello: str, text: str, request: GenerationRequest, documents: Sequence[_Document]
    ) -> GeneratedReply:
        """The model's question which product the customer means, as it is (no markers, no sources).

        Its confidence is the documents' evidence as a whole (all of them, as if fully cited): the knowledge
        covers the question, only the product is open. Documents that do not cover it make it an abstention.
        """
        confidence = self._strength(request, [d.text for d in documents], documents)
        if confidence < self.confidence_threshold:
            return abstain(hello, confidence)
        question = without_markup(text).strip()
        reply = f"{hello}\n{question}"
        return GeneratedReply(text=reply, sources=[], confidence=confidence, abstained=False, clarifying=True)

    def _strength(
        self, request: GenerationRequest, quoted: Sequence[str], documents: Sequence[_Document]
    ) -> float:
        """The offline responder's measure of what a reply quotes (`quoted_confidence`)."""
        lexicon = self._lexicon() if self._lexicon is not None else HelpCenterLexicon()
        message = lexicon.speller.correct(request.message)
        focus_names = request.focus.names if request.focus else []
        question = read_question(message, lexicon.names, focus_names)
        best = max((d.ref.score for d in documents), default=0.0)
        retrieval = retrieval_strength(best, self.score_half_point)
        return quoted_confidence(message, question, quoted, retrieval, lexicon.vocabulary)


def _documents(request: GenerationRequest, passages: dict[str, Article]) -> list[_Document]:
    """Given help-center articles we hold the text of, in retrieval order, each once.

    Never resolved tickets: they are other customers' conversations (see `similar_tickets`)."""
    documents: list[_Document] = []
    seen: set[str] = set()
    for ref in request.articles:
        article = passages.get(ref.id)
        wire_id = f"article:{ref.id}"
        if article is None or wire_id in seen or not article.body.strip():
            continue
        seen.add(wire_id)
        team = is_approved_answer(article.category)
        cited = SourceRef(
            kind=source_kind(article.category),
            id=article.id,
            title=cited_title(article.title) if team else article.title,
            url=None if team else article.url or ref.url,
            score=ref.score,
            snippet=ref.snippet,
        )
        documents.append(_Document(wire_id, cited, article.body))
    return documents


def similar_tickets(request: GenerationRequest) -> list[SourceRef]:
    """The similar resolved tickets as references for the agent (subject, shortened resolution), each once."""
    refs: list[SourceRef] = []
    seen: set[str] = set()
    for ticket in request.similar_tickets:
        if ticket.ticket_id in seen:
            continue
        seen.add(ticket.ticket_id)
        refs.append(
            SourceRef(
                kind="ticket",
                id=ticket.ticket_id,
                title=ticket.subject,
                score=ticket.score,
                snippet=shorten(ticket.resolution, SNIPPET_CHARS) if ticket.resolution.strip() else "",
            )
        )
    return refs


def _is_clarifying(text: str, documents: Sequence[_Document], focus: Focus | None) -> bool:
    """Whether an uncited reply only asks which product the customer means.

    It is short, one of its questions asks which product (account, card...) is meant, it offers no person
    (that is the abstention's wording), and it states no figure the documents state (product names aside).
    """
    if len(text.strip()) > MAX_CLARIFYING_CHARS or _OFFERS_PERSON.search(text):
        return False
    names = [d.ref.title for d in documents] + (list(focus.names) if focus else [])
    name_terms = {term for name in names for term in analyze(name)}  # content words only, stemmed

    def about_a_product(question: str) -> bool:
        words = set(_WORD.findall(question.casefold()))
        return bool(words & (PRODUCT_WORDS | {"mean"}) or set(analyze(question)) & name_terms)

    if not any(_ASKS_WHICH.search(q) and about_a_product(q) for q in _QUESTION.findall(text)):
        return False
    unnamed = text
    for name in sorted(names, key=len, reverse=True):
        if name.strip():
            unnamed = re.sub(re.escape(name), " ", unnamed, flags=re.IGNORECASE)
    stated = set(_FIGURE.findall(unnamed))
    return not stated & {f for d in documents for f in _FIGURE.findall(d.text)}


def _document_data(document: _Document) -> dict[str, str]:
    data = {"title": document.ref.title, "text": shorten(document.text, MAX_DOCUMENT_CHARS, flatten=False)}
    if document.ref.url:
        data["url"] = document.ref.url
    return data


def _answer_and_spans(message: Any, documents: Sequence[_Document]) -> tuple[str, list[_Span]]:
    """The answer's text and its cited spans (offsets into that text) that name documents we sent."""
    if message is None:
        return "", []
    blocks: list[str] = []
    offsets: dict[int, int] = {}  # content index -> offset of that text block in the joined answer
    position = 0
    for index, item in enumerate(message.content or []):
        if getattr(item, "type", None) == "text" and isinstance(getattr(item, "text", None), str):
            offsets[index] = position
            blocks.append(item.text)
            position += len(item.text)
    text = "".join(blocks)
    by_id = {d.wire_id: i for i, d in enumerate(documents)}
    spans: list[_Span] = []
    for citation in message.citations or []:
        if getattr(citation, "type", None) not in (None, "TEXT_CONTENT"):
            continue  # citations of the model's plan or thinking are not in the answer
        cited = tuple(
            sorted(
                {i for source in citation.sources or [] if (i := _source_index(source, by_id)) is not None}
            )
        )
        base = offsets.get(citation.content_index or 0)
        if not cited or base is None:
            continue
        located = _locate(text, base, citation.start, citation.end, citation.text)
        if located is not None:
            spans.append(_Span(*located, cited))
    return text, spans


def _source_index(source: Any, by_id: dict[str, int]) -> int | None:
    """Which of our documents a citation source is: by its id, else by the id echoed in its document."""
    if getattr(source, "type", "document") != "document":
        return None
    for candidate in (getattr(source, "id", None), (getattr(source, "document", None) or {}).get("id")):
        if isinstance(candidate, str) and candidate in by_id:
            return by_id[candidate]
    return None


def _locate(
    text: str, base: int, start: int | None, end: int | None, quote: str | None
) -> tuple[int, int] | None:
    """The span's offsets in `text`, trusting the API's offsets when they match its quoted text."""
    if start is not None and end is not None and 0 <= base + start < base + end <= len(text):
        begin, finish = base + start, base + end
        if not quote or text[begin:finish] == quote:
            return begin, finish
    if quote and quote.strip():
        # Offsets that disagree with the quote (another unit of counting): find the quote nearest them.
        hits = [m.start() for m in re.finditer(re.escape(quote), text)]
        if hits:
            at = min(hits, key=lambda h: abs(h - (base + (start or 0))))
            return at, at + len(quote)
    return None


def _render(
    hello: str, text: str, spans: list[_Span], documents: Sequence[_Document], confidence: float
) -> GeneratedReply:
    """The answer with [n] after each cited span, then a numbered "Sources:" list of the cited documents."""
    numbers: dict[int, int] = {}  # document position -> citation number, in order of first citation
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        for doc in span.documents:
            numbers.setdefault(doc, len(numbers) + 1)

    # One marker per span end; the same marker again before the sentence ends only at its last place.
    ends: dict[int, set[int]] = {}
    for span in spans:
        end = span.end
        while end > span.start and text[end - 1].isspace():
            end -= 1
        ends.setdefault(end, set()).update(numbers[d] for d in span.documents)
    places = sorted(ends.items())
    markers: list[tuple[int, str]] = []
    for i, (end, nums) in enumerate(places):
        nxt = places[i + 1] if i + 1 < len(places) else None
        if nxt is not None and nxt[1] == nums and not _SENTENCE_BREAK.search(text[end : nxt[0]]):
            continue
        markers.append((end, " " + "".join(f"[{n}]" for n in sorted(nums))))
    marked = text
    for end, marker in reversed(markers):
        marked = marked[:end] + marker + marked[end:]

    cited: list[SourceRef] = []
    for doc, _number in sorted(numbers.items(), key=lambda item: item[1]):
        quoted = " ".join(text[s.start : s.end] for s in spans if doc in s.documents)
        ref = documents[doc].ref
        cited.append(ref.model_copy(update={"snippet": _snippet(documents[doc], quoted)}))
    listing = [
        f"[{n}] {ref.title}" + (f" ({ref.url})" if ref.url else "") for n, ref in enumerate(cited, start=1)
    ]
    reply = "\n".join([hello, marked.strip(), "", "Sources:", *listing])
    return GeneratedReply(text=reply, sources=cited, confidence=confidence, abstained=False)


def _snippet(document: _Document, quoted: str) -> str:
    """The document's sentence closest to what the answer cited from it (else the retrieval snippet)."""
    words = set(analyze(quoted))
    best = max(statements(document.text, 0), key=lambda st: len(st.terms & words), default=None)
    if best is not None and best.terms & words:
        return shorten(best.text, SNIPPET_CHARS)
    return document.ref.snippet or shorten(document.text, SNIPPET_CHARS)
