"""How sure a reply may be that it answers the question: measured on what it quotes, the same way for the
offline and the Cohere responder, so one threshold (`settings.answer_confidence_threshold`) serves both.

    confidence = retrieval * sqrt(coverage * meaning)

- coverage: the share of the question's words the quoted text holds (what a quoted statement is about, its
  heading or FAQ question, counts as held), each word weighted by how specific it is in this help center
  (`Vocabulary.specificity`, log(1 + N / (1 + df))) and the words of the situation around the question by
  `BACKGROUND_WEIGHT`. A quoted value answers "how much" / "how many" / "the highest". A word of the
  situation the help center never uses ("my dad", "a laptop") is the customer's story and does not count;
  a word of the question itself that it never uses ("mortgage", "Roth IRA") counts most. This is what tells
  an answer from a reply that merely shares the question's frame ("What's the interest rate on a 12-month
  CD?" answered with a savings account's rate leaves "CD" open).
- meaning: the best cosine between the message's retrieval focus (or one of the things it asks, read without
  the situation around them) and a quoted text, with the bundled WordLlama whatever embedder retrieval uses:
  word overlap without the sense does not answer.
- retrieval: s / (s + score_half_point) of the best retrieval score among the quoted articles, so an article
  the retriever barely found cannot carry an answer however well its words match.

A geometric mean of coverage and meaning: either alone near zero means no answer. Measured at threshold 0
(every reply kept): the answers judged correct and the questions the help center does not answer separate
with AUROC 0.98 on rho_bank's answers suite and on data/eval/rho_answers. Correct against wrong answers it
separates far less (0.85 / 0.76): a wrong statement about the right topic reads as well as the right one,
which is why the choice of statement (tandem.responder.selection), not this number, has to keep wrong
figures out. The offline responder scales it by the share of the parts
asked that are answered and lowers it when the help center in scope states another figure for the same
thing. The threshold is the shipped 0.35; on both suites the questions they do not answer stay below it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.lexicon import Vocabulary
from tandem.knowledge.names import ProductNames
from tandem.knowledge.query_analysis import analyze_query
from tandem.responder.evidence import DEFAULT_SCORE_HALF_POINT
from tandem.responder.focus import named_in
from tandem.responder.question import FRAME, PRICES, Question
from tandem.responder.values import acronyms_of, terms_of, values_in


def retrieval_strength(score: float, score_half_point: float = DEFAULT_SCORE_HALF_POINT) -> float:
    score = max(score, 0.0)
    return score / (score + score_half_point)


def covered_words(question: Question, quoted: Sequence[str]) -> frozenset[str]:
    """The question's words the quoted texts hold; a quoted value answers the words that only ask for one."""
    said = frozenset(t for text in quoted for t in terms_of(text))
    held = question.words & (said | frozenset(t for text in quoted for t in acronyms_of(text)))
    if any(values_in(text) for text in quoted):
        held |= question.words & FRAME
    if said & PRICES:  # "what do you charge": a price the help center calls a fee is what was asked
        held |= question.words & PRICES
    return held


def specific_coverage(question: Question, covered: frozenset[str], vocabulary: Vocabulary) -> float:
    """The specificity-weighted share of the question's words that are `covered` (module docstring)."""
    weights = {
        t: vocabulary.specificity(t) * question.weight_of(t)
        for t in question.words
        if t in question.terms or vocabulary.frequency.get(t)
    }
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in covered) / total if total > 0 else 0.0


def meaning(message: str, quoted: Sequence[str], asked: Sequence[str] = ()) -> float:
    """The best cosine between the message's retrieval focus, or one of the things it asks (`asked`: the
    question read without the situation told around it), and a quoted text, in [0, 1]."""
    if not quoted:
        return 0.0
    model = default_embedder()
    texts = [analyze_query(message).focus, *asked]
    queries = np.vstack([model.embed_query(text) for text in texts])
    cosine = model.embed_documents(list(quoted)) @ queries.T
    return float(min(max(float(cosine.max()), 0.0), 1.0))


def quoted_confidence(
    message: str, question: Question, quoted: Sequence[str], retrieval: float, vocabulary: Vocabulary
) -> float:
    """retrieval * sqrt(coverage * meaning) of the quoted texts, in [0, 1]."""
    if not quoted:
        return 0.0
    coverage = specific_coverage(question, covered_words(question, quoted), vocabulary)
    asked = [ask.text for ask in question.asks if ask.text]
    inside = min(max(coverage, 0.0), 1.0) * meaning(message, quoted, asked)
    return min(max(retrieval, 0.0), 1.0) * math.sqrt(inside)


def read_question(message: str, names: ProductNames, focus_names: Sequence[str] = ()) -> Question:
    """The question of a message, with the product names it or its focus uses left out of its words
    (the product is kept to by scope, not by coverage)."""
    written = [*named_in(message, names), *focus_names]
    spans = {span for name in written for span in names.spans(name)}
    return Question.read(message, frozenset(t for span in spans for t in span))
