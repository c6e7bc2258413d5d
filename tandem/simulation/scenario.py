"""What a simulation replays: conversations sampled from a suite, simulated customers, and every random draw.

Pure and deterministic: the same suite, count and seed give the same plan. All of a conversation's draws
are made here, up front, so what happens to it does not depend on the order conversations finish in.
See `tandem.simulation.simulate` for how a plan is played.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, replace

from tandem.contracts import MAX_MESSAGE_CHARS, CustomerContext
from tandem.evaluation.suite import Suite

# Conversation sources, in the order they take turns in the sample.
SOURCES = ("escalation", "queries", "ticket_queries", "scope")

# Probabilities of the simulated behaviour (see the module docstring of tandem.simulation.simulate).
ABANDON = 0.12  # the customer goes silent after the AI's first reply (an answer or "not sure")
REOPEN = 0.08  # the customer writes again after a close
REOPEN_AFTER_WRONG_ANSWER = 0.35  # ... when the AI answered what the suite says it should not have
RATE = 0.8  # the customer answers the satisfaction survey
CONFIDENT = 0.6  # an AI answer at least this confident is rated from the "confident" distribution

# Weights of ratings 1..5.
RATINGS: dict[str, tuple[int, ...]] = {
    "ai_confident": (2, 3, 10, 35, 50),
    "ai_hesitant": (6, 12, 27, 35, 20),
    "ai_should_not_have_answered": (40, 30, 15, 10, 5),
    "person": (3, 5, 12, 35, 45),
}

ASK_FOR_PERSON = "Can I talk to a person?"
REOPEN_PREFIX = "Sorry, I'm back: that didn't solve it. "
AGENTS = ("sim-agent-ana", "sim-agent-bruno", "sim-agent-chen")


@dataclass(frozen=True, slots=True)
class Case:
    """One suite row to replay as a conversation's first message."""

    source: str  # one of SOURCES
    case_id: str
    message: str
    # The suite's label: False when the AI should not answer on its own (escalate, expects_human, out of
    # scope), True when it may, None when the suite does not say (ticket_queries).
    answerable: bool | None
    product: str | None = None  # the product of the article the suite names as relevant, when it does


@dataclass(frozen=True, slots=True)
class Profile:
    customer_id: str
    name: str
    tier: str = "standard"
    high_value: bool = False

    def customer(self, product: str | None) -> CustomerContext:
        return CustomerContext(
            customer_id=self.customer_id,
            name=self.name,
            tier=self.tier,
            high_value=self.high_value,
            product=product,
        )


# One in four simulated customers is high value.
PROFILES = (
    Profile("sim-ada", "Ada"),
    Profile("sim-ben", "Ben"),
    Profile("sim-chloe", "Chloe"),
    Profile("sim-dev", "Dev", tier="premium", high_value=True),
)


@dataclass(frozen=True, slots=True)
class Draws:
    """A conversation's random numbers in [0, 1), drawn when the plan is made."""

    abandon: float
    reopen: float
    rate: float
    rating: float
    agent: float


@dataclass(frozen=True, slots=True)
class PlannedConversation:
    index: int
    case: Case
    profile: Profile
    draws: Draws

    @property
    def agent(self) -> str:
        return AGENTS[int(self.draws.agent * len(AGENTS))]

    def abandons(self) -> bool:
        return self.draws.abandon < ABANDON

    def reopens(self, answered_by_ai: bool) -> bool:
        wrong = answered_by_ai and self.case.answerable is False
        return self.draws.reopen < (REOPEN_AFTER_WRONG_ANSWER if wrong else REOPEN)

    def rates(self) -> bool:
        return self.draws.rate < RATE

    def rating(self, kind: str, reopened: bool) -> int:
        """A rating from the distribution `kind` (a RATINGS key); one star less when they had to come back."""
        weights = RATINGS[kind]
        point = self.draws.rating * sum(weights)
        stars, cumulative = len(weights), 0
        for value, weight in enumerate(weights, start=1):
            cumulative += weight
            if point < cumulative:
                stars = value
                break
        return max(1, stars - 1) if reopened else stars


def rating_kind(case: Case, answered_by_ai: bool, confidence: float | None) -> str:
    if not answered_by_ai:
        return "person"
    if case.answerable is False:
        return "ai_should_not_have_answered"
    return "ai_confident" if (confidence or 0.0) >= CONFIDENT else "ai_hesitant"


def cases_from_suite(suite: Suite) -> dict[str, list[Case]]:
    """Every replayable row of the suite, by source; only the sources the suite has."""
    products = {a.id: a.product for a in suite.articles or []}
    found: dict[str, list[Case]] = {}
    if suite.escalation:
        found["escalation"] = [Case("escalation", c.id, c.message, not c.escalate) for c in suite.escalation]
    if suite.queries:
        found["queries"] = [
            Case(
                "queries",
                q.id,
                q.query,
                not q.expects_human,
                next((products[r] for r in q.relevant if products.get(r)), None),
            )
            for q in suite.queries
        ]
    if suite.ticket_queries:
        found["ticket_queries"] = [Case("ticket_queries", q.id, q.query, None) for q in suite.ticket_queries]
    if suite.scope:
        found["scope"] = [Case("scope", s.id, s.message, s.in_scope) for s in suite.scope]
    return {source: found[source] for source in SOURCES if source in found}


def plan(suite: Suite, conversations: int, seed: int) -> list[PlannedConversation]:
    """`conversations` conversations: the suite's sources take turns, rows drawn without replacement (a
    second pass over the whole suite starts only when every row has been used)."""
    pools = list(cases_from_suite(suite).values())
    if not pools:
        return []
    rng = random.Random(seed)

    def shuffled() -> list[deque[Case]]:
        return [deque(rng.sample(pool, len(pool))) for pool in pools]

    queues, picked = shuffled(), []
    while len(picked) < conversations:
        if not any(queues):
            queues = shuffled()
        for queue in queues:
            if queue and len(picked) < conversations:
                picked.append(queue.popleft())

    planned = []
    for index, case in enumerate(picked, start=1):
        trimmed = replace(case, message=case.message.strip()[:MAX_MESSAGE_CHARS])
        draws = Draws(*(rng.random() for _ in range(5)))
        planned.append(PlannedConversation(index, trimmed, PROFILES[rng.randrange(len(PROFILES))], draws))
    return planned
