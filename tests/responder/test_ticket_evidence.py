"""How well resolved tickets know a question (`tandem.responder.evidence`), and what the offline responder
does with them: a person is offered when only tickets know it; a resolution is never quoted to a customer."""

from __future__ import annotations

import pytest

from tandem.contracts import SimilarTicket
from tandem.responder.evidence import match_strength, subject_coverage, ticket_match
from tandem.responder.offline import OfflineResponder
from tests.responder.helpers import _request, _tickets


def test_match_strength_is_mean_similarity_times_mean_coverage_to_the_power_0_85() -> None:
    assert match_strength([0.6, 0.9], [0.5, 0.7]) == pytest.approx((0.75 * 0.6) ** 0.85)
    assert match_strength([9.0, -1.0], [2.0, 0.0]) == pytest.approx(0.25**0.85)  # clipped to [0, 1]
    assert match_strength([], []) == 0.0
    assert match_strength([0.0], [1.0]) == 0.0
    assert match_strength([1.0], [1.0]) == 1.0
    assert 0.30**0.85 > 0.35 > 0.28**0.85  # the default threshold sits at a product of 0.29 (0.349)
    assert match_strength([0.5], []) == 0.0


def test_category_probability_scales_the_match_by_its_mean_to_the_power_0_2() -> None:
    plain = match_strength([0.7], [0.9, 0.8])
    assert match_strength([0.7], [0.9, 0.8], None) == plain
    assert match_strength([0.7], [0.9, 0.8], [1.0, 1.0]) == pytest.approx(plain)
    spread = match_strength([0.7], [0.9, 0.8], [0.1, 0.3])
    assert spread == pytest.approx((0.7 * 0.85 * 0.2**0.2) ** 0.85)
    assert spread < plain


def test_ticket_match_reads_the_index_neighbourhood_and_category_probabilities_when_given() -> None:
    message = "my card was stolen"  # the tickets' subject: coverage 1
    tickets = [
        SimilarTicket(
            ticket_id=f"T-{n}",
            subject=message,
            resolution="",
            score=score,
            category_probability=probability,
            neighbourhood=0.5,
        )
        for n, (score, probability) in enumerate([(0.9, 0.8), (0.8, 0.6), (0.7, 0.4), (0.1, 0.0)])
    ]
    # The neighbourhood stands for the scores; the best three's probabilities are averaged.
    assert ticket_match(message, tickets) == pytest.approx((0.5 * 0.6**0.2) ** 0.85)
    # Tickets from a backend without them (or an older history) keep the score-only measure.
    old = [t.model_copy(update={"category_probability": None, "neighbourhood": None}) for t in tickets]
    assert ticket_match(message, old) == pytest.approx(0.8**0.85)


def test_ticket_match_reads_the_best_three_tickets_by_similarity() -> None:
    message = "my card was stolen"
    tickets = _tickets(0.6, 0.99, 0.3, 0.9)  # the same subject: coverage 1 for each
    assert ticket_match(message, tickets) == pytest.approx(((0.99 + 0.9 + 0.6) / 3) ** 0.85)
    assert ticket_match(message, []) == 0.0


def test_subject_coverage_misses_a_swapped_subject_but_not_extra_words() -> None:
    subject = "when does my card expire"
    assert subject_coverage(subject, subject) == pytest.approx(1.0)
    # The message's own extra words (whose card) cost nothing; the ticket's telling word left out does.
    extra = subject_coverage("when does my chase card expire", subject)
    swapped = subject_coverage("when does my milk expire", subject)
    assert extra == pytest.approx(1.0)
    assert swapped < 0.85
    assert subject_coverage("tell me a joke", subject) < swapped
    assert 0.0 <= subject_coverage("anything at all", "something else entirely") <= 1.0
    assert subject_coverage("", subject) == 0.0 and subject_coverage(subject, "") == 0.0


def test_a_ticket_that_shares_only_the_frame_of_the_question_matches_less() -> None:
    tickets = _tickets(0.6, 0.6, 0.6, subject="how long until my card expires")
    same = ticket_match("how long until my card expires", tickets)
    swapped = ticket_match("how long until my milk expires", tickets)
    assert swapped < 0.85 * same  # the same similarity: coverage tells them apart


def test_tickets_that_know_the_question_refer_to_a_person_without_saying_unsure() -> None:
    request = _request("someone stole my credit card", [], tickets=_tickets(0.8, 0.75, 0.7))
    reply = OfflineResponder().respond(request, {})
    assert reply.confidence == pytest.approx(ticket_match(request.message, request.similar_tickets))
    assert reply.confidence >= 0.35
    assert reply.abstained and not reply.clarifying and reply.sources == []
    assert "not sure" not in reply.text and "person" in reply.text
    assert [(t.kind, t.id, t.snippet) for t in reply.similar_tickets] == [
        ("ticket", "T-0", ""),  # no written resolution: nothing for the agent to adapt either
        ("ticket", "T-1", ""),
        ("ticket", "T-2", ""),
    ]
    joke = _request("tell me a joke", [], tickets=_tickets(0.2, 0.2))
    unrelated = OfflineResponder().respond(joke, {})
    assert unrelated.abstained and unrelated.confidence == pytest.approx(
        ticket_match(joke.message, joke.similar_tickets)
    )
    assert unrelated.confidence < 0.1
    assert "not sure" in unrelated.text  # tickets that do not know it: the honest abstention


def test_a_resolution_is_never_quoted_however_well_its_tickets_match() -> None:
    resolution = "Freeze the stolen card in the app, then order a replacement card from the Cards tab."
    message = "someone stole my card, what do I do?"
    matched = OfflineResponder().respond(
        _request(message, [], tickets=_tickets(0.7, resolution=resolution)), {}
    )
    assert matched.abstained and matched.sources == [] and matched.confidence >= 0.35
    assert "not sure" not in matched.text
    weak = OfflineResponder().respond(_request(message, [], tickets=_tickets(0.3, resolution=resolution)), {})
    assert weak.abstained and weak.confidence < 0.35 and "not sure" in weak.text
    for reply in (matched, weak):
        assert "Freeze" not in reply.text and "replacement" not in reply.text and "T-0" not in reply.text
        assert [(t.id, t.snippet) for t in reply.similar_tickets] == [("T-0", resolution)]
