"""Text signals of one customer message: what it says about needing a person, each with a reason.

Plain functions over the message (and the customer's recent messages), no model: they run in microseconds and
are the same for every deployment. Each returns a `Signal` (code, detail, strength in 0..1) or None. Whether a
signal escalates is the engine's business (`tandem.escalation.engine`); here we only say what is there.

Patterns are written against false positives from ordinary support language: "my travel agent", "the person
who sent me money" and "cancel a payment" are neither a request for a person nor churn; "power of attorney" is
not a legal threat and "this is killing me" is not a safety concern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tandem.contracts import EscalationReason
from tandem.escalation.misspellings import fold_misspellings

# Codes of the immediate signals: any one of them escalates on its own.
EXPLICIT_REQUEST = "explicit_request"
TOPIC = "topic"
LEGAL_THREAT = "legal_threat"
SAFETY = "safety"
# Codes of the weighed signals (their weights live in the policy).
FRUSTRATION = "frustration"
CANCELLATION = "cancellation"
COMPLAINT = "complaint"
HIGH_VALUE = "high_value"
LOW_CONFIDENCE = "low_confidence"
MULTI_ISSUE = "multi_issue"
REPEATED_FAILURE = "repeated_failure"
# Codes the workflow's timers record (see `timer_reason`); passed to the engine, they escalate on their own.
TIMER_CODES = frozenset({"pickup_timeout", "ai_time_limit", "ai_turn_limit"})


@dataclass(frozen=True, slots=True)
class Signal:
    code: str
    detail: str
    strength: float = 1.0

    def reason(self) -> EscalationReason:
        return EscalationReason(code=self.code, detail=self.detail, strength=round(self.strength, 3))


def quote(text: str, match: re.Match[str], around: int = 24) -> str:
    """The matched words with a little context, quoted, for a reason's detail."""
    start = text.rfind(" ", 0, max(0, match.start() - around)) + 1 if match.start() > around else 0
    end = text.find(" ", min(len(text), match.end() + around))
    snippet = text[start : end if end != -1 else len(text)].strip()
    return repr(snippet if len(snippet) <= 120 else match.group(0).strip())


def normalize(message: str) -> str:
    """Typographic apostrophes and quotes read as plain ones; runs of whitespace as one space."""
    text = message.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


# --- explicit request for a person --------------------------------------------------------------------------

_PERSON = (
    r"(?:human(?:\s+being)?|person|agent|representative|rep|someone|somebody|anyone|anybody|manager|"
    r"supervisor|operator|assistant|staff(?:\s+member)?|employee|advis[eo]r|"
    r"customer\s+(?:service|services|support|care|assistance)|support\s+(?:team|staff|desk))"
)
# "the person who/that ..." describes somebody (a payee, a fraudster), it does not ask for one; nor does
# "person-to-person" or "an agent fee".
_NOT_COMPOUND = r"(?!-)(?!\s+(?:fees?|charges?|commissions?|codes?|numbers?|ids?|portal|app)\b)"
_NOT_DESCRIPTION = rf"(?!\s+(?:who|that|which|whose|whom|i|you|he|she|they|we)\b){_NOT_COMPOUND}"
_DETERMINER = r"(?:(?:a|an|the|your|ur|some|any|one\s+of\s+your)\s+)?"
_QUALIFIER = (
    r"(?:(?:real|live|actual|human|proper|another|different|damn|goddamn|fucking|freaking|bloody|stupid)\s+)"
    r"{0,2}"
)
_REQUEST_VERB = (
    r"(?:talk(?:ing)?|speak(?:ing)?|chat(?:ting)?|reach(?:ing)?|contact(?:ing)?|call(?:ing)?|request|ask\s+for|"
    r"need|want|get\s+me|get(?:ting)?\s+in\s+touch|"
    r"give\s+me|connect(?:ed|ing)?(?:\s+me)?|transfer(?:red)?\s+me|put\s+me\s+through|"
    r"escalate(?:\s+(?:this|it|me))?|bring\s+in|prefer)"
)
# Contact words that, next to "customer service", mean the customer wants to reach it.
_CONTACT_WORD = (
    r"(?:talk\w*|speak\w*|chat\w*|reach\w*|contact\w*|call\w*|phone|ring|e-?mail|get\s+in\s+touch|"
    r"hours?|open(?:ing)?|available|availability|number|no\.?|line|write|message|mail)"
)
_SERVICE = (
    r"(?:customer\s*(?:service|services|support|care|assistance)|(?:help|support|service)\s*(?:desk|line))"
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
    # "when is customer service open", "customer support phone number", "call your help desk"
    re.compile(rf"\b{_CONTACT_WORD}\b.{{0,40}}?\b{_SERVICE}\b", re.IGNORECASE),
    re.compile(rf"\b{_SERVICE}\b.{{0,40}}?\b{_CONTACT_WORD}\b", re.IGNORECASE),
    # a message that is just the ask: "agent", "Human please!", "representative now", "customer service"
    re.compile(
        rf"^\W*(?:(?:i\s+want|i\s+need|need|want|get\s+me|a|an|real|live)\s+)*{_PERSON}"
        r"(?:\s+(?:please|pls|plz|now|asap))*\W*$",
        re.IGNORECASE,
    ),
)


