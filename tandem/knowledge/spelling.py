"""Customers misspell; the index should still find what they mean ("anual fee", "debitcard", "transfr").

A misspelt word is one the index has never seen, so it counts with the highest IDF in the normalised BM25
ceiling and matches nothing: "whats the anual fee on the gold rewards card" scored 0.28 where the spelt
question scores 0.6. `Speller` knows the words of the indexed texts and rewrites a word it does not know to
the most frequent known word within one edit (a letter left out, added, changed, or two letters swapped),
or splits it into two known words ("debitcard" -> "debit card"). Words it cannot place stay as written,
so a question about something the knowledge does not cover still scores low ("lasagna recipes").

Only words of `MIN_WORD_LETTERS` letters or more are touched: one edit away from a short word are too many
others ("card", "cart", "care"). Nor are English words the help center happens not to use: "timer" is not a
misspelt "time", "Seattle" not "settle", and an out-of-scope question must keep its own words. The English
word list is pyspellchecker's (MIT; 160,000 words with frequencies, shipped in its wheel, no download),
kept as a sorted array of 64-bit word hashes: 1.3 MB instead of the 27 MB its checker object holds in every
worker process (two different words sharing a hash: about one chance in 10^14 per lookup).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterable

import numpy as np

from tandem.knowledge.bm25_index import STOPWORDS

MIN_WORD_LETTERS = 5
MIN_PART_LETTERS = 3  # each part of a split compound
_WORD = re.compile(r"[A-Za-z]+")


class Speller:
    def __init__(self, texts: Iterable[str]) -> None:
        self._counts: Counter[str] = Counter()
        for text in texts:
            self._counts.update(w.lower() for w in _WORD.findall(text))
        # Every known word under each of its one-letter deletions (and itself): a query word, or one of
        # its own deletions, meeting a key finds the words within one edit (SymSpell's lookup).
        self._by_deletion: dict[str, list[str]] = {}
        for word in self._counts:
            if len(word) >= MIN_WORD_LETTERS - 1:
                for key in {word, *_deletions(word)}:
                    self._by_deletion.setdefault(key, []).append(word)
        if self._counts:
            _english()  # read now, where the index is built, not inside the first customer's answer

    def correct_word(self, word: str) -> str:
        """The known word (or two) `word` most likely meant; `word` itself when known or unplaceable."""
        lower = word.lower()
        if len(lower) < MIN_WORD_LETTERS or lower in self._counts or lower in STOPWORDS:
            return word
        if not self._counts or is_english_word(lower):  # an empty speller never loads the list
            return word
        candidates = {
            known
            for key in {lower, *_deletions(lower)}
            for known in self._by_deletion.get(key, ())
            if _one_edit_apart(lower, known)
        }
        if candidates:
            return max(candidates, key=lambda known: (self._counts[known], known))
        return self._split(lower) or word

    def correct(self, text: str) -> str:
        """`text` with each word it does not know corrected (see `correct_word`)."""
        return _WORD.sub(lambda match: self.correct_word(match.group(0)), text)

    def _split(self, word: str) -> str | None:
        best: tuple[int, str] | None = None
        for cut in range(MIN_PART_LETTERS, len(word) - MIN_PART_LETTERS + 1):
            head, tail = word[:cut], word[cut:]
            if head in self._counts and tail in self._counts and not {head, tail} & STOPWORDS:
                rarer = min(self._counts[head], self._counts[tail])
                if best is None or rarer > best[0]:
                    best = (rarer, f"{head} {tail}")
        return best[1] if best else None


_LOAD_LOCK = threading.Lock()
_ENGLISH: np.ndarray | None = None  # sorted hashes of pyspellchecker's words, loaded on first use


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _english() -> np.ndarray:
    global _ENGLISH
    if _ENGLISH is not None:  # every lookup after the first: no lock
        return _ENGLISH
    with _LOAD_LOCK:  # activity threads share one list, read once (about 0.4 s)
        if _ENGLISH is None:
            from spellchecker import SpellChecker

            words = SpellChecker(language="en", distance=1).word_frequency.dictionary
            hashes = np.fromiter((_word_hash(w) for w in words), dtype=np.uint64, count=len(words))
            hashes.sort()
            _ENGLISH = hashes
        return _ENGLISH


def is_english_word(word: str) -> bool:
    """Whether `word` (lower case) is in pyspellchecker's English word list."""
    hashes = _english()
    wanted = np.uint64(_word_hash(word.lower()))
    at = int(np.searchsorted(hashes, wanted))
    return at < len(hashes) and hashes[at] == wanted


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit_apart(a: str, b: str) -> bool:
    """True when `b` is `a` with one letter deleted, inserted or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]
