"""TicketClassifier and its use in TicketIndex: the trained category prior, its fallback and its limits."""

from __future__ import annotations

import numpy as np

from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.ticket_classifier import TicketClassifier, word_features
from tandem.knowledge.ticket_index import TicketIndex

# Three intents that share most of their words ("card", "my"): the telling words are few.
CORPUS = {
    "arrival": [
        "when will my new card arrive",
        "my card has not arrived yet",
        "how long until my card arrives",
        "the card I ordered has still not arrived",
        "card not arrived after two weeks",
    ],
    "lost": [
        "I lost my card",
        "my card was stolen yesterday",
        "what do I do if I lost my card",
        "someone stole my card",
        "I think my card is lost or stolen",
    ],
    "pin": [
        "how do I change my card pin",
        "I forgot the pin of my card",
        "can I reset my pin",
        "my pin is blocked",
        "where can I change the pin",
    ],
}


def _tickets(corpus: dict[str, list[str]] = CORPUS) -> list[ResolvedTicket]:
    return [
        ResolvedTicket(f"{category}-{n}", text, text, f"answer about {category}", category=category)
        for category, texts in corpus.items()
        for n, text in enumerate(texts)
    ]


def test_word_features_are_casefolded_unigrams_and_pairs() -> None:
    assert word_features("Lost my CARD") == ["lost", "my", "card", "lost my", "my card"]


def test_a_small_labelled_corpus_is_learned_without_an_embedder() -> None:
    tickets = _tickets()
    model = TicketClassifier.train([t.body for t in tickets], [t.category for t in tickets], None)
    assert model is not None and model.categories == ["arrival", "lost", "pin"]
    for query, expected in [
        ("my card still has not arrived", "arrival"),
        ("my card got stolen", "lost"),
        ("I need to change my pin", "pin"),
    ]:
        probabilities = model.probabilities(query, None)
        assert abs(sum(probabilities.values()) - 1.0) < 1e-5
        assert max(probabilities, key=probabilities.__getitem__) == expected


def test_training_is_deterministic() -> None:
    tickets = _tickets()
    texts, labels = [t.body for t in tickets], [t.category for t in tickets]
    vectors = default_embedder().embed_documents(texts)
    first = TicketClassifier.train(texts, labels, vectors)
    second = TicketClassifier.train(texts, labels, vectors)
    assert first is not None and second is not None
    query = default_embedder().embed_query("pin blocked")
    assert first.probabilities("pin blocked", query) == second.probabilities("pin blocked", query)


def test_too_few_categories_or_examples_train_no_model() -> None:
    one = ["card lost", "card stolen", "lost card", "stolen card"]
    assert TicketClassifier.train(one, ["lost"] * 4, None) is None
    assert TicketClassifier.train(one, ["lost", "stolen", "lost", "stolen"], None) is None  # 2 per category
    # Uncategorised tickets are not examples.
    assert TicketClassifier.train(one * 2, ["lost", "stolen", *[None] * 6], None) is None


def test_the_index_trains_a_model_and_ranks_its_category_first() -> None:
    index = TicketIndex(_tickets(), default_embedder())
    assert index.stats.classifier_seconds > 0
    query = "my card was stolen from my bag"
    assert index.predict_category(query) == "lost"
    results = index.search(query, limit=5)
    assert [r.category for r in results] == ["lost"] * 5


def test_the_reported_score_is_the_similarity_not_the_rank() -> None:
    tickets = _tickets()
    trained = TicketIndex(tickets, default_embedder())
    plain = TicketIndex(tickets, default_embedder(), classifier_weight=0.0)
    assert plain.stats.classifier_seconds == 0.0
    query = "I have not received my card"
    scores = {r.ticket_id: r.score for r in plain.search(query, limit=len(tickets))}
    results = trained.search(query, limit=len(tickets))
    assert results and all(0.0 < r.score <= 1.0 and r.score == scores[r.ticket_id] for r in results)


def test_an_explicit_category_filter_is_honoured_over_the_model() -> None:
    index = TicketIndex(_tickets(), default_embedder())
    results = index.search("my card was stolen", category="pin", limit=3)
    assert len(results) == 3 and {r.category for r in results} == {"pin"}
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


def test_uncategorised_tickets_are_still_found() -> None:
    text = "my card was stolen abroad"
    extra = ResolvedTicket("free", text, text, "r", category=None)
    index = TicketIndex([*_tickets(), extra], default_embedder())
    assert "free" in {r.ticket_id for r in index.search("card stolen abroad", limit=len(CORPUS) * 5 + 1)}
    assert index.search("card stolen abroad", limit=1)[0].category == "lost"  # the likely category leads


def test_one_category_falls_back_to_the_neighbour_vote() -> None:
    tickets = _tickets({"lost": CORPUS["lost"]})
    index = TicketIndex(tickets, default_embedder())
    assert index.stats.classifier_seconds == 0.0
    assert index.predict_category("card stolen") == "lost"
    results = index.search("card stolen", limit=3)
    assert len(results) == 3 and np.all(np.diff([r.score for r in results]) <= 0)


def test_a_rebuild_keeps_the_model_until_the_history_drifts() -> None:
    base = [  # 75 distinct labelled tickets
        ResolvedTicket(
            f"{t.ticket_id}-{i}", f"{t.subject} ({i})", f"{t.body} ({i})", t.resolution, t.category
        )
        for i, t in enumerate(_tickets({c: texts * 5 for c, texts in CORPUS.items()}))
    ]
    first = TicketIndex(base, None)
    assert first.retrained
    one_more = [*base, ResolvedTicket("new-1", "card arrived broken", "card arrived broken", "x", "arrival")]
    second = TicketIndex(one_more, None, previous=first)
    assert not second.retrained and second._classifier is first._classifier
    assert second.predict_category("has my card arrived") == "arrival"
    # the drift counts from the training, not from the last rebuild: small steps add up
    many_more = one_more + [
        ResolvedTicket(f"new-{i}", f"pin question {i}", f"pin question {i}", "x", "pin") for i in range(2, 6)
    ]
    assert TicketIndex(many_more, None, previous=second).retrained  # 5 of 75 changed: over 5 %
    new_category = [*base, ResolvedTicket("fx-1", "exchange rate", "exchange rate", "x", "fx")]
    assert TicketIndex(new_category, None, previous=first).retrained


def test_the_predicted_categorys_tickets_come_before_closer_ones_of_another() -> None:
    index = TicketIndex(_tickets(), default_embedder())
    query = "lost arrived card"  # half a lost-card question, half an arrival one
    predicted = index.predict_category(query)
    results = index.search(query, limit=6)
    assert [r.category for r in results[:5]] == [predicted] * 5
    other = [r for r in index.search(query, limit=15) if r.category != predicted]
    # a ticket of the other intent is closer than some shown before it: the category decided the order
    assert max(r.score for r in other) > min(r.score for r in results[:5])
