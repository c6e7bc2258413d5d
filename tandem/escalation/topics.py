"""Matching a customer message to the policy's always-to-a-human topics, from the topics' words alone.

A support team describes each topic in a sentence and gives a few example messages; no code, no training.
The matcher is built once per policy (and ticket-history) version and then answers in about a millisecond.

How a message is matched:

1. Keywords: a topic's `keywords` phrase (whole words, any case) in the message matches outright.
2. Neighbourhood vote. The message's nearest neighbours (dense cosine plus a share of normalised BM25, so
   both paraphrases and rare exact words count) are looked up in a pool of labelled texts; each neighbour
   votes with weight exp(temperature x similarity), so the closest ones dominate. The topic's score is the
   share of the vote that lands on the topic; it matches at `Policy.topic_threshold` (default: a majority).
   - With ticket history (the deployment's resolved tickets with their categories), the pool is the history
     plus the topics' texts. First, each example and each clause of the description is routed through the
     history: the categories its neighbours vote for are the categories the topic covers, the vote share
     being the category's membership. A historical ticket then votes for a topic with its category's
     membership, so a new message about "an ATM that kept my card" is routed by the hundreds of past
     tickets of that category, not only by the one example closest to it. A description clause counts as
     weaker evidence than an example (`CLAUSE_TRUST`), and a topic text unlike any past ticket maps nothing.
   - Without history, the pool is the topics' texts plus a small built-in background of ordinary support
     requests from many industries (`BACKGROUND`), minus the background lines that look like a topic.
3. Precedent. How close two messages about the same thing are depends on the embedder, so the scale comes
   from the data: the 1st and 10th percentile of a past ticket's similarity to its nearest other ticket. A
   message below that range has no precedent in the history (small talk, another domain): its history vote
   fades out and the topic texts decide, each topic only as far as the message is that close to one of its
   texts. Without history the pool's own nearest-neighbour similarities give the scale.

Nothing here knows a data set, an industry or a label scheme: categories are whatever the history uses.
Tickets without a category cannot say which topic they belong to and are not used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tandem.escalation.policy import Topic
from tandem.knowledge.bm25_index import Bm25Scorer, analyze
from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.interfaces import Embedder

NEIGHBOURS = 20
TEMPERATURE = 20.0
LEXICAL_WEIGHT = 0.2
CLAUSE_TRUST = 0.75
PRECEDENT_LOW, PRECEDENT_HIGH = 0.01, 0.10
UNRELATED_LOW, UNRELATED_HIGH = 0.5, 0.9
# k, temperature and the BM25 share were chosen by leave-one-out category accuracy of ticket histories alone
# (no escalation labels; `python bench/escalation.py loo`); the clause trust and the precedent percentiles on
# development policies written for clinc150 and bitext (`python bench/escalation.py dev`), not on the
# evaluation suites' escalation rows.

# Ordinary requests from many industries: the "not a topic" side of the vote when there is no history.
BACKGROUND: tuple[str, ...] = (
    "How do I reset my password?",
    "I forgot my username",
    "How do I change the email address on my account?",
    "Can I update my phone number?",
    "How do I change my home address?",
    "Where can I find my invoice?",
    "Can you send me a copy of my receipt?",
    "What payment methods do you accept?",
    "Do you accept PayPal?",
    "How long does delivery take?",
    "Do you ship internationally?",
    "How much is shipping?",
    "Where is my order?",
    "Can I track my package?",
    "Can I change the delivery address of my order?",
    "How do I place an order?",
    "Can I add an item to my order?",
    "Is this product in stock?",
    "What sizes are available?",
    "What are your opening hours?",
    "Is there a branch near me?",
    "How do I download the app?",
    "The app keeps crashing when I open it",
    "How do I turn on notifications?",
    "How do I set up two-factor authentication?",
    "How do I sign up for an account?",
    "How do I upgrade my plan?",
    "What is included in the premium plan?",
    "Do you offer a student discount?",
    "How do I use a promo code?",
    "How do I subscribe to the newsletter?",
    "How do I unsubscribe from marketing emails?",
    "Can I change my language settings?",
    "How do I export my data?",
    "What are the fees for this service?",
    "Is there a monthly fee?",
    "How long does a transfer take?",
    "How do I send money to a friend?",
    "What is the exchange rate today?",
    "How do I top up my balance?",
    "How do I check my balance?",
    "When will my new card arrive?",
    "How do I activate my card?",
    "Can I use my card abroad?",
    "How do I change my PIN?",
    "Can I get a statement for last month?",
    "What is the interest rate on savings?",
    "How do I set up a direct debit?",
    "Can I pay my bill online?",
    "When is my bill due?",
    "How do I book an appointment?",
    "Can I reschedule my booking?",
    "Can I choose my seat?",
    "How much luggage can I bring?",
    "Is breakfast included?",
    "What is your pet policy?",
    "How do I connect to the wifi?",
    "My internet is slow today",
    "How do I set up my router?",
    "How do I update the software?",
    "Does this work with my phone?",
    "How do I pair the device with bluetooth?",
    "What does the warranty cover?",
    "How do I leave a review?",
    "I want to give feedback about your website",
    "Can I get a gift card?",
    "How do I redeem my points?",
    "How many reward points do I have?",
    "Is my personal data safe with you?",
    "Can I have two accounts?",
    "How do I add another user to my account?",
    "How do I verify my email address?",
    "Thanks, that answers my question",
    "Hello, I have a question",
    "Can you explain how this works?",
    "What documents do I need to open an account?",
    "How old do I need to be to sign up?",
    "Which countries do you operate in?",
    "How do I print a shipping label?",
    "Can I pick up my order in store?",
)

_CLAUSE = re.compile(r"[,;:]|(?<=[.?!])\s+|\n+")


@dataclass(frozen=True, slots=True)
class TopicMatch:
    topic: Topic
    score: float  # 0..1: share of the message's neighbourhood on this topic (1.0 for a keyword)
    via: str  # "keyword" | "history" | "examples"
    evidence: str  # the nearest topic text or the historical categories that carried the vote


@dataclass(frozen=True, slots=True)
class _Probe:
    text: str
    topic: int
    clause: bool  # a clause of the description rather than a customer-style example


class _Pool:
    """Labelled texts to vote with: each row's label is its membership of every topic (0..1)."""

    def __init__(
        self,
        texts: list[str],
        vectors: np.ndarray,
        labels: np.ndarray,
        names: list[str],
        precedent: tuple[float, float],
    ) -> None:
        self.texts, self.vectors, self.labels, self.names = texts, vectors, labels, names
        self.scorer = Bm25Scorer([analyze(text) for text in texts])
        self.precedent = precedent

    def precedent_of(self, similarity: float) -> float:
        """How far a text has precedent in the pool: 0 below the 1st percentile of the pool's own
        nearest-neighbour similarity, 1 from the 10th percentile, linear in between."""
        low, high = self.precedent
        if high <= low:
            return 1.0 if similarity >= high else 0.0
        return float(np.clip((similarity - low) / (high - low), 0.0, 1.0))