def explicit_request(message: str) -> Signal | None:
    """The customer asks for a person or for customer service, in any phrasing or spelling."""
    text = fold_misspellings(normalize(message))
    for pattern in _EXPLICIT_PATTERNS:
        match = pattern.search(text)
        if match:
            return Signal(EXPLICIT_REQUEST, f"asked for a person: {match.group(0).strip()!r}")
    return None


# --- legal threat and safety --------------------------------------------------------------------------------

_LEGAL_PATTERNS = (
    re.compile(
        r"\b(?:lawyers?|attorneys?|solicitors?|barristers?|legal\s+(?:action|proceedings?|team|counsel|advice|"
        r"department)|law\s*suits?|class[-\s]action|small[-\s]claims)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:(?:will|going\s+to|gonna|'ll|shall|and)\s+sue|"
        r"su(?:e|ing)\s+(?:you|u|them|(?:your|the)\s+(?:company|bank|business|firm|store|shop))|"
        r"(?:take|taking|see)\s+(?:you|u|this|them|it|your\s+\w+)\s+(?:to|in)\s+court|court\s+(?:order|case))\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:ombuds(?:man|men|person)|(?:the|a|your|financial|banking|government)\s+regulators?|"
        r"regulatory\s+(?:body|authority))\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:report|complain|escalate)\w*\s+(?:(?:you|u|this|it|them|your\s+\w+)\s+)?to\s+(?:the\s+)?"
        r"(?:FCA|CFPB|FTC|SEC|BBB|Better\s+Business\s+Bureau|attorney\s+general|trading\s+standards|"
        r"authorities|police|consumer\s+protection)\b",
        re.IGNORECASE,
    ),
)
# "power of attorney" is a service request, not a threat; "attorney general" is handled by the report pattern.
_NOT_LEGAL = re.compile(r"\bpowers?\s+of\s+attorney\b|\battorney[-\s]general\b", re.IGNORECASE)

