"""A help-center article read as the statements a reply may quote, each with what it is about.

Help centers state facts in a few shapes, and each is read for what it says:

- sentences and list items of running text, about their section's heading;
- "Label: value" list items ("- Monthly maintenance fee: $20.00");
- table rows, read with their header ("Out-of-network ATM withdrawal fee (after free): $2.50"), since a row
  alone ("| $2.50 |") says nothing;
- FAQ pairs ("- Q: ... / A: ...", a question heading followed by its answer, or "Question? Answer." in one
  item): the answer is the statement and the question is what it is about. A question is never a statement;
- a list under a lead-in ("To cancel:" or a "How to ..." heading), and a paragraph of several sentences,
  is also one block, for questions asking how to do something.

A statement's `context` (its heading, its FAQ question, its table header, its list's lead-in) tells what it is
about without being quoted. Placeholders an export left in ("{{Website Name}}", "[value not available]") and
statements cut short are never statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from tandem.responder.values import acronyms_of, label_head, terms_of, value_kinds, value_units, values_in

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_QUESTION_LINE = re.compile(r"^(?:\*\*)?(?:Q|Question)\s*[:.](?:\*\*)?\s*(.+)$", re.I)
_ANSWER_LINE = re.compile(r"^(?:\*\*)?(?:A|Answer)\s*:(?:\*\*)?\s*(.+)$", re.I)
_INLINE_PAIR = re.compile(
    r"^((?:what|how|when|where|which|who|why|is|are|do|does|can|will|should)\b[^?]{6,}\?)\s+(\S.*)$", re.I
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[$])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|no|mr|mrs|ms|dr|st)\.$", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\[(?:value )?not available\]|\[insert\b|\bTBD\b|\bN/A\b|\bthis value\b", re.I
)
_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}")
# A table row for a tier of amounts or periods: "Up to $100", "More than $100 and up to $300", "Above $300".
_TIER = re.compile(
    r"^\s*(?:up to|more than|less than|above|below|over|under|between|at least|from"
    r"|\$?\d[\d,.]*\s*(?:-|\u2013|to)\s*\$?\d)",
    re.I,
)
# Text for the system or the agent, not the customer: field names ("pin_locked") and literals ("TRUE").
_SYSTEM_TEXT = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:TRUE|FALSE|NULL)\b")
# Wording that states a bound: the answer to "the longest term", "the most I can send" or "the minimum
# balance" is a value stated as a limit, not one that merely applies ("defaults to a 12-month term").
BOUND = re.compile(
    r"\b(?:up to|at most|at least|no (?:more|less|fewer) than|not (?:to )?exceed\w*|exceed\w*|beyond"
    r"|as (?:high|low|much|many|long|short|little|few|soon) as"
    r"|or (?:more|less|fewer|higher|lower|greater|above|below|longer|shorter)|at or (?:above|below)"
    r"|above|below|over|under|within|ranges?|between"
    r"|max(?:imum|imums)?|min(?:imum|imums)?|limit(?:s|ed)?|cap(?:s|ped)?|ceiling|floor|threshold|tiers?"
    r"|highest|lowest|longest|shortest|earliest|latest|most|least|starts? at|unlimited"
    r"|must|requires?|required|requirements?)\b"
    r"|\$?\d[\d,.]*%?\s*(?:to|-|\u2013)\s*\$?\d",
    re.I,
)
ELSEWHERE = re.compile(
    r"\b(?:described|listed|shown|explained|outlined|detailed)\s+(?:below|above)\b|\bsee (?:below|above)\b"
    r"|\bas follows\b",
    re.I,
)
# Whose share a statement states: the reader's own ("You receive $20", "Your bonus: $20", "Receive $75 for
# each referral") or another person's ("They receive: $30", "The referred business must deposit $15,000").
_THEIRS = re.compile(
    r"^(?:they|their|them|he or she|referred|referees?|invitees?"
    r"|the (?:referred|invited|new|person|friend|referee|invitee|recipient)"
    # "your referral receives ..." is the person referred; "your referral bonus" is the reader's own
    r"|your (?:friend|referee|invitee|contact)s?\b|your referrals?\b(?!\s+(?:bonus|reward|credit|payout))"
    r"|new (?:business|customer|client|member|account holder)s?\b)",
    re.I,
)
# The case a statement states: "with a premium subscription", "without a premium subscription".
_CONDITION = re.compile(
    r"\b(with|without)\s+(?:an?\s+|the\s+|your\s+|any\s+)?((?:[\w-]+\s+){0,2}[\w-]+)", re.I
)
# A worked example, not a rule: under an "Examples" heading ("10 withdrawals in a month: all 10 are free"), or
# saying what a case "would" come to ("Two withdrawals of $200 each would cost 2 x $3.50"). A sum written out
# is not one: "Total free withdrawals per month: 10 + 5 = 15" states the rule.
_EXAMPLE_WORDS = frozenset({"exampl", "scenario", "illustr"})
_WORKED = re.compile(r"\bwould (?:cost|be|come to|total|pay|earn|get|receive)\b")
_YOURS = re.compile(r"^(?:you|your|receive|earn|get|referrers?)\b", re.I)
MIN_WORDS = 2
SHORT_ANSWER_WORDS = 6  # an FAQ answer shorter than this is quoted with its question
MAX_CHARS = 400
MAX_BLOCK_CHARS = 700
MAX_BLOCK_ITEMS = 8


@dataclass(frozen=True, slots=True)
class Statement:
    text: str  # what the reply quotes, verbatim but for markdown markup
    source: int  # position of its article among the passages
    position: int  # order inside the article
    terms: frozenset[str]  # analysed words of the text
    context: frozenset[str]  # analysed words of what it is about (heading, FAQ question, table header)
    about: str  # ... as written
    tokens: tuple[str, ...]  # analysed text in order, for product names
    context_tokens: tuple[str, ...]  # analysed context in order, for product names
    values: tuple[str, ...]  # the amounts, rates and counts it states, normalised ("$2.50", "3%", "2")
    kinds: frozenset[str]  # what kinds of value: money, rate, duration, count (`value_kinds`)
    label: frozenset[str]  # what the value is of: the words before a "label: value" colon, else terms
    labelled: bool  # the label is its own ("Monthly maintenance fee: $25.00", a table row)
    label_head: str | None  # the label's head noun: "rebate" in "Monthly ATM fee rebates for ATM usage"
    units: frozenset[str] = frozenset()  # what its counts count: "visit" in "9 complimentary lounge visits"
    block: bool = False  # a list with its lead-in: a set of steps or options
    bounded: bool = False  # it states a bound ("up to", "at least", "maximum", a tier): see `BOUND`
    # It says the thing is stated elsewhere ("the monthly charge described below"): its figures are not it.
    refers_elsewhere: bool = False
    party: str | None = None  # whose share it states: "self" (the reader's) or "other" (`_THEIRS`)
    example: bool = False  # a worked example (`_EXAMPLE_WORDS`, `_WORKED`), not the rule it illustrates
    # The words of the case it states: "with a premium subscription", "without a premium subscription".
    with_terms: frozenset[str] = frozenset()
    without_terms: frozenset[str] = frozenset()


def statements(text: str, source: int) -> list[Statement]:
    """The quotable statements of an article body, in order (`position` is the index in this list)."""
    parsed = _parsed(text)
    return list(parsed) if source == 0 else [replace(st, source=source) for st in parsed]


@lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[Statement, ...]:
    # Articles change rarely and every turn reads a few: parse each text once.
    reader = _Reader(0)
    reader.read(text)
    return tuple(reader.out)


class _Reader:
    def __init__(self, source: int) -> None:
        self.source = source
        self.out: list[Statement] = []
        self.headings: list[tuple[int, str]] = []  # the open headings (level, text), outermost first
        self.question: str | None = None  # an FAQ question waiting for its answer
        self.asked_by_heading: str | None = None  # the question the current heading asks
        self.paragraph: list[str] = []
        self.items: list[tuple[int, str]] = []  # (indent, text) of the current list
        self.lead: str | None = None  # the sentence ending in ":" before a list
        self.table: list[list[str]] = []

    def read(self, text: str) -> None:
        for raw in text.splitlines():
            line = raw.rstrip()
            stripped = line.strip()
            if not stripped:
                self._flush_paragraph()
                continue
            if heading := _HEADING.match(stripped):
                self._flush_all()
                level, title = len(heading.group(1)), _clean(heading.group(2))
                self.headings = [(n, h) for n, h in self.headings if n < level] + [(level, title)]
                self.question = title if title.endswith("?") else None
                self.asked_by_heading = self.question
                continue
            if stripped.startswith("|"):
                self._flush_paragraph()
                self._flush_list()
                if not _SEPARATOR_ROW.match(stripped):
                    self.table.append([_clean(c) for c in stripped.strip("|").split("|")])
                continue
            self._flush_table()
            if item := _LIST_ITEM.match(line):
                self._flush_paragraph()
                self.items.append((len(item.group(1).expandtabs(4)), _clean(item.group(2))))
            elif self.items and raw[:1].isspace():
                indent, previous = self.items[-1]  # a continuation line ("  A: ...") of the last item
                self.items[-1] = (indent, f"{previous}\n{_clean(stripped)}")
            else:
                self._flush_list()
                cleaned = _clean(stripped)
                if _QUESTION_LINE.match(cleaned) or _ANSWER_LINE.match(cleaned):
                    self._flush_paragraph()  # "Q: ..." and "A: ..." on consecutive lines are two parts
                    self.paragraph.append(cleaned)
                    self._flush_paragraph()
                else:
                    self.paragraph.append(cleaned)
        self._flush_all()

    # --- shapes --------------------------------------------------------------------------------------

    def _flush_all(self) -> None:
        self._flush_paragraph()
        self._flush_list()
        self._flush_table()

    def _flush_paragraph(self) -> None:
        if not self.paragraph:
            return
        text = " ".join(self.paragraph)
        self.paragraph = []
        self._flush_list()
        if pair := _QUESTION_LINE.match(text):
            self.question = pair.group(1)
            return
        if answer := _ANSWER_LINE.match(text):
            self._answer(answer.group(1))
            return
        sentences = _sentences(text)
        if sentences and sentences[-1].endswith(":"):
            self.lead = sentences.pop()
        for sentence in sentences:
            self._add(sentence, self._context())
        if len(sentences) >= 2:  # a paragraph of steps reads whole, for "how do I ..."
            self._add(" ".join(sentences), self._context(), block=True)

    def _flush_list(self) -> None:
        if not self.items:
            return
        items, self.items = self.items, []
        lead, self.lead = self.lead, None
        top = min(indent for indent, _ in items)
        parent: str | None = None
        shown: list[str] = []
        for indent, text in items:
            nested = indent > top
            first, _, rest = text.partition("\n")
            if question := _QUESTION_LINE.match(first):
                self.question = question.group(1)
                if answer := _ANSWER_LINE.match(rest.strip()):
                    self._answer(answer.group(1))
                continue
            if answer := _ANSWER_LINE.match(first):
                self._answer(answer.group(1))
                continue
            text = " ".join(text.split())
            if pair := _INLINE_PAIR.match(text):
                self.question = pair.group(1)
                self._answer(pair.group(2))
                continue
            if nested and parent and parent.endswith("?"):
                self.question = parent  # "- What minimum balance must I maintain?" answered by its items
                self._answer(text)
                continue
            if not nested:
                parent = text if text.endswith((":", "?")) else None
                shown.append(text)
            context = self._context(lead, parent if nested else None)
            if text.endswith((":", "?")):
                continue  # a lead-in or a question for the nested items, not a statement
            if self.asked_by_heading and len(text.split()) < SHORT_ANSWER_WORDS:
                # "### Is there a fee for paper statements?" answered by "- Yes, $2 each."
                self._add(f"{self.asked_by_heading} {text}", context, label=self.asked_by_heading)
                continue
            for sentence in _sentences(text):
                self._add(sentence, context)
        if self.question is None and (lead or self.headings) and 2 <= len(shown) <= MAX_BLOCK_ITEMS:
            intro = lead or self.headings[-1][1]
            block = "\n".join([f"{intro}" if lead else "", *(f"- {s}" for s in shown)]).strip()
            if len(block) <= MAX_BLOCK_CHARS:
                self._add(block, self._context(lead), block=True)

    def _flush_table(self) -> None:
        if not self.table:
            return
        rows, self.table = self.table, []
        header, body = (rows[0], rows[1:]) if len(rows) > 1 else ([], rows)
        lines: list[str] = []
        for cells in body:
            if len(cells) < 2 or not cells[0]:
                continue
            if len(cells) == 2:
                lines.append(f"{cells[0]}: {cells[1]}")
            else:
                named = zip(header[1:] or [""] * (len(cells) - 1), cells[1:], strict=False)
                lines.append(f"{cells[0]}: " + "; ".join(f"{h}: {c}" if h else c for h, c in named if c))
        context = self._context(" ".join(header))
        labels = [cells[0] for cells in body if len(cells) >= 2 and cells[0]]
        if len(labels) >= 2 and sum(bool(_TIER.match(label)) for label in labels) * 2 >= len(labels):
            # Tiers ("Up to $100: $2.00", "Above $300: $5.00"): without the amount, one row alone misstates
            # the figure, so the table is also one statement.
            lead = f"{header[1]} ({header[0]}):" if len(header) >= 2 else "By tier:"
            self._add("\n".join([lead, *(f"- {line}" for line in lines)]), context, tiers=True)
        for line, label in zip(lines, labels, strict=False):
            self._add(line, context, label=label)

    def _answer(self, text: str) -> None:
        question, self.question = self.question, None
        context = self._context(question)
        # A short answer ("$660.", "Yes.") reads only with its question: the pair is quoted together.
        if question and len(text.split()) < SHORT_ANSWER_WORDS:
            self._add(f"{question} {text}", context, label=question)
            return
        for sentence in _sentences(text):
            self._add(sentence, context)

    def _context(self, *extra: str | None) -> str:
        headings = [h for _, h in self.headings]
        return " ".join([*headings, *(e for e in extra if e), self.question or ""]).strip()

    def _add(
        self, text: str, context: str, *, label: str | None = None, block: bool = False, tiers: bool = False
    ) -> None:
        text = text.strip()
        limit = MAX_BLOCK_CHARS if block or tiers else MAX_CHARS
        if (
            len(text.split()) < MIN_WORDS
            or len(text) > limit
            or text.endswith((":", "…", "?"))
            or _PLACEHOLDER.search(text)
            or _SYSTEM_TEXT.search(text)
        ):
            return
        tokens = tuple(terms_of(text))
        if not tokens:
            return
        head, colon, _ = text.partition(":")
        if label is None and colon and len(head.split()) <= 8 and not tiers:
            label = head
        context_tokens = tuple(terms_of(context))
        self.out.append(
            Statement(
                text=text,
                source=self.source,
                position=len(self.out),
                # A spelt-out name's acronym counts as said ("Annual Percentage Yield" answers "APY").
                terms=frozenset(tokens) | frozenset(acronyms_of(text)),
                context=frozenset(context_tokens),
                about=context,
                tokens=tokens,
                context_tokens=context_tokens,
                values=values_in(text),
                kinds=value_kinds(text),
                label=frozenset(terms_of(label)) or frozenset(tokens) if label else frozenset(tokens),
                labelled=bool(label and terms_of(label)),
                label_head=label_head(label) if label else None,
                units=value_units(text),
                block=block,
                bounded=bool(BOUND.search(text)),
                refers_elsewhere=bool(ELSEWHERE.search(text)),
                party=_party(text),
                example=bool(_EXAMPLE_WORDS.intersection(context_tokens) or _WORKED.search(text)),
                with_terms=_condition(text, "with"),
                without_terms=_condition(text, "without"),
            )
        )


def _condition(text: str, kind: str) -> frozenset[str]:
    """The words of its "with ..." or "without ..." cases (`_CONDITION`)."""
    return frozenset(
        t for m in _CONDITION.finditer(text) if m.group(1).lower() == kind for t in terms_of(m.group(2))
    )


def _party(text: str) -> str | None:
    """Whose share a statement states ("self", "other" or unknown), read from its subject, or from what
    follows a short label ("To qualify: The referred business ...")."""
    text = text.lstrip("-*• ")
    label, colon, rest = text.partition(":")
    if colon and len(label.split()) <= 3 and _THEIRS.match(rest.strip()):
        return "other"  # "To qualify: The referred business must deposit ..."
    return "other" if _THEIRS.match(text) else "self" if _YOURS.match(text) else None


def _clean(text: str) -> str:
    return _LINK.sub(r"\1", text).replace("**", "").replace("__", "").replace("`", "").strip()


def _sentences(text: str) -> list[str]:
    parts = _SENTENCE_END.split(" ".join(text.split()))
    merged: list[str] = []
    for part in parts:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"  # "e.g. Blue Account" is one sentence
        else:
            merged.append(part)
    return merged
