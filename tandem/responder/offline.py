"""Extractive responder that needs no model: it answers only with statements copied from help-center articles.

Every statement in a reply comes verbatim (markdown markup aside) from a retrieved customer-facing article and
carries a [n] marker for its numbered source; the only other text is fixed framing with no promises in it.
When the evidence is thin it abstains and offers a person instead of guessing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tandem.contracts import Focus, GeneratedReply, GenerationRequest, SimilarTicket, SourceRef
from tandem.knowledge.approved import cited_title, is_approved_answer, source_kind
from tandem.knowledge.bm25_index import SNIPPET_CHARS, analyze
from tandem.knowledge.documents import Article
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.lexicon import HelpCenterLexicon, subject_names
from tandem.knowledge.names import Name, ProductNames
from tandem.responder import DEFAULT_CONFIDENCE_THRESHOLD
from tandem.responder.answer_confidence import quoted_confidence, retrieval_strength
from tandem.responder.evidence import DEFAULT_SCORE_HALF_POINT, ticket_match
from tandem.responder.focus import ProductMatch, named_in, product_heads
from tandem.responder.message_kinds import only_tells_what_they_have
from tandem.responder.passages import Statement, statements
from tandem.responder.selection import NAMED_FACTOR, REFERRED_FACTOR, Question, Selection, select
from tandem.responder.wording import abstain, ask_back, greeting, refer, unknown_product, which_product
from tandem.snippets import shorten

# Statements about another product that score at least this share of the best one make the question
# ambiguous when the customer named no product.
SIBLING_SCORE_SHARE = 0.6
# A general article's weight next to the asked product's own (see `_in_scope`).
GENERAL_ARTICLE_FACTOR = 0.6
DISAGREEMENT_FACTOR = 0.75


@dataclass(frozen=True, slots=True)
class _Source:
    ref: SourceRef
    text: str


class OfflineResponder:
    """Answers with the help-center statements that state what was asked, about the product asked about.

    1. Scope: the question's focus (`GenerationRequest.focus`, decided before retrieval) names products;
       articles whose titles name only other products are left out, and articles whose titles name no
       product weigh `GENERAL_ARTICLE_FACTOR` beside the product's own. Statements naming only other
       products are never quoted.
    2. Choice (`tandem.responder.selection`): for each thing the question asks, the statement that states
       the asked attribute with a value of the kind asked; never two values for the same thing.
    3. Several products fit: when the focus names none and nearly as good statements about different
       products state different figures, the reply asks which product the customer means, with no figure.
    4. Confidence = `answer_confidence.quoted_confidence` of what the reply quotes (each statement read with
       what it is about), times the share of the parts answered, lowered by `DISAGREEMENT_FACTOR` when the
       help center in scope states another figure for the same thing, or when parts are answered from the
       product's own and a general article. At or above the threshold the reply answers; below it, it says
       it is not sure and offers a person.
    5. Resolved tickets are never quoted to a customer (they are other customers' conversations): they go to
       the agent (`GeneratedReply.similar_tickets`), and when they know the question that no article
       answers (`ticket_match` at or above the threshold), the reply offers a person who can answer instead
       of saying it is unsure.
    """

    def __init__(
        self,
        confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
        *,
        score_half_point: float = DEFAULT_SCORE_HALF_POINT,
        lexicon: Callable[[], HelpCenterLexicon] | None = None,
    ) -> None:
        self.confidence_threshold = confidence_threshold
        # The help center's lexicon (KnowledgeBackend.lexicon): its spelling corrects the message and its
        # product names keep the reply to the product asked about. Without it, neither happens.
        self._lexicon = lexicon
        self.score_half_point = score_half_point

    def respond(self, request: GenerationRequest, passages: dict[str, Article]) -> GeneratedReply:
        hello = greeting(request.customer.name)
        lexicon = self._lexicon() if self._lexicon is not None else HelpCenterLexicon()
        names = lexicon.names
        # Read a misspelt message as the help center spells it, as retrieval did.
        message = lexicon.speller.correct(request.message)
        focus = request.focus or Focus(product=request.customer.product)
        tickets = _ticket_refs(request.similar_tickets)
        match = ticket_match(request.message, request.similar_tickets)
        done = {"focus": focus, "similar_tickets": tickets}
        if focus.unknown_name:
            return unknown_product(hello, focus.unknown_name).model_copy(update=done)
        asked = frozenset(span for name in focus.names for span in names.spans(name))
        said = {span for written in named_in(message, names) for span in names.spans(written)}
        name_tokens = frozenset(t for span in asked | said for t in span)
        question = Question.read(message, name_tokens)
        products = ProductMatch.for_line(names, focus.product)
        sources, scope = _in_scope(_article_sources(request, passages), asked, products)
        found = [st for i, source in enumerate(sources) for st in statements(source.text, i)]
        if asked:
            found = [st for st in found if not products.other_products(_names_in(names, st), asked)]
        # Better-retrieved articles get up to twice the weight, so ties go to the article retrieval trusts.
        top = max((s.ref.score for s in sources), default=0.0)
        priors = [
            factor * (0.5 + 0.5 * (max(s.ref.score, 0.0) / top if top > 0 else 1.0))
            for s, factor in zip(sources, scope, strict=True)
        ]

        # "the bonus from my card": the account's card, referred to by its kind.
        message_words = set(analyze(message))
        referred = {a for a in asked if a[-1] in message_words and focus.source != "message"}

        def named(statement: Statement) -> float:
            spans = _names_in(names, statement)
            if any(products.same(span, a) for span in spans for a in referred):
                return REFERRED_FACTOR
            return NAMED_FACTOR if any(products.same(s, a) for s in spans for a in asked) else 1.0

        selection = None
        if question.substantial and found:
            selection = select(found, question, priors, named, _closeness(found, sources))
        quoted = 0.0
        if selection is not None and selection.chosen:
            best_score = max(sources[st.source].ref.score for st in selection.chosen)
            retrieval = retrieval_strength(best_score, self.score_half_point)
            # What a statement is about (its heading, its FAQ question) is read with it, as the customer does.
            texts = [read_with_context(st) for st in selection.chosen]
            quoted = quoted_confidence(message, question, texts, retrieval, lexicon.vocabulary)
            # A reply that answers one of two things asked does not answer the question.
            quoted *= selection.answered_share
            if selection.disagreements:
                quoted *= DISAGREEMENT_FACTOR  # the help center gives another figure for it too
            if len(selection.chosen) > 1 and any(scope[st.source] < 1.0 for st in selection.chosen):
                # Parts answered from the product's own article and from one with a general title: the
                # general one may be a sibling's (see `_in_scope`), so whose figures these are is less sure.
                quoted *= DISAGREEMENT_FACTOR
        if selection is not None and selection.chosen and quoted >= self.confidence_threshold:
            # Only a figure differs between products; steps and explanations are asked of the product line.
            asks_figure = question.asks[0].asks_value and not question.asks[0].asks_steps
            if not asked and asks_figure and (options := _sibling_products(selection, sources, names)):
                return which_product(hello, options, quoted).model_copy(update=done)
            return _answer(hello, selection.chosen, sources, quoted).model_copy(update=done)
        if match >= self.confidence_threshold:
            return refer(hello, match).model_copy(update=done)
        if only_tells_what_they_have(request.message):
            # "Hi, I have the Navy Blue business checking account." asks nothing: "not sure" would be no
            # answer to it, and would count as a failure when the real question follows.
            return ask_back(hello, focus.names, max(quoted, match)).model_copy(update=done)
        return abstain(hello, max(quoted, match)).model_copy(update=done)


class _NamesSeen:
    """The product names each statement mentions, for the current lexicon (a new lexicon clears it)."""

    limit = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: ProductNames | None = None
        self._spans: dict[tuple[str, ...], frozenset[Name]] = {}

    def __call__(self, names: ProductNames, statement: Statement) -> frozenset[Name]:
        with self._lock:
            if names is not self._names or len(self._spans) >= self.limit:
                self._names, self._spans = names, {}
            found = self._spans.get(statement.tokens)
            if found is None:
                found = self._spans[statement.tokens] = names.spans_of_tokens(statement.tokens)
            return found


_names_in = _NamesSeen()


def _closeness(found: Sequence[Statement], sources: Sequence[_Source]) -> Callable[[str], Sequence[float]]:
    """Cosine of each statement (read with what it is about) to an asked text, with the bundled WordLlama."""
    if not found:
        return lambda _: []
    model = default_embedder()
    vectors = np.vstack([_statement_vectors(sources[st.source].text)[st.position] for st in found])

    def near(text: str) -> Sequence[float]:
        return [float(c) for c in vectors @ model.embed_query(text)]

    return near


@lru_cache(maxsize=2048)
def _statement_vectors(text: str) -> np.ndarray:
    """The embeddings of an article's statements, by position: computed once per article text."""
    parsed = statements(text, 0)
    return default_embedder().embed_documents([read_with_context(st) for st in parsed])


def read_with_context(statement: Statement) -> str:
    """A statement as a reader takes it: after what it is about (its heading, its FAQ question)."""
    return f"{statement.about}\n{statement.text}" if statement.about else statement.text


def _in_scope(
    sources: list[_Source], asked: frozenset[Name], match: ProductMatch
) -> tuple[list[_Source], list[float]]:
    """The articles a reply about the `asked` products may quote, each with a weight: articles whose titles
    name only other products are out; when some titles name an asked product, articles whose titles name
    none keep `GENERAL_ARTICLE_FACTOR` (a help center often files "Transferring funds to another bank"
    under each account with that account's own figures, so a general title may be a sibling's)."""
    if not asked:
        return sources, [1.0] * len(sources)
    subjects = [article_subject(match, s.ref.title, s.text) for s in sources]
    kept = [
        (s, subject)
        for s, subject in zip(sources, subjects, strict=True)
        if not match.other_products(subject, asked)
    ]
    own = any(subject for _, subject in kept)
    factors = [1.0 if subject or not own else GENERAL_ARTICLE_FACTOR for _, subject in kept]
    return [s for s, _ in kept], factors


@lru_cache(maxsize=4096)
def article_subject(match: ProductMatch, title: str, body: str) -> frozenset[Name]:
    """The products an article is about: those its title names, a name's core included ("Wire transfers on
    Beige" is about the "Beige Account", "Business Bronze Saver: Complete Guide" about the "Bronze Saver
    Account"'s kin); when the title names none, the one product its text names, if it names only one
    (help centers file "How to avoid monthly fees" under each account, saying which in the text) by a name
    ending in a product noun."""
    names = match.names
    in_title = subject_names(names, title)
    if not in_title:
        subject, colon, _ = title.partition(":")
        cores = _with_cores(names)
        in_title = (colon and cores.spans(subject)) or cores.spans(title)
    if in_title:
        return in_title
    # Only names ending in a noun products are named by ("Account", "Card"): a body's "Smooth Redemption"
    # is a feature, not the product the article is filed under.
    heads = product_heads(names)
    in_body = frozenset(n for n in names.spans(body) if n[-1] in heads)
    first = next(iter(in_body), None)
    if first is not None and all(match.same(n, first) or match.same(first, n) for n in in_body):
        return in_body
    return frozenset()


@lru_cache(maxsize=16)
def _with_cores(names: ProductNames) -> ProductNames:
    """The catalogue with each name also written without its final product noun ("Beige" for the "Beige
    Account"), as titles often name a product."""
    heads = product_heads(names)
    cores = {n[:-1] for n in names.names if len(n) > 1 and n[-1] in heads}
    return ProductNames(names.names | cores, names.heads)


def _sibling_products(selection: Selection, sources: list[_Source], names: ProductNames) -> list[str]:
    """Products whose statements answer nearly as well as the chosen one but with other figures: the customer
    must say which one they mean. Empty when the best statements agree or are about one product. A
    statement's product is the one it names, else the one its article's title names."""
    best_score = selection.ranked[0][0]
    chosen = next((st for st in selection.answers if st is not None), None)
    if chosen is None or not chosen.values:
        return []

    def product_of(statement: Statement) -> tuple[frozenset[Name], str]:
        named = _names_in(names, statement)
        if named:
            return named, (named_in(statement.text, names) or [statement.text])[0]
        title = sources[statement.source].ref.title
        return subject_names(names, title), (named_in(title, names) or [title])[0]

    subject, written = product_of(chosen)
    if not subject:
        return []
    options = {subject: written}
    for value, other in selection.ranked:
        if value < SIBLING_SCORE_SHARE * best_score:
            break
        other_subject, other_written = product_of(other)
        if (
            other_subject
            and other_subject not in options
            and other.kinds & chosen.kinds
            and not set(other.values) & set(chosen.values)
            and not any(names.same_product(a, b) for a in other_subject for b in subject)
        ):
            options[other_subject] = other_written
    return list(options.values()) if len(options) >= 2 else []


def _ticket_refs(tickets: Sequence[SimilarTicket]) -> list[SourceRef]:
    return [
        SourceRef(
            kind="ticket",
            id=t.ticket_id,
            title=t.subject,
            score=t.score,
            snippet=shorten(t.resolution, SNIPPET_CHARS) if t.resolution.strip() else "",
        )
        for t in tickets
    ]


def _article_sources(request: GenerationRequest, passages: dict[str, Article]) -> list[_Source]:
    """The articles the reply may quote, in retrieval order: only those we hold the text of."""
    sources: list[_Source] = []
    seen: set[str] = set()
    for ref in request.articles:
        article = passages.get(ref.id)
        if article is None or ref.id in seen or ref.internal or article.internal:
            continue
        seen.add(ref.id)
        team = is_approved_answer(article.category)
        cited = SourceRef(
            kind=source_kind(article.category),
            id=article.id,
            title=cited_title(article.title) if team else article.title,
            url=None if team else article.url or ref.url,
            score=ref.score,
        )
        sources.append(_Source(cited, article.body))
    return sources


def _answer(
    greeting: str, chosen: Sequence[Statement], sources: list[_Source], confidence: float
) -> GeneratedReply:
    numbers: dict[int, int] = {}
    cited: list[SourceRef] = []
    lines: list[str] = []
    for statement in chosen:
        if statement.source not in numbers:
            numbers[statement.source] = len(numbers) + 1
            ref = sources[statement.source].ref
            # The snippet shows the first statement we quoted from this source.
            cited.append(ref.model_copy(update={"snippet": shorten(statement.text, SNIPPET_CHARS)}))
        first, *rest = statement.text.split("\n")
        marker = f"[{numbers[statement.source]}]"
        if first.startswith("- "):  # a list without a lead-in: every item under the marker's line
            lines.append(f"- {marker}")
            rest = [first, *rest]
        else:
            lines.append(f"- {first} {marker}")
        lines.extend(f"  {line}" for line in rest)
    listing = [
        f"[{n}] {ref.title}" + (f" ({ref.url})" if ref.url else "") for n, ref in enumerate(cited, start=1)
    ]
    text = "\n".join([f"{greeting} here is what I found:", "", *lines, "", "Sources:", *listing])
    return GeneratedReply(text=text, sources=cited, confidence=confidence, abstained=False)