_SELF_HARM = re.compile(
    r"\b(?:kill(?:ing)?\s+my\s*self|end(?:ing)?\s+(?:my\s+(?:own\s+)?life|it\s+all)|suicid\w*|"
    r"take\s+my\s+(?:own\s+)?life|(?:want|going)\s+to\s+die|"
    r"(?:do\s+not|don't|dont)\s+want\s+to\s+(?:live|be\s+alive)|no\s+reason\s+to\s+live|"
    r"(?:hurt|harm)(?:ing)?\s+my\s*self|self[-\s]harm\w*)\b",
    re.IGNORECASE,
)
_VIOLENCE = re.compile(
    r"\b(?:i(?:'ll|\s+will|'m\s+going\s+to|\s+am\s+going\s+to|'m\s+gonna|\s+am\s+gonna|\s+gonna|\s+want\s+to)\s+"
    r"(?:kill|hurt|shoot|stab|beat\s+up|attack|strangle|punch)\s+"
    r"(?:you|u|y'all|your\s+(?:staff|people|employees|agents?|manager|boss|ceo|family)|someone|somebody|"
    r"him|her|them|every(?:one|body)|the\s+(?:staff|manager|agent|teller|clerk|employees?|owner|ceo))|"
    r"i\s+know\s+where\s+you\s+live|bomb\s+threat|(?:a|the)\s+bomb\s+(?:in|at|on|under)|"
    r"(?:blow|burn)\s+(?:up\s+)?(?:your|the)\s+(?:office|branch|bank|building|store|shop|headquarters)"
    r"(?:\s+(?:up|down))?|bring(?:ing)?\s+(?:a|my)\s+(?:gun|knife|weapon))\b",
    re.IGNORECASE,
)


def legal_threat(message: str) -> Signal | None:
    """A lawyer, a lawsuit, a court, a regulator or an ombudsman: a person (and often legal) must answer."""
    text = _NOT_LEGAL.sub(" ", normalize(message))
    for pattern in _LEGAL_PATTERNS:
        match = pattern.search(text)
        if match:
            return Signal(LEGAL_THREAT, f"legal or regulatory threat: {quote(text, match)}")
    return None


def safety_concern(message: str) -> Signal | None:
    """Self-harm or a threat of violence: a person now, at the highest priority."""
    text = normalize(message)
    match = _SELF_HARM.search(text)
    if match:
        return Signal(SAFETY, f"possible self-harm: {quote(text, match)}")
    match = _VIOLENCE.search(text)
    if match:
        return Signal(SAFETY, f"threat of violence: {quote(text, match)}")
    return None


# --- complaint ----------------------------------------------------------------------------------------------

_COMPLAINT_PATTERNS = (
    # "file a complaint", "I have a complaint", "lodge a consumer reclamation", "status of my complaint"
    re.compile(r"\b(?:complaint|reclamation|grievance)s?\b", re.IGNORECASE),
    # "I want to complain", "I'm complaining about"
    re.compile(
        r"\b(?:(?:want|wish|need|like|going|have|has)\s+to\s+complain|complain(?:ing)?\s+(?:about|to|of))\b",
        re.IGNORECASE,
    ),
    # "file a claim against your company", "consumer claim"; a plain "make a claim" is an insurer's daily work
    re.compile(
        r"\b(?:(?:claim|case)s?\s+against\s+(?:you|u|your|ur|the|this)|(?:consumer|customer)\s+claims?)\b",
        re.IGNORECASE,
    ),
)
# "file a claim" is a complaint in a shop and routine work at an insurer: a weaker signal on its own.
_CLAIM = re.compile(
    r"\b(?:fil(?:e|ing)|lodg(?:e|ing)|mak(?:e|ing)|submit(?:ting)?|rais(?:e|ing)|open(?:ing)?|put\s+in)\s+"
    r"(?:a|an|my|the)\s+(?:\w+\s+)?claims?\b",
    re.IGNORECASE,
)
AMBIGUOUS_CLAIM_STRENGTH = 0.6
# "no complaints", "not complaining", "I can't complain" say the opposite.
_NOT_COMPLAINT = re.compile(
    r"\b(?:no|not\s+a|never\s+a|without)\s+(?:\w+\s+)?(?:complaints?|grievances?)\b|"
    r"\b(?:not|never|can't|cannot|can\s+not|won't)\s+(?:be\s+)?complain\w*",
    re.IGNORECASE,
)


def complaint(message: str) -> Signal | None:
    """The customer wants to make (or follow up) a formal complaint."""
    text = _NOT_COMPLAINT.sub(" ", fold_misspellings(normalize(message)))
    for pattern in _COMPLAINT_PATTERNS:
        match = pattern.search(text)
        if match:
            return Signal(COMPLAINT, f"complaint: {quote(text, match)}")
    match = _CLAIM.search(text)
    if match:
        detail = f"a claim (a complaint, or routine work): {quote(text, match)}"
        return Signal(COMPLAINT, detail, AMBIGUOUS_CLAIM_STRENGTH)
    return None


