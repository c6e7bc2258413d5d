"""Acronyms a knowledge base defines for itself, so a search finds an article whichever form it uses.

Help centers write "How can I request a CLI?" in one article and "credit limit increase (CLI)" in another,
while customers write "increase my credit limit". BM25 cannot see that "cli" and "credit limit increase"
are the same thing, and a static embedding rarely knows a company's acronyms. The knowledge base says it
itself, in definitions of the form "Long Form Words (ABC)" whose initials spell the acronym. Those are mined
at index time; every later use of the acronym, in an article or in a query, is indexed with its long form
beside it ("CLI (credit limit increase)"), so both spellings share their words.

Only definitions whose initials match are taken ("Standard external transfers (ACH)" is not a definition),
and an acronym defined two ways keeps the form written most often.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The acronym in brackets (an optional plural "s" inside: "(ATMs)"); the long form is in the words before.
_DEFINITION = re.compile(r"\(([A-Z]{2,8})s?\)")
_WORD = re.compile(r"[A-Za-z][\w'&-]*")
_LOOKBACK_CHARS = 120  # enough for eight words before the bracket
# Small words an acronym often skips: "Bank of Example (BE)".
_SKIPPED = frozenset({"of", "and", "for", "the", "to", "on", "in", "&"})


@dataclass(frozen=True, slots=True)
class Glossary:
    expansions: Mapping[str, str] = field(default_factory=dict)  # "CLI" -> "credit limit increase"
    _pattern: re.Pattern[str] | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.expansions:
            names = "|".join(sorted(map(re.escape, self.expansions), key=len, reverse=True))
            # Not inside its own definition "(CLI)", and not where a bracketed expansion already follows.
            pattern = re.compile(rf"(?<!\()\b({names})s?\b(?!\s*\()")
            object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def mine(cls, texts: Iterable[str]) -> Glossary:
        """The acronyms `texts` define, each with its most frequent long form."""
        seen: dict[str, Counter[str]] = {}
        for text in texts:
            for match in _DEFINITION.finditer(text):
                acronym = match.group(1)
                before = text[max(0, match.start() - _LOOKBACK_CHARS) : match.start()]
                if before and not before[-1].isspace():  # "word(ABC)" is not a definition
                    continue
                long_form = _long_form(_WORD.findall(before)[-8:], acronym)
                if long_form is not None:
                    seen.setdefault(acronym, Counter())[long_form] += 1
        return cls({acronym: forms.most_common(1)[0][0] for acronym, forms in sorted(seen.items())})

    def __len__(self) -> int:
        return len(self.expansions)

    def expand(self, text: str) -> str:
        """`text` with each use of a known acronym followed by its long form; unchanged without any."""
        if self._pattern is None:
            return text
        return self._pattern.sub(self._with_long_form, text)

    def _with_long_form(self, match: re.Match[str]) -> str:
        return f"{match.group(0)} ({self.expansions[match.group(1)]})"


def _long_form(words: list[str], acronym: str) -> str | None:
    """The last words before "(ACRONYM)" whose initials spell it, lower-cased; None when none do."""
    letters = acronym.lower()
    # Plain initials over the last len(acronym) words: "credit limit increase (CLI)".
    tail = words[-len(letters) :]
    if len(tail) == len(letters) and "".join(w[0].lower() for w in tail) == letters:
        return " ".join(tail).lower()
    # Otherwise walk back, letting small words pass without a letter: "Bank of Example (BE)".
    picked: list[str] = []
    remaining = letters
    for word in reversed(words):
        if remaining and word[0].lower() == remaining[-1]:
            picked.append(word)
            remaining = remaining[:-1]
            if not remaining:
                return " ".join(reversed(picked)).lower()
        elif word.lower() in _SKIPPED and picked:
            picked.append(word)
        else:
            return None
    return None
