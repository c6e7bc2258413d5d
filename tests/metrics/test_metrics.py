"""Every metric on the hand-made sample in tests/metrics/sample.py; expected values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tandem.contracts import ConversationState, Resolution
from tandem.metrics import (
    Status,
    SupportPath,
    Targets,
    bucket,
    check_targets,
    compute_metrics,
    containment_csat_trend,
    metrics_by,
    period_of,
    support_path,
    was_escalated,
)
from tests.metrics.sample import NOW, Facts, at, sample, ticket

HOUR = 3600.0
R = Resolution


@pytest.fixture(scope="module")
def overall():
    return compute_metrics(sample(), NOW)


def test_counts_and_paths(overall) -> None:
    # 13 tickets; open: T06, T11, T12 -> closed 13 - 3 = 10.
    assert overall.tickets == 13
    assert overall.closed == 10
    # AI-only: T01 T02 T03 T04 T08 T09 T11 T13 = 8; escalated (AI then person): T05 T06 T10 T12 = 4;
    # human-only (escalated, 0 AI messages): T07 = 1.
    assert overall.paths == {SupportPath.AI_ONLY: 8, SupportPath.ESCALATED: 4, SupportPath.HUMAN_ONLY: 1}
    # abandoned: T08 of the 10 closed.
    assert (overall.abandoned.numerator, overall.abandoned.denominator) == (1, 10)


def test_containment(overall) -> None:
    # Denominator: closed minus abandoned = 10 - 1 = 9 (T01 T02 T03 T04 T05 T07 T09 T10 T13).
    # Contained (never escalated, resolved_by_ai or closed_by_customer): T01 T02 T03 T04 T09 T13 = 6.
    # T05/T10 were escalated, T07 is human-only. 6 / 9 = 0.6667.
    assert (overall.containment.numerator, overall.containment.denominator) == (6, 9)
    assert overall.containment.value == pytest.approx(6 / 9)


def test_escalation_rate_and_reasons(overall) -> None:
    # Escalated at any point: T05 T06 T07 T10 T12 = 5 of all 13 tickets (open ones included).
    assert (overall.escalation.numerator, overall.escalation.denominator) == (5, 13)
    # Codes, once per ticket: frustration T05+T10 = 2, explicit_request T06+T12 = 2, low_confidence T05,
    # ai_off T07, high_value T12 = 1 each. Most frequent first, ties alphabetical.
    assert list(overall.escalation_reasons.items()) == [
        ("explicit_request", 2),
        ("frustration", 2),
        ("ai_off", 1),
        ("high_value", 1),
        ("low_confidence", 1),
    ]


def test_resolution_time(overall) -> None:
    # AI-only, closed, not abandoned (T08 excluded): T13 0.5, T01 1, T02 2, T03 3, T04 4, T09 6 hours.
    # median = (2 + 3) / 2 = 2.5 h; p90: rank (6 - 1) * 0.9 = 4.5 -> 4 + 0.5 * (6 - 4) = 5 h.
    ai = overall.resolution_time[SupportPath.AI_ONLY]
    assert ai.count == 6
    assert ai.median == pytest.approx(2.5 * HOUR)
    assert ai.p90 == pytest.approx(5 * HOUR)
    # Escalated: T05 10 h, T10 30 h (T06 still open). median = 20 h; p90: rank 0.9 -> 10 + 0.9 * 20 = 28 h.
    esc = overall.resolution_time[SupportPath.ESCALATED]
    assert (esc.count, esc.median, esc.p90) == (2, pytest.approx(20 * HOUR), pytest.approx(28 * HOUR))
    # Human-only: T07 8 h.
    human = overall.resolution_time[SupportPath.HUMAN_ONLY]
    assert (human.count, human.median, human.p90) == (1, 8 * HOUR, 8 * HOUR)


def test_csat_by_path(overall) -> None:
    # AI-only rated: T01 5, T02 4, T03 2, T09 1 -> mean 12 / 4 = 3.0; 4-5: T01, T02 = 2 of 4.
    ai = overall.csat[SupportPath.AI_ONLY]
    assert (ai.count, ai.mean, ai.satisfied.numerator, ai.satisfied.denominator) == (4, 3.0, 2, 4)
    # Escalated rated: T05 3, T10 2 -> mean 2.5; none 4-5.
    esc = overall.csat[SupportPath.ESCALATED]
    assert (esc.count, esc.mean, esc.satisfied.numerator) == (2, 2.5, 0)
    # Human-only: T07 5 -> mean 5.0, 1 of 1.
    human = overall.csat[SupportPath.HUMAN_ONLY]
    assert (human.count, human.mean, human.satisfied.value) == (1, 5.0, 1.0)
    # All: 5 + 4 + 2 + 1 + 3 + 2 + 5 = 22 over 7 -> 3.142857; 4-5: T01, T02, T07 = 3 of 7.
    assert overall.csat_overall.count == 7
    assert overall.csat_overall.mean == pytest.approx(22 / 7)
    assert overall.csat_overall.satisfied.value == pytest.approx(3 / 7)


def test_reopen_rate(overall) -> None:
    # Ever closed: the 10 closed + T11 (reopened, open now) = 11; reopened: T03 and T11 = 2.
    assert (overall.reopen.numerator, overall.reopen.denominator) == (2, 11)


def test_durable_resolution(overall) -> None:
    # Cutoff NOW - 7 days = 03-13 12:00. Closed, not abandoned, closed by the cutoff:
    # T01 T02 T03 T04 T05 (03-06 20:00) T07 (03-10 17:00) T09 (03-11 20:00) T13 (03-12 15:30) = 8;
    # T10 closed 03-13 18:00 is too recent. Never reopened: all but T03 = 7. 7 / 8 = 0.875.
    assert overall.durable_cutoff == datetime(2025, 3, 13, 12, tzinfo=UTC)
    assert (overall.durable.numerator, overall.durable.denominator) == (7, 8)


def test_empty_input_has_no_values() -> None:
    m = compute_metrics([], NOW)
    assert m.tickets == 0
    assert m.containment.value is None and m.escalation.value is None and m.durable.value is None
    assert m.resolution_time[SupportPath.AI_ONLY].median is None
    assert m.csat_overall.mean is None
    assert m.escalation_reasons == {}


def test_escalation_survives_reopen() -> None:
    # The store clears the `escalated` flag on reopen; an escalation time or code still counts.
    reopened = Facts("X1", at(3, 9), escalated=False, escalated_at=at(3, 10), reopen_count=1)
    coded = Facts("X2", at(3, 9), escalated=False, escalation_codes=["frustration"], ai_message_count=0)
    plain = Facts("X3", at(3, 9))
    assert was_escalated(reopened) and was_escalated(coded) and not was_escalated(plain)
    assert support_path(reopened) is SupportPath.ESCALATED
    assert support_path(coded) is SupportPath.HUMAN_ONLY
    assert support_path(plain) is SupportPath.AI_ONLY


def test_plain_strings_work_like_enums() -> None:
    # Records may carry plain strings instead of the enums.
    t = Facts("S1", at(3, 9), state="CLOSED", resolution="resolved_by_ai", closed_at=at(3, 10))  # type: ignore[arg-type]
    m = compute_metrics([t], NOW)
    assert (m.containment.numerator, m.containment.denominator) == (1, 1)


# --- periods -----------------------------------------------------------------------------------------


def test_weekly_buckets() -> None:
    periods = bucket(sample(), "week", now=NOW)
    # Mondays 03-03, 03-10, 03-17; NOW (Thursday 03-20) is in W12.
    assert [p.label for p, _ in periods] == ["2025-W10", "2025-W11", "2025-W12"]
    assert [sorted(t.ticket_id for t in group) for _, group in periods] == [
        ["T01", "T02", "T03", "T04", "T05", "T06"],
        ["T07", "T08", "T09", "T10", "T13"],
        ["T11", "T12"],
    ]
    assert periods[0][0].start == datetime(2025, 3, 3, tzinfo=UTC)
    assert periods[0][0].end == datetime(2025, 3, 10, tzinfo=UTC)


def test_metrics_per_week() -> None:
    weeks = {p.label: compute_metrics(group, NOW) for p, group in bucket(sample(), "week", now=NOW)}
    w10, w11, w12 = weeks["2025-W10"], weeks["2025-W11"], weeks["2025-W12"]
    # W10: closed T01-T05, contained T01-T04 -> 4/5; escalated T05, T06 -> 2/6; CSAT (5+4+2+3)/4 = 3.5.
    assert (w10.containment.numerator, w10.containment.denominator) == (4, 5)
    assert (w10.escalation.numerator, w10.escalation.denominator) == (2, 6)
    assert w10.csat_overall.mean == 3.5
    # W11: closed T07 T08 T09 T10 T13, minus abandoned T08 = 4; contained T09, T13 -> 2/4;
    # escalated T07, T10 -> 2/5; CSAT (5 + 1 + 2) / 3 = 2.667.
    assert (w11.containment.numerator, w11.containment.denominator) == (2, 4)
    assert (w11.escalation.numerator, w11.escalation.denominator) == (2, 5)
    assert w11.csat_overall.mean == pytest.approx(8 / 3)
    # W12: nothing closed yet -> no containment; escalated T12 -> 1/2.
    assert w12.containment.value is None
    assert (w12.escalation.numerator, w12.escalation.denominator) == (1, 2)


def test_daily_and_monthly_buckets_have_no_gaps() -> None:
    days = bucket(sample(), "day", now=NOW)
    # 03-03 .. 03-20 inclusive = 18 days, empty ones included (e.g. 03-08 and 03-09, a weekend).
    assert len(days) == 18
    assert days[0][0].label == "2025-03-03" and days[-1][0].label == "2025-03-20"
    assert [len(g) for p, g in days if p.label in ("2025-03-08", "2025-03-11")] == [0, 2]
    months = bucket(sample(), "month", now=NOW)
    assert [(p.label, len(g)) for p, g in months] == [("2025-03", 13)]


def test_since_starts_the_periods() -> None:
    # since Tue 02-25 -> its week starts Mon 02-24 (W09), empty; then W10, W11, W12.
    periods = bucket(sample(), "week", now=NOW, since=datetime(2025, 2, 25, tzinfo=UTC))
    assert [(p.label, len(g)) for p, g in periods] == [
        ("2025-W09", 0),
        ("2025-W10", 6),
        ("2025-W11", 5),
        ("2025-W12", 2),
    ]
    assert bucket([], "week", now=NOW) == []


def test_period_edges() -> None:
    # Mon 2024-12-30 belongs to ISO week 1 of 2025; December rolls over into January.
    assert period_of(datetime(2024, 12, 31, 23, 59, tzinfo=UTC), "week").label == "2025-W01"
    december = period_of(datetime(2024, 12, 15, tzinfo=UTC), "month")
    assert (december.label, december.end) == ("2024-12", datetime(2025, 1, 1, tzinfo=UTC))
    # Naive datetimes are UTC; other offsets are converted (01:00 +02:00 is the previous day in UTC).
    assert period_of(datetime(2025, 3, 4, 1), "day").label == "2025-03-04"
    assert (
        period_of(datetime(2025, 3, 4, 1, tzinfo=timezone(timedelta(hours=2))), "day").label == "2025-03-03"
    )
    with pytest.raises(ValueError):
        period_of(NOW, "year")  # type: ignore[arg-type]


# --- breakdowns --------------------------------------------------------------------------------------


def test_metrics_by_product_and_category() -> None:
    by_product = metrics_by(sample(), lambda t: t.product, NOW)
    assert list(by_product) == ["cards", "loans"]  # 8 and 5 tickets, largest first
    cards, loans = by_product["cards"], by_product["loans"]
    # cards: T01 T02 T03 T05 T08 T09 T10 T13; settled 8 - abandoned T08 = 7; contained T01 T02 T03 T09 T13.
    assert (cards.tickets, cards.containment.numerator, cards.containment.denominator) == (8, 5, 7)
    assert (cards.escalation.numerator, cards.escalation.denominator) == (2, 8)  # T05, T10
    # loans: T04 T06 T07 T11 T12; closed T04, T07; contained T04 -> 1/2; escalated T06 T07 T12 -> 3/5.
    assert (loans.containment.numerator, loans.containment.denominator) == (1, 2)
    assert (loans.escalation.numerator, loans.escalation.denominator) == (3, 5)

    by_category = metrics_by(sample(), lambda t: t.category, NOW)
    # card_pin 4 (T01 T02 T08 T10); then three of 3, alphabetical: (none) T07 T12 T13, loan_rate, refund.
    assert list(by_category) == ["card_pin", "(none)", "loan_rate", "refund"]
    # card_pin settled: T01 T02 T10 (T08 abandoned); contained T01 T02 -> 2/3.
    pin = by_category["card_pin"]
    assert (pin.containment.numerator, pin.containment.denominator) == (2, 3)
    # (none): closed T07, T13; contained T13 -> 1/2.
    none = by_category["(none)"]
    assert (none.containment.numerator, none.containment.denominator) == (1, 2)


# --- targets -----------------------------------------------------------------------------------------


def _statuses(checks) -> dict[str, Status]:
    return {c.key: c.status for c in checks}


def test_targets_on_the_sample(overall) -> None:
    # containment 6/9 = 66.7% in 60-80; escalation 5/13 = 38.5% in 20-40;
    # CSAT AI-only 3.0 < human-only 5.0 -> outside; resolution 2.5 h <= 0.5 * 20 h = 10 h -> inside.
    assert _statuses(check_targets(overall, Targets(min_sample=1))) == {
        "containment": Status.INSIDE,
        "escalation": Status.INSIDE,
        "csat": Status.OUTSIDE,
        "resolution_time": Status.INSIDE,
    }
    # Default min_sample 5: human-only has 1 rating, escalated 2 resolved tickets -> not enough data.
    assert _statuses(check_targets(overall)) == {
        "containment": Status.INSIDE,
        "escalation": Status.INSIDE,
        "csat": Status.NO_DATA,
        "resolution_time": Status.NO_DATA,
    }


def _closed(n_contained: int, n_escalated: int) -> list[Facts]:
    contained = [ticket(f"C{i}", at(3, 9), 1, resolution=R.RESOLVED_BY_AI) for i in range(n_contained)]
    escalated = [
        ticket(f"E{i}", at(3, 9), 2, resolution=R.RESOLVED_BY_HUMAN, codes=("frustration",))
        for i in range(n_escalated)
    ]
    return contained + escalated


@pytest.mark.parametrize(
    ("contained", "escalated", "containment", "escalation"),
    [
        (8, 2, Status.INSIDE, Status.INSIDE),  # 80% and 20%: both band edges are inside
        (6, 4, Status.INSIDE, Status.INSIDE),  # 60% and 40%
        (9, 1, Status.OUTSIDE, Status.OUTSIDE),  # 90% and 10%
        (5, 5, Status.OUTSIDE, Status.OUTSIDE),  # 50% and 50%
    ],
)
def test_band_flags(contained, escalated, containment, escalation) -> None:
    checks = _statuses(check_targets(compute_metrics(_closed(contained, escalated), NOW)))
    assert (checks["containment"], checks["escalation"]) == (containment, escalation)


def test_band_needs_enough_tickets() -> None:
    # 4 tickets (3/4 = 75% contained) is below min_sample 5.
    checks = _statuses(check_targets(compute_metrics(_closed(3, 1), NOW)))
    assert checks["containment"] is Status.NO_DATA
    assert (
        _statuses(check_targets(compute_metrics(_closed(3, 1), NOW), Targets(min_sample=4)))["containment"]
        is Status.INSIDE
    )


def _rated(prefix: str, ratings: list[int], *, human: bool, hours: float = 1) -> list[Facts]:
    return [
        ticket(
            f"{prefix}{i}",
            at(3, 9),
            hours,
            resolution=R.RESOLVED_BY_HUMAN if human else R.RESOLVED_BY_AI,
            csat_rating=r,
            codes=("ai_off",) if human else (),
            ai_message_count=0 if human else 1,
        )
        for i, r in enumerate(ratings)
    ]


def test_csat_target() -> None:
    targets = Targets(min_sample=2)
    equal = _rated("A", [4, 4], human=False) + _rated("H", [5, 3], human=True)  # 4.0 vs 4.0: inside
    worse = _rated("A", [3, 4], human=False) + _rated("H", [5, 3], human=True)  # 3.5 < 4.0: outside
    assert _statuses(check_targets(compute_metrics(equal, NOW), targets))["csat"] is Status.INSIDE
    assert _statuses(check_targets(compute_metrics(worse, NOW), targets))["csat"] is Status.OUTSIDE


def _timed(ai_hours: list[float], escalated_hours: list[float]) -> list[Facts]:
    ai = [ticket(f"A{i}", at(3, 9), h, resolution=R.RESOLVED_BY_AI) for i, h in enumerate(ai_hours)]
    esc = [
        ticket(f"E{i}", at(3, 9), h, resolution=R.RESOLVED_BY_HUMAN, codes=("frustration",))
        for i, h in enumerate(escalated_hours)
    ]
    return ai + esc


def test_resolution_time_target() -> None:
    targets = Targets(min_sample=2)
    # medians: AI 2 h vs escalated 4 h -> exactly 50% lower: inside.
    half = _timed([1, 3], [3, 5])
    # AI 3 h vs escalated 4 h -> 25% lower: outside.
    slow = _timed([2, 4], [3, 5])
    assert _statuses(check_targets(compute_metrics(half, NOW), targets))["resolution_time"] is Status.INSIDE
    assert _statuses(check_targets(compute_metrics(slow, NOW), targets))["resolution_time"] is Status.OUTSIDE


# --- containment up, CSAT down -------------------------------------------------------------------------


def trend_weeks(later_ratings: list[int]) -> list[Facts]:
    """W10: 3 contained + 3 escalated, rated 5 5 4 | 4 4 5 (mean 27/6 = 4.5), containment 3/6 = 50%.
    W11: 5 contained + 1 escalated (containment 5/6 = 83.3%) rated `later_ratings`."""
    before = [
        ticket(f"B{i}", at(4, 9), 1, resolution=R.RESOLVED_BY_AI, csat_rating=r)
        for i, r in enumerate([5, 5, 4])
    ] + [
        ticket(f"BE{i}", at(4, 9), 2, resolution=R.RESOLVED_BY_HUMAN, csat_rating=r, codes=("frustration",))
        for i, r in enumerate([4, 4, 5])
    ]
    after = [
        ticket(f"A{i}", at(11, 9), 1, resolution=R.RESOLVED_BY_AI, csat_rating=r)
        for i, r in enumerate(later_ratings[:5])
    ] + [
        ticket("AE", at(11, 9), 2, resolution=R.RESOLVED_BY_HUMAN, csat_rating=later_ratings[5], codes=("x",))
    ]
    return before + after


def _trend(facts: list[Facts], min_sample: int = 5):
    now = datetime(2025, 3, 14, tzinfo=UTC)
    weeks = [(p.label, compute_metrics(g, now)) for p, g in bucket(facts, "week", now=now)]
    assert [label for label, _ in weeks] == ["2025-W10", "2025-W11"]
    return containment_csat_trend(weeks[0], weeks[1], min_sample=min_sample)


def test_warns_when_containment_rises_while_csat_falls() -> None:
    # containment 50% -> 83.3% (up); CSAT 4.5 -> 3.0 (down): warn.
    check = _trend(trend_weeks([3, 3, 3, 3, 3, 3]))
    assert check.warn is True
    assert "containment rose while CSAT fell" in check.message
    assert "50.0% -> 83.3%" in check.message and "4.50 -> 3.00" in check.message


def test_no_warning_when_csat_holds() -> None:
    # CSAT 4.5 -> (5+5+5+5+4+4)/6 = 4.67: up, so no warning.
    assert _trend(trend_weeks([5, 5, 5, 5, 4, 4])).warn is False


def test_trend_needs_enough_data() -> None:
    # 6 tickets per week < min_sample 7.
    assert _trend(trend_weeks([3, 3, 3, 3, 3, 3]), min_sample=7).warn is None
    assert containment_csat_trend(None, None).warn is None


def test_closed_requires_the_closed_state() -> None:
    open_one = Facts("O1", at(3, 9), state=ConversationState.HUMAN_ACTIVE, resolution=None)
    assert compute_metrics([open_one], NOW).closed == 0