class TopicMatcher:
    """Routes a message to the policy's topics. Build once per (policy topics, history, embedder)."""

    def __init__(
        self,
        topics: Sequence[Topic],
        embedder: Embedder | None,
        history: Sequence[ResolvedTicket] = (),
        *,
        neighbours: int = NEIGHBOURS,
        temperature: float = TEMPERATURE,
        lexical_weight: float = LEXICAL_WEIGHT,
    ) -> None:
        self.topics = tuple(topics)
        self._k = neighbours
        self._temperature = temperature
        self._lexical = lexical_weight
        self._keywords = [
            re.compile(r"\b(?:" + "|".join(re.escape(k) for k in t.keywords) + r")\b", re.IGNORECASE)
            if t.keywords
            else None
            for t in self.topics
        ]
        self._embedder = embedder
        self._history: _Pool | None = None
        self._examples: _Pool | None = None
        self.categories: list[str] = []  # the history's categories (rows of `membership`)
        self.membership = np.zeros((0, len(self.topics)), dtype=np.float32)  # category x topic, 0..1
        self.mode = "keywords"  # "keywords" (no embedder) | "examples" (no history) | "history"
        if not self.topics or embedder is None:
            return

        probes = [
            _Probe(text, index, clause) for index, t in enumerate(self.topics) for text, clause in _probes(t)
        ]
        probe_texts = [p.text for p in probes]
        probe_vectors = embedder.embed_documents(probe_texts)
        probe_labels = np.zeros((len(probes), len(self.topics)), dtype=np.float32)
        probe_labels[np.arange(len(probes)), [p.topic for p in probes]] = 1.0
        probe_names = [f"{p.text!r}" for p in probes]
        self._probe_vectors = probe_vectors
        self._probe_topic = np.asarray([p.topic for p in probes])

        # Without history (and as the fallback for messages unlike any past ticket): topic texts against a
        # background of ordinary requests, minus background lines that look like one of the topics.
        background_vectors = embedder.embed_documents(list(BACKGROUND))
        keep = _unlike_topics(background_vectors, probe_vectors, [p.topic for p in probes])
        background = [b for b, k in zip(BACKGROUND, keep, strict=True) if k]
        example_vectors = np.vstack([probe_vectors, background_vectors[keep]])
        self._examples = _Pool(
            [*probe_texts, *background],
            example_vectors,
            np.vstack([probe_labels, np.zeros((len(background), len(self.topics)), dtype=np.float32)]),
            [*probe_names, *(f"{b!r}" for b in background)],
            _unrelated_range(background_vectors),
        )
        self.mode = "examples"

        categorized = [t for t in history if t.category]
        if len(categorized) < 2:
            return
        self.mode = "history"
        ticket_texts = [_ticket_text(t) for t in categorized]
        ticket_vectors = embedder.embed_documents(ticket_texts)
        categories = sorted({t.category for t in categorized if t.category})
        position = {c: i for i, c in enumerate(categories)}
        one_hot = np.zeros((len(categorized), len(categories)), dtype=np.float32)
        one_hot[np.arange(len(categorized)), [position[t.category or ""] for t in categorized]] = 1.0
        precedent = _precedent_range(ticket_vectors)
        tickets = _Pool(ticket_texts, ticket_vectors, one_hot, [], precedent)

        # Which categories each topic covers: route every example and description clause through the
        # history. A clause is a fragment of a sentence about the customer, weaker evidence than an example;
        # a text unlike any past ticket has no precedent to route by.
        membership = np.zeros((len(categories), len(self.topics)), dtype=np.float32)
        for row, probe in enumerate(probes):
            top, weights, similarity = self._neighbours(tickets, probe_vectors[row], probe.text)
            votes = weights @ one_hot[top]
            trust = (CLAUSE_TRUST if probe.clause else 1.0) * tickets.precedent_of(similarity)
            membership[:, probe.topic] = np.maximum(membership[:, probe.topic], trust * votes)
        self.categories = categories
        self.membership = membership
        self._history = _Pool(
            [*ticket_texts, *probe_texts],
            np.vstack([ticket_vectors, probe_vectors]),
            np.vstack([one_hot @ membership, probe_labels]),
            [*(f"past tickets in {t.category!r}" for t in categorized), *probe_names],
            precedent,
        )

    def __bool__(self) -> bool:
        return bool(self.topics)

    def scores(self, message: str) -> list[TopicMatch]:
        """Every topic's score for the message, best first (empty when the policy has no topics)."""
        if not self.topics:
            return []
        results: dict[int, TopicMatch] = {}
        for index, pattern in enumerate(self._keywords):
            match = pattern.search(message) if pattern is not None else None
            if match:
                results[index] = TopicMatch(self.topics[index], 1.0, "keyword", f"said {match.group(0)!r}")
        if self._examples is None or self._embedder is None:
            return sorted(results.values(), key=lambda m: -m.score)

        vector = self._embedder.embed_query(message)
        scores = np.zeros(len(self.topics))
        evidence: list[tuple[float, str, str]] = [(0.0, "examples", "no similar topic text")] * len(
            self.topics
        )

        def tally(via: str, pool: _Pool, top: np.ndarray, weights: np.ndarray, share: np.ndarray) -> None:
            contributions = weights[:, None] * pool.labels[top] * share[None, :]
            scores[:] += contributions.sum(axis=0)
            for index in range(len(self.topics)):
                row = int(np.argmax(contributions[:, index]))
                if contributions[row, index] > evidence[index][0]:
                    evidence[index] = (float(contributions[row, index]), via, pool.names[int(top[row])])

        trust_history = 0.0
        scale = self._examples
        if self._history is not None:
            top, weights, similarity = self._neighbours(self._history, vector, message)
            trust_history = self._history.precedent_of(similarity)
            tally("history", self._history, top, weights, np.full(len(self.topics), trust_history))
            scale = self._history
        if trust_history < 1.0:
            # Little precedent in the history (or none kept): the topic texts decide, each topic only as far
            # as the message is as close to one of its texts as past tickets are to their nearest neighbour.
            top, weights, _ = self._neighbours(self._examples, vector, message)
            nearest = self._probe_vectors @ vector
            closeness = np.array(
                [
                    scale.precedent_of(float(nearest[self._probe_topic == t].max()))
                    for t in range(len(self.topics))
                ]
            )
            tally("examples", self._examples, top, weights, (1.0 - trust_history) * closeness)
        for index, topic in enumerate(self.topics):
            if index not in results:
                _, via, name = evidence[index]
                results[index] = TopicMatch(topic, float(scores[index]), via, f"like {name}")
        return sorted(results.values(), key=lambda m: -m.score)

    # --- internals ---------------------------------------------------------------------------------------

    def _neighbours(self, pool: _Pool, vector: np.ndarray, text: str) -> tuple[np.ndarray, np.ndarray, float]:
        """The k nearest pool rows, their vote weights (softmax over similarity, summing to 1), and the
        best dense similarity (how close the nearest row really is)."""
        dense = pool.vectors @ vector
        similarity = dense
        lexical = pool.scorer.scores(text)
        if lexical is not None and self._lexical > 0:
            peak = float(lexical.max())
            if peak > 0:
                similarity = dense + self._lexical * (lexical / peak)
        k = min(self._k, len(similarity))
        top = np.argpartition(-similarity, k - 1)[:k]
        top = top[np.argsort(-similarity[top], kind="stable")]
        weights = np.exp(self._temperature * (similarity[top] - similarity[top[0]]))
        return top, weights / weights.sum(), float(dense.max())


