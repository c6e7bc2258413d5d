"""Conversations to review and content-gap grouping, on hand-made facts and AI events."""

from __future__ import annotations

from tandem.knowledge.embeddings import default_embedder
from tandem.reporting.review import (
    cluster_questions,
    content_gaps,
    conversations_to_review,
    representative,
    run_review,
    similarity,
    terms,
)
from tests.metrics.sample import Event, StandInStore, at, sample

PIN_1 = "How do I reset my card PIN?"  # terms {reset, card, pin}
PIN_2 = "I forgot my PIN, how can I reset it"  # {forgot, pin, reset}
PIN_3 = "reset PIN on card"  # {reset, pin, card}
REFUND_1 = "Can I get a refund for a cancelled transfer"  # {get, refund, cancel(led), transfer}
REFUND_2 = "refund for cancelled transfer please"  # {refund, cancel(led), transfer, pleas(e)}
MORTGAGE = "What is the mortgage rate for first buyers"  # {mortgage, rate, first, buyer(s)}


def events() -> list[Event]:
    return [
        Event("T01", "e1", at(3, 9, 10), "abstained", PIN_1, "m1"),
        Event("T03", "e2", at(5, 8, 5), "no_article", PIN_2, "m2"),
        Event("T03", "e3", at(5, 8, 5), "abstained", PIN_2, "m2"),  # same turn: counted once
        Event("T04", "e4", at(6, 9, 30), "no_article", MORTGAGE, "m3"),
        Event("T05", "e5", at(6, 10, 30), "no_article", REFUND_1, "m4"),
        Event("T05", "e6", at(6, 10, 31), "guardrail:refund_promise", "We will refund you today.", "m5"),
        Event("T09", "e7", at(11, 14, 10), "no_article", PIN_3, "m6"),
        Event("T10", "e8", at(12, 12, 10), "abstained", REFUND_2, "m7"),
        Event("T13", "e9", at(12, 15, 5), "guardrail:fee_waiver", "Fee waived.", "m8"),
        Event("T13", "e10", at(12, 15, 6), "low_confidence", "ignored kind", "m9"),
        Event("T02", "e11", at(4, 10, 5), "no_article", "   ", "m10"),  # no question: ignored
    ]


QUESTIONS = [PIN_1, PIN_2, MORTGAGE, REFUND_1, PIN_3, REFUND_2]


def test_similarity_by_hand() -> None:
    # cosine of term sets: |A & B| / sqrt(|A| |B|)
    assert similarity(terms(PIN_1), terms(PIN_2)) == 2 / 3  # {reset, pin} / sqrt(3 * 3)
    assert similarity(terms(PIN_1), terms(PIN_3)) == 1.0
    assert similarity(terms(REFUND_1), terms(REFUND_2)) == 3 / 4  # {refund, cancel, transfer} / sqrt(4 * 4)
    assert similarity(terms(PIN_1), terms(MORTGAGE)) == 0.0


def test_cluster_questions() -> None:
    # PIN_2 vs group {reset, card, pin}: 2 / (sqrt 3 * sqrt 3) = 0.67 >= 0.5, joins.
    # PIN_3 vs counts {reset 2, pin 2, card 1, forgot 1}: (2 + 2 + 1) / (sqrt 3 * sqrt 10) = 0.91, joins.
    # REFUND_2 vs {get, refund, cancel, transfer}: 3 / (2 * 2) = 0.75, joins. MORTGAGE shares nothing.
    assert cluster_questions(QUESTIONS) == [[0, 1, 4], [3, 5], [2]]
    # At 0.7 PIN_2 (0.67) stays apart; PIN_3 joins PIN_1 (1.0); groups of two, then singles by first index.
    assert cluster_questions(QUESTIONS, threshold=0.7) == [[0, 4], [3, 5], [1], [2]]


def test_stopword_only_questions_group_by_text() -> None:
    assert cluster_questions(["How can I?", "how  can I?", "PIN reset"]) == [[0, 1], [2]]


def test_representative_is_the_most_central_question() -> None:
    # Sums of similarity: PIN_1 = 2/3 + 1 = 1.67, PIN_2 = 2/3 + 2/3 = 1.33, PIN_3 = 1 + 2/3 = 1.67;
    # PIN_1 and PIN_3 tie, PIN_1 was seen first.
    assert representative(QUESTIONS, [0, 1, 4]) == PIN_1
    assert representative(QUESTIONS, [1, 4]) == PIN_2  # a tie of two: the first


