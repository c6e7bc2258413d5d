"""The ticket-history evidence that a question is answerable, and the validation behind it; citation coverage.

A reply's own confidence (whether it answers the question) is `tandem.responder.answer_confidence`. This
module keeps what the ticket history knows, which the offline responder reports when only resolved tickets
know a question (it offers a person then) and which `tandem eval`'s scope part measures, with the record of
how it was chosen. The passage measure below ("quoted") is the one `answer_confidence` replaced:

  quoted       = meaning * retrieval      for the passages a reply quotes or cites
    meaning   = the best cosine between the message (its retrieval focus) and a heading section of those
                passages, with the bundled WordLlama whatever embedder retrieval uses (`passage_meaning`);
    retrieval = s / (s + score_half_point) for the top retrieval score s among them (the hybrid retriever's
                score: normalised BM25 led, so this is where the words the message shares count);
  ticket match = (similarity * mean coverage * mean category probability ** 0.2) ** 0.85 over the three best
                similar tickets (`ticket_match`, `match_strength`): resolved tickets asking the same
                question, with or without a written resolution. Similarity is the ticket index's
                neighbourhood: the mean dense cosine between the message and its ten nearest tickets
                (`SimilarTicket.neighbourhood`; without one, the mean of the three tickets' scores, the
                index's 0.75 dense cosine + 0.25 normalised BM25). Coverage is how much of each ticket's
                subject the message covers: each subject token's best cosine to a message token in
                WordLlama's token table, weighted by the token vector's norm (`subject_coverage`). The
                category probability is P(ticket's category | message) by the index's softmax model
                (`SimilarTicket.category_probability`; factor 1 without one).

Meaning leads because it is what tells a question the knowledge covers from one it does not. The measure it
replaced, sqrt(coverage * retrieval) with coverage the IDF-weighted share of the message's words found in one
quoted source, gave short small talk near-certainty ("what day is it": 0.75, its one content word is in a
help-center sentence) and long situational questions little (a persona brief has many words no passage
holds). On the rho_bank help center, with its 49 queries and 300 clinc150 banking and credit-card questions
(train split) in scope and 2,300 clinc150 out-of-scope and other-domain questions out of scope, AUROC went
from 0.75 to 0.94 and the F1 of abstaining at 0.35 from 0.82 to 0.96. Coverage is still computed
(`Evidence.coverage`) but no longer weighs: it ranked those in-scope questions below the out-of-scope ones.

Coverage is there for the near miss: a question in the frame of a past one with its subject swapped ("how long
until my milk expires" against "how long until my card expires", "tell me my tax rate" against "... interest
rate"). Pooled cosines (and BM25) score those nearly as high as a paraphrase, because most words agree; the
uncovered "card" shows in a max-match over tokens. Only the ticket's side is asked to be covered: questions
the tickets answer often add their own words (a merchant, a place), and asking that of the message too
lowered AUROC. The neighbourhood and the category probability are for the out-of-scope question in a banking
question's frame that coverage lets through: ten close tickets are rarer for it than three, and the category
model, trained on every ticket, spreads its probability over several intents.

Validation sets (none from clinc150's scope.jsonl): clinc150 banking and credit-card train questions in five
folds, 20 of each intent's 100 held out against the rest as tickets; banking77 and bitext ticket_queries
against their tickets; each with the same 2,300 out-of-scope questions (2,200 train questions of clinc150's
eight other domains and its 100 oos_train). AUROC (and the F1 of abstaining at 0.35):

                                          clinc150 folds (mean)        banking77        bitext
  mean similarity of three * coverage     0.9936-0.9966 (0.9951),      0.9966 (0.981)   0.9979 (0.992)
    (the previous measure)                F1 0.984-0.988
  ... * category probability ** 0.2       0.9953-0.9976 (0.9963)       0.9964           0.9983
  neighbourhood of ten * coverage         0.9945-0.9975 (0.9957)       0.9972           0.9978
  neighbourhood * coverage * prob ** 0.2  0.9959-0.9983 (0.9968),      0.9971 (0.983)   0.9981 (0.994)
    (this measure)                        F1 0.987-0.992

On clinc150's own scope suite (measured after the choice, never fitted to it) AUROC went from 0.9936 to
0.9956 and the F1 of abstaining at 0.35 from 0.981 to 0.984. Tried and not kept (AUROC on the folds, mean,
unless said): the best ticket's similarity instead of the mean of three (0.9928), the message's coverage by
the tickets (0.96 alone; any weight of it lowered the product), a harmonic or geometric mean of the token
matches (0.9896, 0.9950), the count of top-3 tickets sharing a token as its weight (0.9952), cosines after
centring on WordLlama's mean token vector (no gain), the share of the top three sharing a category (0.71
alone). For the category evidence, with the mean similarity of three and exponent 0.3 (0.9965 there):
the model's top probability instead of the three tickets' categories' (the same within 0.0001), its
normalised entropy (0.9964), the probability of the top two or three categories or of the categories among
the top three or ten tickets (0.9960-0.9964), the index's mixed category prior (a little lower), capping
the probability at 0.2-0.5, i.e. min(1, p / cap) (banking77 kept, folds 0.9953-0.9962). Exponents 0.1 / 0.3
with the neighbourhood: folds 0.9965 / 0.9970, but banking77, whose 77 close intents share probability,
0.9972 / 0.9967; 0.2 holds both. For the neighbourhood: the three or five nearest (0.9967, 0.9968 with the
probability), the fused similarity of the ten best-ranked (0.9964), the dense cosine of the three shown
tickets (0.9964).

The default threshold (0.35) is where the F1 of abstaining holds across the validation sets. For tickets it
peaked at a product (before ** 0.85) of 0.28 to 0.31 on each set above (0.27 to 0.31 for the previous
measure), and 0.29 ** 0.85 = 0.349 (before coverage: at a mean similarity of 0.48 to 0.50, with the
exponent 1.5). For passages it is meaning about 0.45 at a typical retrieval score; on the rho_bank set
above the F1 at 0.35 is within 0.01 of its best (at 0.40). None of it used clinc150's scope.jsonl rows;
`tandem eval` on a suite with scope.jsonl measures it.

A generated answer needs a third factor:

  citation coverage = share of the answer's (non-whitespace) characters inside spans the model cited.

    grounded confidence = quoted * sqrt(citation_coverage)

An extractive reply is cited throughout (citation coverage 1), so for the same evidence both responders give
the same number and one threshold (`settings.answer_confidence_threshold`) serves both.

The sentence splitting, filler list, IDF weights, meaning and ticket match are the offline responder's own
(imported, not copied), so both measure evidence the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from tandem.knowledge.bm25_index import analyze
from tandem.responder.question import FILLER

__all__ = ["citation_coverage", "query_terms"]


def query_terms(message: str) -> set[str]:
    """The message's content words: analyzed (stopwords out, stemmed if available), chat filler out."""
    return set(analyze(message)) - FILLER


def citation_coverage(text: str, spans: Iterable[tuple[int, int]]) -> float:
    """Share of the non-whitespace characters of `text` inside the union of the [start, end) spans."""
    inside = [False] * len(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            inside[i] = True
    counted = [flag for ch, flag in zip(text, inside, strict=True) if not ch.isspace()]
    return sum(counted) / len(counted) if counted else 0.0
