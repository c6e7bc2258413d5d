"""Hand-made ticket facts shared by the metrics and reporting tests (no store needed).

`Facts` and `Event` mirror the store's TicketFacts and AiEvent field for field; the metrics only read
attributes, so these stand in until the store's records land.

The sample: 13 tickets, report time NOW = Thu 2025-03-20 12:00 UTC; h = hours from opened to closed.
Resolutions: ai = resolved_by_ai, customer = closed_by_customer, human = resolved_by_human.

  id  prod  category  opened       closed         h    path        resolution csat reopen codes
  T01 cards card_pin  03-03 09:00  03-03 10:00    1    AI-only     ai         5    0
  T02 cards card_pin  03-04 10:00  03-04 12:00    2    AI-only     customer   4    0
  T03 cards refund    03-05 08:00  03-05 11:00    3    AI-only     ai         2    1
  T04 loans loan_rate 03-06 09:00  03-06 13:00    4    AI-only     ai         -    0
  T05 cards refund    03-06 10:00  03-06 20:00    10   escalated   human      3    0    frustration, low_conf.
  T06 loans loan_rate 03-07 09:00  open (HUMAN)   -    escalated   -          -    0    explicit_request
  T07 loans -         03-10 09:00  03-10 17:00    8    human-only  human      5    0    ai_off
  T08 cards card_pin  03-11 09:00  03-12 09:00    24   AI-only     abandoned  -    0
  T09 cards refund    03-11 14:00  03-11 20:00    6    AI-only     ai         1    0
  T10 cards card_pin  03-12 12:00  03-13 18:00    30   escalated   human      2    0    frustration
  T11 loans loan_rate 03-18 09:00  open (AI)      -    AI-only     -          -    1    (reopened)
  T12 loans -         03-19 10:00  open (WAIT)    -    escalated   -          -    0 explicit_req., high_value
  T13 cards -         03-12 15:00  03-12 15:30    0.5  AI-only     customer   -    0

Open states: HUMAN = HUMAN_ACTIVE, AI = AI_ACTIVE, WAIT = WAITING_FOR_HUMAN. Codes: low_conf. =
low_confidence, explicit_req. = explicit_request.
AI messages: T01 2, T05 3, T07 0 (human-only), T10 2, every other ticket 1.
ISO weeks: W10 = 03-03..03-09 (T01-T06), W11 = 03-10..03-16 (T07-T10, T13), W12 = 03-17.. (T11, T12).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tandem.contracts import ConversationState, Resolution

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Facts:
    ticket_id: str
    opened_at: datetime
    customer_id: str = "c1"
    product: str | None = "cards"
    category: str | None = None
    state: ConversationState = ConversationState.CLOSED
    resolution: Resolution | None = None
    escalated: bool = False
    closed_at: datetime | None = None
    first_response_at: datetime | None = None
    escalated_at: datetime | None = None
    reopen_count: int = 0
    csat_rating: int | None = None
    escalation_codes: list[str] = field(default_factory=list)
    ai_message_count: int = 1
    agent_message_count: int = 0
    customer_message_count: int = 1


@dataclass(frozen=True)
class Event:
    ticket_id: str
    event_id: str
    at: datetime
    kind: str
    detail: str = ""
    message_id: str | None = None


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def ticket(
    ticket_id: str,
    opened: datetime,
    hours: float | None,
    *,
    codes: tuple[str, ...] = (),
    state: ConversationState = ConversationState.CLOSED,
    **fields,
) -> Facts:
    """A ticket closed `hours` after it opened (None: still open); escalated when it has codes."""
    if codes:
        fields.setdefault("escalated", True)
        fields.setdefault("escalated_at", opened + timedelta(minutes=5))
    return Facts(
        ticket_id=ticket_id,
        opened_at=opened,
        closed_at=opened + timedelta(hours=hours) if hours is not None else None,
        state=state if hours is None else ConversationState.CLOSED,
        escalation_codes=list(codes),
        **fields,
    )


R = Resolution
S = ConversationState


HUMAN_ACTIVE, AI_ACTIVE, WAITING = S.HUMAN_ACTIVE, S.AI_ACTIVE, S.WAITING_FOR_HUMAN
AI, CUSTOMER, HUMAN, ABANDONED = R.RESOLVED_BY_AI, R.CLOSED_BY_CUSTOMER, R.RESOLVED_BY_HUMAN, R.ABANDONED

# id, product, category, opened, hours to close (None: open), open state, resolution, csat, reopens,
# AI messages, escalation codes
ROWS = [
    ("T01", "cards", "card_pin", at(3, 9), 1, None, AI, 5, 0, 2, ()),
    ("T02", "cards", "card_pin", at(4, 10), 2, None, CUSTOMER, 4, 0, 1, ()),
    ("T03", "cards", "refund", at(5, 8), 3, None, AI, 2, 1, 1, ()),
    ("T04", "loans", "loan_rate", at(6, 9), 4, None, AI, None, 0, 1, ()),
    ("T05", "cards", "refund", at(6, 10), 10, None, HUMAN, 3, 0, 3, ("frustration", "low_confidence")),
    ("T06", "loans", "loan_rate", at(7, 9), None, HUMAN_ACTIVE, None, None, 0, 1, ("explicit_request",)),
    ("T07", "loans", None, at(10, 9), 8, None, HUMAN, 5, 0, 0, ("ai_off",)),
    ("T08", "cards", "card_pin", at(11, 9), 24, None, ABANDONED, None, 0, 1, ()),
    ("T09", "cards", "refund", at(11, 14), 6, None, AI, 1, 0, 1, ()),
    ("T10", "cards", "card_pin", at(12, 12), 30, None, HUMAN, 2, 0, 2, ("frustration",)),
    # Closed once, then reopened by the customer: the store cleared closed_at.
    ("T11", "loans", "loan_rate", at(18, 9), None, AI_ACTIVE, None, None, 1, 1, ()),
    ("T12", "loans", None, at(19, 10), None, WAITING, None, None, 0, 1, ("explicit_request", "high_value")),
    ("T13", "cards", None, at(12, 15), 0.5, None, CUSTOMER, None, 0, 1, ()),
]


def sample() -> list[Facts]:
    facts = []
    for row in ROWS:
        ticket_id, product, category, opened, hours, state, resolution, csat, reopens, ai_messages, codes = (
            row
        )
        facts.append(
            ticket(
                ticket_id,
                opened,
                hours,
                state=state or S.CLOSED,
                product=product,
                category=category,
                resolution=resolution,
                csat_rating=csat,
                reopen_count=reopens,
                ai_message_count=ai_messages,
                codes=codes,
            )
        )
    return facts


class StandInStore:
    """Exposes the store reads the report and review commands use, over real records (no reviews and no
    help center here).

    Same signatures and filters as TicketStore: tickets by opened_at in [since, until) and product;
    events oldest first, by ticket, kind prefix and time.
    """

    def __init__(self, facts: list[Facts], events: list[Event] = ()) -> None:  # type: ignore[assignment]
        self._facts, self._events = list(facts), list(events)
        self.calls: list[tuple[str, dict]] = []

    def ticket_facts(self, since=None, until=None, product=None, include_simulated=False) -> list[Facts]:
        self.calls.append(("ticket_facts", {"since": since, "until": until, "product": product}))
        return [
            f
            for f in self._facts
            if (since is None or f.opened_at >= since)
            and (until is None or f.opened_at < until)
            and (product is None or f.product == product)
        ]

    def ai_events(self, ticket_id=None, kind_prefix=None, since=None, include_simulated=False) -> list[Event]:
        self.calls.append(("ai_events", {"ticket_id": ticket_id, "kind_prefix": kind_prefix, "since": since}))
        return [
            e
            for e in sorted(self._events, key=lambda e: e.at)
            if (ticket_id is None or e.ticket_id == ticket_id)
            and e.kind.startswith(kind_prefix or "")
            and (since is None or e.at >= since)
        ]

    def reviews(self, ticket_id=None, since=None) -> list:
        return []

    def list_articles(self) -> list:
        return []
