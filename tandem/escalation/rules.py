"""Rule-based escalation: which signals a customer turn carries, whether to hand over, and how urgently.

Every signal is recorded as an EscalationReason even when it does not escalate on its own, so agents and
analytics see the full picture. Patterns are written against false positives from banking language:
"my travel agent", "the person who sent me money" and "cancel a payment" are neither a request for a human
nor churn.
"""

from __future__ import annotations

import re

from tandem.contracts import EscalationCheck, EscalationDecision, EscalationReason, Priority

LOW_CONFIDENCE = 0.35
REPEATED_FAILURE_TURNS = 2

# --- explicit request for a person -------------------------------------------------------------------------

# Canonical spellings that misspellings are folded into before matching (see _fold_misspellings).
_FUZZY_TARGETS = (
    *("human", "agent", "person", "representative", "supervisor", "manager", "operator"),
    *("someone", "somebody", "assistant", "customer"),
)
# Real words within an edit or two of a target that must keep their meaning ("manage", "assistance").
_NOT_MISSPELLINGS = frozenset(
    {"humane", "manage", "managed", "manages", "operate", "operated", "operates", "argent", "parson"}
    | {"assistance", "assisting"}
)
_PERSON = (
    r"(?:human(?:\s+being)?|person|agent|representative|rep|someone|somebody|anyone|anybody|manager|"
    r"supervisor|operator|assistant|staff(?:\s+member)?|employee|customer\s+(?:service|support|care|assistance)|"
    r"support\s+team)"
)
# "the person who/that ..." describes somebody (a payee, a fraudster), it does not ask for one; nor does
# "person-to-person" or "an agent fee".
_NOT_COMPOUND = r"(?!-)(?!\s+(?:fees?|charges?|commissions?|codes?|numbers?|ids?|portal|app)\b)"
_NOT_DESCRIPTION = rf"(?!\s+(?:who|that|which|whose|whom|i|you|he|she|they|we)\b){_NOT_COMPOUND}"
_DETERMINER = r"(?:(?:a|an|the|your|some|any|one\s+of\s+your)\s+)?"
_QUALIFIER = r"(?:(?:real|live|actual|human|proper|another)\s+)?"
_REQUEST_VERB = (
    r"(?:talk(?:ing)?|speak(?:ing)?|chat(?:ting)?|reach(?:ing)?|contact(?:ing)?|call(?:ing)?|request|ask\s+for|"
    r"need|want|get\s+me|get(?:ting)?\s+in\s+touch|"
    r"give\s+me|connect(?:ed)?(?:\s+me)?|transfer(?:red)?\s+me|put\s+me\s+through|"
    r"escalate(?:\s+(?:this|it|me))?|bring\s+in|prefer)"
)
_EXPLICIT_PATTERNS = (
    # "can I speak to someone", "I want a human", "connect me with a live agent", "talk to your manager"
    re.compile(
        rf"\b{_REQUEST_VERB}\s+(?:(?:to|with)\s+)?{_DETERMINER}{_QUALIFIER}{_PERSON}\b{_NOT_DESCRIPTION}",
        re.IGNORECASE,
    ),
    # "can someone call me", "please have an agent contact me"
    re.compile(
        r"\b(?:can|could|would|will|have|let)\s+(?:someone|somebody|a\s+person|an\s+agent|a\s+human|"
        r"a\s+representative|a\s+manager)\s+(?:call|contact|phone|ring|email|get\s+back\s+to|reach\s+out\s+to)"
        r"\s+me\b",
        re.IGNORECASE,
    ),
    # "is there a real person", "are you a bot", "am I talking to a human"
    re.compile(
        r"\b(?:is\s+there|are\s+you|is\s+this|am\s+i\s+(?:talking|speaking|chatting)\s+(?:to|with))\s+"
        r"(?:a|an|any|just\s+a)?\s*(?:real|live|actual)?\s*"
        rf"(?:human|person|agent|someone|somebody|anyone|anybody|bot|robot|machine)\b{_NOT_COMPOUND}",
        re.IGNORECASE,
    ),
    # "real person", "live agent", "human agent", "not a bot" anywhere
    re.compile(
        r"\b(?:(?:real|live|actual)\s+(?:human|person|people|agent|representative|operator)|"
        r"human\s+(?:agent|representative|operator|support)|not\s+(?:a\s+)?(?:bot|robot|machine))\b",
        re.IGNORECASE,
    ),
    # a message that is just the ask: "agent", "Human please!", "representative now"
    re.compile(
        rf"^\W*(?:(?:i\s+want|i\s+need|need|want|get\s+me|a|an|real|live)\s+)*{_PERSON}"
        r"(?:\s+(?:please|pls|plz|now|asap))*\W*$",
        re.IGNORECASE,
    ),
)