def _precedent_range(vectors: np.ndarray, sample: int = 1000) -> tuple[float, float]:
    """1st and 10th percentile of a past ticket's similarity to its nearest other past ticket."""
    if len(vectors) < 2:
        return -1.0, -1.0  # nothing to compare with: everything has precedent
    rng = np.random.default_rng(0)
    rows = rng.choice(len(vectors), size=min(sample, len(vectors)), replace=False)
    similarity = vectors[rows] @ vectors.T
    similarity[np.arange(len(rows)), rows] = -np.inf
    nearest = similarity.max(axis=1)
    low, high = np.quantile(nearest, [PRECEDENT_LOW, PRECEDENT_HIGH])
    return float(low), float(high)


def _unrelated_range(background: np.ndarray) -> tuple[float, float]:
    """Median and 90th percentile of an ordinary request's similarity to its nearest *other* request: how
    close unrelated messages get. Without history, a topic text must be closer than that to count."""
    if len(background) < 2:
        return -1.0, -1.0
    similarity = background @ background.T
    np.fill_diagonal(similarity, -np.inf)
    low, high = np.quantile(similarity.max(axis=1), [UNRELATED_LOW, UNRELATED_HIGH])
    return float(low), float(high)


def _probes(topic: Topic) -> list[tuple[str, bool]]:
    """(text, is_clause): the topic's examples, its description, and the description's clauses."""
    texts = {text: False for text in topic.examples}
    texts.setdefault(topic.description, True)
    for clause in (c.strip(" .") for c in _CLAUSE.split(topic.description)):
        if len(clause.split()) >= 2:
            texts.setdefault(clause, True)
    return list(texts.items())


def _unlike_topics(background: np.ndarray, probes: np.ndarray, probe_topic: list[int]) -> np.ndarray:
    """Mask of background rows less similar to every topic than that topic's texts are to each other."""
    keep = np.ones(len(background), dtype=bool)
    topic_of = np.asarray(probe_topic)
    for topic in np.unique(topic_of):
        own = probes[topic_of == topic]
        if len(own) < 2:
            continue
        inner = own @ own.T
        np.fill_diagonal(inner, -np.inf)
        # median nearest-sibling similarity of the topic's own texts
        cohesion = float(np.median(inner.max(axis=1)))
        keep &= (background @ own.T).max(axis=1) < cohesion
    return keep


def _ticket_text(ticket: ResolvedTicket) -> str:
    # Suites often repeat the message as subject and body; counting it twice only inflates term frequency.
    if ticket.body.strip().startswith(ticket.subject.strip()):
        return ticket.body
    return f"{ticket.subject}\n{ticket.body}"
