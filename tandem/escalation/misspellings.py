"""Near-misses of the words a request for a person is made of ("humen", "agnet", "eprson"), folded into the
word before the patterns of `tandem.escalation.signals` read the message: "talk to a humen" still works."""

from __future__ import annotations

import re

# Canonical spellings that misspellings are folded into before matching (see fold_misspellings), with the
# edits allowed: one for short words and for words with close real neighbours ("contract", "context").
_FUZZY_TARGETS: dict[str, int] = {
    **dict.fromkeys(("human", "agent", "person", "someone", "somebody", "talk"), 1),
    **dict.fromkeys(("representative", "supervisor", "manager", "operator", "assistant", "assistance"), 2),
    **dict.fromkeys(("customer", "reclamation"), 2),
    **dict.fromkeys(("service", "support", "speak", "speaking", "talking", "contact", "complaint"), 1),
}
# Real words within the allowed edits of a target that must keep their meaning ("manage", "contract").
_NOT_MISSPELLINGS = frozenset(
    {"humane", "manage", "managed", "manages", "operate", "operated", "operates", "argent", "parson"}
    | {"assisting", "assistants", "customs", "services", "supports", "supported", "sport", "sports"}
    | {"compliant", "complain", "complaints", "complains", "contract", "contacts", "contacted", "context"}
    | {"compact"}
    | {"personal", "persona", "speck", "sneak", "steak", "spear", "speaks", "stalking", "walking", "someday"}
    | {"tall", "walk", "task", "tale", "take", "talc", "tank", "balk", "talks", "stalk", "chalk", "tasking"}
)


def fold_misspellings(message: str) -> str:
    """Rewrite near-misses of the key words ("humen", "agnet", "eprson") to the closest key word."""

    def fold(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in _FUZZY_TARGETS or lower in _NOT_MISSPELLINGS:
            return word
        best: tuple[int, str] | None = None
        for target, allowed in _FUZZY_TARGETS.items():
            # Same first letter, or the first two letters swapped ("eprson"): typos rarely hit both.
            same_start = lower[0] == target[0] or (lower[:2] == target[1::-1])
            if not same_start or abs(len(lower) - len(target)) > allowed:
                continue
            distance = _edit_distance(lower, target)
            if distance <= allowed and (best is None or distance < best[0]):
                best = (distance, target)
        return best[1] if best is not None else word

    return re.sub(r"[A-Za-z]{4,}", fold, message)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counting an adjacent swap as one edit ("agnet" is one edit from "agent")."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]