# --- frustration -------------------------------------------------------------------------------------------

_FRUSTRATION_WORDS = re.compile(
    r"\b(?:angry|furious|livid|frustrat(?:ed|ing)|annoy(?:ed|ing)|fed\s+up|sick\s+of|tired\s+of|ridiculous|"
    r"useless|terrible|horrible|awful|worst|pathetic|unacceptable|disgusting|outrageous|incompetent|"
    r"waste\s+of\s+(?:my\s+)?time|joke\s+of\s+a|what\s+a\s+joke|fuck\w*|shit\w*|wtf)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"(?:\bnot|\bnever|n't|\bno)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NOT_FRUSTRATION = re.compile(r"\bworst[-\s]case\b", re.IGNORECASE)
_REPEATED_CONTACT = re.compile(
    r"\b(?:(?:the|my)\s+(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|how\s+many\s+times|"
    r"again\s+and\s+again|"
    r"(?:asked|told|called|contacted|explained|tried|written|wrote|emailed|messaged|said)\s+(?:\w+\s+){0,2}"
    r"(?:twice|(?:two|three|four|five|several|many|multiple|\d+)\s+times))\b",
    re.IGNORECASE,
)
_EXCLAMATIONS = re.compile(r"!{2,}|\?!|!\?")
# "Thanks!!" or "Hi!!" is enthusiasm, not anger.
_POSITIVE = re.compile(
    r"\b(?:thanks?|thank\s+you|great|awesome|amazing|perfect|love|appreciate\w*|hi|hello|hey|wow|yay|nice)\b",
    re.IGNORECASE,
)
# Capitalised abbreviations are not shouting.
_ACRONYMS = frozenset(
    {"ATM", "PIN", "ID", "USD", "EUR", "GBP", "UK", "US", "USA", "EU", "IBAN", "SWIFT", "BIC", "OK", "KYC"}
    | {"API", "SMS", "OTP", "CVV", "CVC", "APR", "FAQ", "ASAP", "IRA", "ACH", "FDIC"}
)

# --- cancellation / churn ----------------------------------------------------------------------------------

_CANCELLATION_PATTERNS = (
    # "close my account", "cancel my membership", "delete my Rho-Bank account"; not "cancel my card/payment"
    re.compile(
        r"\b(?:cancel(?:l?ed|l?ing|s)?|clos(?:e|es|ed|ing)|terminat(?:e|es|ed|ing)|delet(?:e|es|ed|ing)|"
        r"shut(?:ting)?\s+down|end(?:ed|ing)?)\s+(?:(?:my|our|the|this|all\s+my|your)\s+)?"
        r"(?:[\w-]+\s+){0,2}?(?:account|accounts|membership|relationship|profile|subscription\s+with\s+you)\b"
        r"(?!\s*(?:number|details|statement|settings|alerts?|notifications?)\b)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:switch(?:ing)?|mov(?:e|ing))\s+(?:(?:all\s+)?my\s+(?:money|savings|business|accounts?)\s+)?"
        r"(?:to\s+)?(?:another|a\s+different|a\s+new|other)\s+banks?\b|\bswitch(?:ing)?\s+banks\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:i\s*'?m|i\s+am|we\s*'?re|we\s+are|i\s+will\s+be|i'll\s+be)\s+leaving\s+"
        r"(?:you|your\s+bank|this\s+bank|rho[-\s]?bank|for\s+(?:another|a\s+different)\s+bank)\b|"
        r"\btak(?:e|ing)\s+my\s+(?:business|money)\s+elsewhere\b",
        re.IGNORECASE,
    ),
)
_NEGATED_INTENT = re.compile(
    r"\b(?:don't|do\s+not|doesn't|not|never|won't)\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)


def check_escalation(check: EscalationCheck) -> EscalationDecision:
    """Signals in this turn, whether they warrant a human, and the queue priority."""
    reasons: list[EscalationReason] = []
    message = check.message.replace("\u2019", "'")  # typographic apostrophe (U+2019) reads as "'"
    explicit = _explicit_request(message)
    if explicit:
        reasons.append(EscalationReason(code="explicit_request", detail=f"asked for a person: {explicit!r}"))
    frustration = _frustration(message)
    if frustration:
        detail, strength = frustration
        reasons.append(EscalationReason(code="frustration", detail=detail, strength=strength))
    churn = _cancellation(message)
    if churn:
        reasons.append(EscalationReason(code="cancellation", detail=f"wants to leave: {churn!r}"))
    if check.customer.high_value:
        reasons.append(
            EscalationReason(
                code="high_value", detail=f"high-value customer ({check.customer.tier})", strength=0.5
            )
        )
    low_confidence = check.abstained or check.confidence < LOW_CONFIDENCE
    if low_confidence:
        detail = "the AI abstained" if check.abstained else f"answer confidence {check.confidence:.2f}"
        reasons.append(EscalationReason(code="low_confidence", detail=detail, strength=0.5))
    repeated = check.unsure_turns >= REPEATED_FAILURE_TURNS
    if repeated:
        reasons.append(
            EscalationReason(
                code="repeated_failure", detail=f"{check.unsure_turns} turns without a sure answer"
            )
        )

    high_value = check.customer.high_value
    # A lone low-confidence turn does not escalate: the responder's abstention already offers a person.
    escalate = bool(
        explicit or churn or frustration or repeated or (high_value and (low_confidence or frustration))
    )
    if high_value and (frustration or churn):
        priority = Priority.URGENT
    elif high_value or frustration or churn:
        priority = Priority.HIGH
    else:
        priority = Priority.NORMAL
    return EscalationDecision(escalate=escalate, reasons=reasons, priority=priority)


def _explicit_request(message: str) -> str | None:
    text = _fold_misspellings(message)
    for pattern in _EXPLICIT_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(0).strip()
    return None


def _frustration(message: str) -> tuple[str, float] | None:
    """(detail, strength) of the strongest frustration cues, or None."""
    cues: list[tuple[str, float]] = []
    for match in _FRUSTRATION_WORDS.finditer(message):
        negated = _NEGATED.search(message[: match.start()])  # "not angry", "never useless"
        if not negated and not _NOT_FRUSTRATION.match(message, match.start()):
            cues.append((f"said {match.group(0)!r}", 1.0))
            break
    repeated = _REPEATED_CONTACT.search(message)
    if repeated:
        cues.append((f"repeated contact: {repeated.group(0)!r}", 1.0))
    if _is_shouting(message):
        cues.append(("writing in capitals", 0.8))
    if _EXCLAMATIONS.search(message) and not _POSITIVE.search(message):
        cues.append(("repeated exclamation marks", 0.6))
    if not cues:
        return None
    return "; ".join(detail for detail, _ in cues), min(1.0, sum(strength for _, strength in cues))


def _is_shouting(message: str) -> bool:
    words = re.findall(r"[A-Za-z]{2,}", message)
    caps = [w for w in words if w.isupper() and w not in _ACRONYMS]
    # Three capitalised words that make up most of the message: one "NOT" for emphasis is not shouting.
    return len(caps) >= 3 and len(caps) >= 0.6 * len(words)


def _cancellation(message: str) -> str | None:
    for pattern in _CANCELLATION_PATTERNS:
        for match in pattern.finditer(message):
            if not _NEGATED_INTENT.search(message[: match.start()]):  # "I don't want to close my account"
                return match.group(0).strip()
    return None


def _fold_misspellings(message: str) -> str:
    """Rewrite near-misses of the person words ("humen", "agnet", "represenative") to their spelling."""

    def fold(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in _FUZZY_TARGETS or lower in _NOT_MISSPELLINGS:
            return word
        for target in _FUZZY_TARGETS:
            allowed = 1 if len(target) <= 6 else 2
            if (
                lower[0] == target[0]
                and abs(len(lower) - len(target)) <= allowed
                and _edit_distance(lower, target) <= allowed
            ):
                return target
        return word

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
