"""Snippets: text cut at a word boundary, for replies, handoffs and reports (no index or model imports,
so the workflow process can use it)."""

from __future__ import annotations


def shorten(text: str, limit: int, *, flatten: bool = True) -> str:
    """Text cut at a word boundary near `limit` characters, with an ellipsis if cut.

    `flatten` collapses all whitespace (snippets); without it line breaks survive, so list structure does.
    """
    text = " ".join(text.split()) if flatten else text.strip()
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    boundary = max(head.rfind(" "), head.rfind("\n"))
    cut = head[:boundary].rstrip() if boundary > 0 else text[:limit]
    return cut.rstrip(" ,;:") + "…"