def test_content_gaps() -> None:
    gaps = content_gaps(events())
    # Questions in time order: PIN_1 (T01), PIN_2 (T03, logged twice), MORTGAGE (T04), REFUND_1 (T05),
    # PIN_3 (T09), REFUND_2 (T10); guardrail, low_confidence and blank events are no gaps.
    assert [(g.count, g.representative) for g in gaps] == [(3, PIN_1), (2, REFUND_1), (1, MORTGAGE)]
    assert gaps[0].ticket_ids == ["T01", "T03", "T09"]
    assert gaps[0].questions == [PIN_1, PIN_2, PIN_3]
    assert content_gaps([]) == []


def test_conversations_to_review_order() -> None:
    items = conversations_to_review(sample(), events())
    # Flags: T10 low CSAT 2 + escalated after 2 AI messages + abstained; T03 low CSAT 2 + abstained;
    # T09 low CSAT 1 (its no_article is a gap, not an abstention); T05 guardrail + escalated after AI;
    # T13 guardrail; T12 and T06 escalated after 1 AI message; T01 abstained. T07 (human-only, rated 5)
    # and the rest: nothing. Order: severity (low CSAT > guardrail > escalated > abstained), then number
    # of flags, then newest first (T12 opened 03-19 before T06 opened 03-07).
    assert [i.ticket_id for i in items] == ["T10", "T03", "T09", "T05", "T13", "T12", "T06", "T01"]
    t10 = items[0]
    assert t10.reasons() == [
        "low CSAT 2/5",
        "escalated after 2 AI messages (frustration)",
        f"AI abstained x1: {REFUND_2!r}",
    ]
    assert items[3].reasons() == [
        "guardrail rewrite (refund_promise): 'We will refund you today.'",
        "escalated after 3 AI messages (frustration, low_confidence)",
    ]
    assert (t10.product, t10.category) == ("cards", "card_pin")


def test_event_for_a_ticket_without_facts_is_still_listed() -> None:
    items = conversations_to_review([], [Event("Z9", "e", at(5, 9), "guardrail:refund_promise", "x")])
    assert [(i.ticket_id, i.at, i.product) for i in items] == [("Z9", at(5, 9), None)]


def test_run_review_prints_both_sections(capsys) -> None:
    store = StandInStore(sample(), events())
    assert run_review(store) == 0
    out = capsys.readouterr().out
    assert out.startswith("Conversations to review (8 of 8)")
    assert (
        out.index("  T10  opened 2025-03-12 12:00") < out.index("  T03  opened") < out.index("  T01  opened")
    )
    assert "Content gaps: questions with no good article (3 of 3 groups)" in out
    assert f"3 x  {PIN_1}" in out and f"also: {PIN_2}" in out and "tickets: T01, T03, T09" in out

    assert run_review(store, since=at(10, 0), limit=2) == 0
    out = capsys.readouterr().out
    # Since 03-10: facts T07-T13; events from e7 on. Flagged: T10, T09, T13, T12 -> 2 of 4 shown.
    assert out.startswith("Conversations to review (2 of 4)")
    assert "T12  opened" not in out
    assert store.calls[-2:] == [
        ("ticket_facts", {"since": at(10, 0), "until": None, "product": None}),
        ("ai_events", {"ticket_id": None, "kind_prefix": None, "since": at(10, 0)}),
    ]


def test_run_review_with_nothing_to_show(capsys) -> None:
    assert run_review(StandInStore([], [])) == 0
    out = capsys.readouterr().out
    assert "Conversations to review (0 of 0)\n  none" in out
    assert "(0 of 0 groups)\n  none" in out


def test_content_gaps_asking_the_same_thing_in_other_words_group_by_meaning() -> None:
    model = default_embedder()
    asked = [
        "How do I change the PIN on my card?",
        "what's the process for resetting my card pin",
        "Can I get a mortgage with you?",
        "I'd like to set a new PIN code for my card",
        "Do you offer home loans?",
    ]
    lexical = cluster_questions(asked)
    dense = cluster_questions(asked, embed=model.embed_query)
    assert [sorted(g) for g in dense if 0 in g] == [[0, 1, 3]], dense
    assert [sorted(g) for g in lexical if 0 in g] != [[0, 1, 3]], "shared words alone miss the paraphrase"
    assert not any({0, 2} <= set(g) for g in dense), "different questions stay apart"
