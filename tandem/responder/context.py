"""Conversation context for every reply: what we already know is never asked for again.

Facts come from the customer's account (CustomerContext.account_facts, product) and from what the customer
wrote earlier in the conversation. A reply sentence asking for a known fact is replaced by one that refers
back to it, and a previous ticket on the same subject is mentioned, so nobody has to repeat themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tandem.contracts import Author, CustomerContext, PreviousTicket, TranscriptEntry
from tandem.knowledge.bm25_index import analyze

# What a customer may tell us, and how to recognise it in their own words.
_FACT_IN_TEXT: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "order number": re.compile(
        r"\border\s*(?:number|no\.?|id|#)?\s*(?:is|:|#)?\s*#?([A-Z0-9][A-Z0-9-]{3,})\b", re.I
    ),
    "account number": re.compile(
        r"\baccount\s*(?:number|no\.?|#)\s*(?:is|:)?\s*([0-9][0-9 -]{3,}[0-9])\b", re.I
    ),
    "phone number": re.compile(r"(?<![\w+])(\+?\d[\d ().-]{7,}\d)\b"),
}
# Account-fact keys as a CRM might name them, mapped to the fact kinds above.
_ACCOUNT_KEYS = {
    "email": "email",
    "email_address": "email",
    "order": "order number",
    "order_id": "order number",
    "order_number": "order number",
    "account": "account number",
    "account_id": "account number",
    "account_number": "account number",
    "phone": "phone number",
    "phone_number": "phone number",
}
# A sentence that asks the customer for a fact of that kind.
_ASK_VERBS = r"(?:provide|give|share|send|confirm|tell|enter|let (?:me|us) know|what(?:'s| is)|need|have)"
_ASKS: dict[str, re.Pattern[str]] = {
    "email": re.compile(rf"\b{_ASK_VERBS}\b[^.?!\n]*\be-?mail\b", re.I),
    "order number": re.compile(rf"\b{_ASK_VERBS}\b[^.?!\n]*\border (?:number|no|id|#)", re.I),
    "account number": re.compile(rf"\b{_ASK_VERBS}\b[^.?!\n]*\baccount (?:number|no|#)", re.I),
    "phone number": re.compile(rf"\b{_ASK_VERBS}\b[^.?!\n]*\bphone\b", re.I),
    "product": re.compile(rf"\b{_ASK_VERBS}\b[^.?!\n]*\bwhich (?:product|account|card)\b", re.I),
}
# Sentence ends; a citation marker ("... status? [1]") stays with its sentence.
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?!\[\d+\])|\n")
RELATED_TICKET_MIN_SHARED_WORDS = 2


@dataclass(frozen=True)
class KnownFact:
    kind: str
    value: str
    origin: str  # "account" or "conversation"


def known_facts(
    customer: CustomerContext, history: list[TranscriptEntry], message: str
) -> dict[str, KnownFact]:
    """Every fact we hold about the customer; the conversation's latest mention wins over the account."""
    facts: dict[str, KnownFact] = {}
    if customer.product:
        facts["product"] = KnownFact("product", customer.product.replace("_", " "), "account")
    for key, value in customer.account_facts.items():
        kind = _ACCOUNT_KEYS.get(key.strip().lower().replace(" ", "_"))
        if kind and value.strip():
            facts[kind] = KnownFact(kind, value.strip(), "account")
    said = [e.text for e in history if e.author is Author.CUSTOMER] + [message]
    for text in said:
        for kind, pattern in _FACT_IN_TEXT.items():
            found = pattern.search(text)
            if found:
                facts[kind] = KnownFact(kind, found.group(found.lastindex or 0).strip(), "conversation")
    return facts


def without_known_asks(text: str, facts: dict[str, KnownFact]) -> tuple[str, list[KnownFact]]:
    """Replace each sentence that asks for a known fact by one line that refers back to it."""
    used: list[KnownFact] = []
    out: list[str] = []
    last = 0
    for match in [*_SENTENCE.finditer(text), None]:
        end = match.start() if match else len(text)
        sentence = text[last:end]
        asked = [facts[k] for k, ask in _ASKS.items() if k in facts and ask.search(sentence)]
        if asked:
            new = [fact for fact in asked if fact not in used]
            used.extend(new)
            sentence = _refer_back(new, prefix=_list_prefix(sentence)) if new else ""
        out.append(sentence)
        if match:
            out.append(match.group(0))
            last = match.end()
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip(), used


def related_previous_ticket(message: str, previous: list[PreviousTicket]) -> PreviousTicket | None:
    """A previous ticket about the same thing, so the reply can say we remember it."""
    words = set(analyze(message))
    best: tuple[int, PreviousTicket] | None = None
    for ticket in previous:
        shared = len(words & set(analyze(f"{ticket.subject} {ticket.resolution}")))
        if shared >= RELATED_TICKET_MIN_SHARED_WORDS and (best is None or shared > best[0]):
            best = (shared, ticket)
    return best[1] if best else None


def previous_ticket_line(ticket: PreviousTicket) -> str:
    line = f'I can see your earlier ticket {ticket.ticket_id} about "{ticket.subject}"'
    return line + (f", which was resolved: {ticket.resolution}" if ticket.resolution else "") + "."


def _refer_back(facts: list[KnownFact], prefix: str = "") -> str:
    described = ", ".join(
        f"your {f.kind} ({f.value})"
        + (" from earlier in our conversation" if f.origin == "conversation" else "")
        for f in facts
    )
    return f"{prefix}I already have {described}, so there's no need to send it again."


def _list_prefix(sentence: str) -> str:
    match = re.match(r"^(\s*(?:[-*+•]|\d{1,3}[.)])\s+)", sentence)
    return match.group(1) if match else ""
