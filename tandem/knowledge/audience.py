"""Who an article is written for: customers, or the support team only.

Help centers hold agent procedures next to customer articles ("Internal: Closing Personal Checking
Accounts", "Account Recovery Bypass Code (Internal)"). They are what an agent needs to handle a case, so
retrieval returns them and the agent's draft lists them (`GeneratedReply.procedures`), but a customer reply
never quotes or links them: they can hold bypass codes, tool names and thresholds.

An article is internal when its source says so (`"internal": true`, or `audience`/`visibility` set to one
of `INTERNAL_AUDIENCES`) or, when the source says nothing, when its title carries the usual marker:
"Internal:" / "Internal -" in front, "(Internal)" or "[Internal]" anywhere. An explicit `internal: false`
wins over the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tandem.contracts import SourceRef
from tandem.knowledge.interfaces import KnowledgeBackend

INTERNAL_AUDIENCES = frozenset({"internal", "agents", "agent", "staff", "employees", "private"})
PUBLIC_AUDIENCES = frozenset({"public", "customers", "customer", "everyone", "external"})

# How far down the ranking a turn looks for its customer articles when internal procedures rank among them.
INTERNAL_LOOKAHEAD = 3

_TITLE_MARKER = re.compile(
    r"^\s*internal\s*(?::|-|\u2013|\u2014)|[(\[]\s*internal(?:\s+only)?\s*[)\]]", re.IGNORECASE
)


def title_says_internal(title: str) -> bool:
    return bool(_TITLE_MARKER.search(title))


def audience_is_internal(value: str) -> bool:
    """Whether an audience word (`audience`/`visibility` in a source) means agents only.

    Raises ValueError, naming the accepted words, for anything else: a typo must not publish a procedure."""
    word = value.strip().strip("'\"").lower()
    if word in INTERNAL_AUDIENCES:
        return True
    if word in PUBLIC_AUDIENCES:
        return False
    accepted = ", ".join(sorted(INTERNAL_AUDIENCES | PUBLIC_AUDIENCES))
    raise ValueError(f"must be one of {accepted}, got {value.strip()!r}")


def is_internal(title: str, declared: bool | None) -> bool:
    """`declared`: what the source said (None when it said nothing)."""
    return declared if declared is not None else title_says_internal(title)


def turn_sources(ranked: Sequence[SourceRef], limit: int) -> list[SourceRef]:
    """What one turn retrieves from a ranking: the best `limit` customer articles, plus the internal ones
    ranked among them (at most `limit`), in ranking order.

    Internal articles do not take a customer article's place: the reply quotes only customer articles, and
    the procedures ride along for the handoff and the agent."""
    chosen: list[SourceRef] = []
    public = internal = 0
    for ref in ranked:
        if public == limit:
            break
        if ref.internal:
            if internal < limit:
                chosen.append(ref)
                internal += 1
        else:
            chosen.append(ref)
            public += 1
    return chosen


def turn_articles(
    knowledge: KnowledgeBackend, query: str, product: str | None, limit: int
) -> list[SourceRef]:
    """The articles of one turn (`turn_sources` of a ranking deep enough for them): what the retrieval
    activity returns and `tandem eval`'s scope part measures."""
    return turn_sources(knowledge.search_articles(query, product, limit * INTERNAL_LOOKAHEAD), limit)


def customer_facing(refs: Iterable[SourceRef]) -> list[SourceRef]:
    return [ref for ref in refs if not ref.internal]