# --- frustration --------------------------------------------------------------------------------------------

_FRUSTRATION_WORDS = re.compile(
    r"\b(?:angry|furious|livid|frustrat(?:ed|ing)|annoy(?:ed|ing)|fed\s+up|sick\s+of|tired\s+of|ridiculous|"
    r"useless|terrible|horrible|awful|worst|pathetic|unacceptable|disgusting|outrageous|incompetent|"
    r"disappoint(?:ed|ing)|unhappy|dissatisfied|unsatisfied|unsatisfactory|appalling|shocking|"
    r"rip[-\s]?off|ripped\s+off|waste\s+of\s+(?:my\s+)?time|joke\s+of\s+a|what\s+a\s+joke|"
    r"fuck\w*|shit\w*|wtf|damn\w*|goddamn\w*|crap\w*|bullshit)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"(?:\bnot|\bnever|n't|\bno)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NOT_FRUSTRATION = re.compile(r"\bworst[-\s]case\b", re.IGNORECASE)
REPEATED_CONTACT = re.compile(
    # "the third time I'm asking", not "the second time I've ordered from you"
    r"\b(?:(?:the|my)\s+(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time\s+(?:(?:that\s+)?i\s*(?:'m|'ve|am|have)?\s+)?"
    r"(?:ask|asking|asked|writ\w+|wrote|call\w*|contact\w*|tell\w*|told|explain\w*|chat\w*|reach\w*|messag\w*|"
    r"email\w*|rais\w+|report\w*)|"
    # "how many times do I have to ask", not "how many times can I withdraw cash"
    r"how\s+many\s+(?:more\s+)?times\s+(?:do|must|should|will|have)\s+i\s+(?:have\s+to\s+|need\s+to\s+)?"
    r"(?:ask|tell|call|explain|repeat|say|write|contact)|"
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
    | {"API", "SMS", "OTP", "CVV", "CVC", "APR", "FAQ", "ASAP", "IRA", "ACH", "FDIC", "VAT", "PDF", "URL"}
)


def frustration(message: str) -> Signal | None:
    """Anger or frustration: strong words, shouting, repeated exclamation marks, "the third time I ask"."""
    text = normalize(message)
    cues: list[tuple[str, float]] = []
    for match in _FRUSTRATION_WORDS.finditer(text):
        negated = _NEGATED.search(text[: match.start()])  # "not angry", "never useless"
        if not negated and not _NOT_FRUSTRATION.match(text, match.start()):
            cues.append((f"said {match.group(0)!r}", 1.0))
            break
    repeated = REPEATED_CONTACT.search(text)
    if repeated:
        cues.append((f"repeated contact: {repeated.group(0)!r}", 1.0))
    if _is_shouting(text):
        cues.append(("writing in capitals", 0.8))
    if _EXCLAMATIONS.search(text) and not _POSITIVE.search(text):
        cues.append(("repeated exclamation marks", 0.6))
    if not cues:
        return None
    detail = "; ".join(d for d, _ in cues)
    return Signal(FRUSTRATION, detail, min(1.0, sum(s for _, s in cues)))


def _is_shouting(message: str) -> bool:
    words = re.findall(r"[A-Za-z]{2,}", message)
    caps = [w for w in words if w.isupper() and w not in _ACRONYMS]
    # Three capitalised words that make up most of the message: one "NOT" for emphasis is not shouting.
    return len(caps) >= 3 and len(caps) >= 0.6 * len(words)


# --- cancellation / churn -----------------------------------------------------------------------------------

_CANCELLATION_PATTERNS = (
    # "close my account", "cancel my membership", "delete my Rho-Bank account"; not "cancel my card/payment"
    re.compile(
        r"\b(?:cancel(?:l?ed|l?ing|s)?|clos(?:e|es|ed|ing)|terminat(?:e|es|ed|ing)|delet(?:e|es|ed|ing)|"
        r"shut(?:ting)?\s+down|end(?:ed|ing)?)\s+(?:(?:my|our|the|this|all\s+my|your)\s+)?"
        r"(?:[\w-]+\s+){0,2}?(?:account|accounts|membership|relationship|profile|subscription\s+with\s+you)\b"
        r"(?!\s*(?:number|details|statement|settings|alerts?|notifications?)\b)",
        re.IGNORECASE,
    ),
    # "cancel my subscription/contract/plan" (not "my newsletter subscription": the word must follow "my")
    re.compile(
        r"\b(?:cancel(?:l?ed|l?ing|s)?|terminat(?:e|es|ed|ing)|end(?:ed|ing)?)\s+(?:my|our)\s+"
        r"(?:subscription|contract|plan|service)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:switch(?:ing)?|mov(?:e|ing))\s+(?:(?:all\s+)?my\s+(?:money|savings|business|accounts?)\s+)?"
        r"(?:to\s+)?(?:another|a\s+different|a\s+new|other)\s+(?:banks?|provider|company|competitor)\b|"
        r"\bswitch(?:ing)?\s+(?:banks|providers)\b|\b(?:going|switching|moving)\s+to\s+(?:a|your)\s+competitor\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:i\s*'?m|i\s+am|we\s*'?re|we\s+are|i\s+will\s+be|i'll\s+be)\s+leaving\s+"
        r"(?:you|your\s+(?:bank|company|service)|this\s+(?:bank|company|service)|[\w-]*bank\b|"
        r"for\s+(?:another|a\s+different)\s+\w+)\b|"
        r"\btak(?:e|ing)\s+my\s+(?:business|money)\s+elsewhere\b",
        re.IGNORECASE,
    ),
)
_NEGATED_INTENT = re.compile(
    r"\b(?:don't|do\s+not|doesn't|not|never|won't)\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)


def cancellation(message: str) -> Signal | None:
    """The customer wants to close the account or leave for a competitor (churn)."""
    text = normalize(message)
    for pattern in _CANCELLATION_PATTERNS:
        for match in pattern.finditer(text):
            if not _NEGATED_INTENT.search(text[: match.start()]):  # "I don't want to close my account"
                return Signal(CANCELLATION, f"wants to leave: {match.group(0).strip()!r}")
    return None


# --- complex, multi-issue message ---------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.?!])\s+|\n+|;\s*")
_ASK = re.compile(
    r"\?\s*$|^\s*(?:\d+[.)]|[-*•])\s+|\b(?:how|why|when|where|what|which|can|could|would|will|is|are|do|does|did)\b"
    r".*\?|\b(?:i\s+(?:need|want|would\s+like|'d\s+like|have\s+to)|please|help\s+me|can\s+you|could\s+you)\b",
    re.IGNORECASE,
)
_ANOTHER_ISSUE = re.compile(
    r"\b(?:also|additionally|as\s+well|on\s+top\s+of\s+that|another\s+(?:issue|problem|question|thing)|"
    r"second(?:ly)?|third(?:ly)?|besides|one\s+more\s+thing|separately|plus)\b",
    re.IGNORECASE,
)
MULTI_ISSUE_MIN_WORDS = 25


def multi_issue(message: str) -> Signal | None:
    """Several separate problems in one message: three asks, or two asks and an "also"/"another issue"."""
    text = normalize(message)
    if len(text.split()) < MULTI_ISSUE_MIN_WORDS:
        return None  # one long question is not several issues; short messages rarely hold three
    asks = [s for s in _SENTENCE.split(text) if s.strip() and _ASK.search(s)]
    marker = _ANOTHER_ISSUE.search(text)
    if len(asks) >= 3:
        return Signal(MULTI_ISSUE, f"{len(asks)} separate requests in one message", 1.0)
    if len(asks) == 2 and marker:
        return Signal(MULTI_ISSUE, f"2 separate requests ({marker.group(0)!r})", 0.7)
    return None
