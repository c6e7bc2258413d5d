"""HTML help-center pages to markdown-ish text, with the standard library's `html.parser`.

The article chunker splits on markdown headings, so headings become `#` lines, list items `- ` lines (two
spaces of indent per nesting level), table rows `a | b` lines, `<pre>` a fenced block and everything else
paragraphs separated by blank lines. Page chrome (`nav`, `header`, `footer`) and non-text elements
(`script`, `style`, ...) are dropped, and so is everything in `<head>` except what is collected: the
`<title>`, `<meta name=... content=...>` tags and the canonical link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIPPED = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template", "svg", "iframe"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LISTS = frozenset({"ul", "ol", "menu"})
BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "aside", "blockquote", "dl", "dt", "dd", "table", "thead",
        "tbody", "tfoot", "caption", "figure", "figcaption", "form", "fieldset", "address", "details",
        "summary", "hr", "body", "center",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")


class HtmlError(ValueError):
    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem, self.line = problem, line


@dataclass
class HtmlDocument:
    title: str | None = None  # <title>
    heading: str | None = None  # the first <h1>, preferring one outside the dropped page chrome
    body: str = ""
    # lower-cased meta name (or property) -> every (content, line) it was given with, in order
    meta: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    canonical: str | None = None


def html_to_text(markup: str) -> HtmlDocument:
    converter = _Converter()
    try:
        converter.feed(markup)
        converter.close()
    except (AssertionError, ValueError) as exc:  # html.parser's rare hard failures on broken markup
        raise HtmlError(f"cannot parse HTML: {exc}", converter.getpos()[0]) from exc
    doc = converter.doc
    doc.heading = converter.heading or converter.chrome_heading
    doc.body = _render(converter.blocks)
    return doc


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = HtmlDocument()
        self.blocks: list[tuple[str, str, str]] = []  # (kind, text, indent); kind: h1..h6, li, row, p, pre
        self.heading: str | None = None
        self.chrome_heading: str | None = None
        self._text: list[str] = []
        self._kind, self._indent = "p", ""
        self._skip = 0  # depth inside dropped elements
        self._head = False
        self._lists = 0
        self._pre = 0
        self._title: list[str] | None = None  # collecting <title>
        self._h1: list[str] | None = None  # collecting an <h1> for the title

    # --- parser callbacks ------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta":
            name = (values.get("name") or values.get("property") or "").strip().lower()
            if name and "content" in values:
                self.doc.meta.setdefault(name, []).append((values["content"].strip(), self.getpos()[0]))
            return
        if tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.doc.canonical = self.doc.canonical or values.get("href", "").strip() or None
            return
        if tag in SKIPPED:
            self._flush(reset=True)
            self._skip += 1
            return
        if tag == "head":
            self._head = True
            return
        if tag == "body":
            self._head = False
        if tag == "title" and not self._skip and self.doc.title is None:
            self._title = []
            return
        if tag == "h1" and self._h1 is None:
            self._h1 = []
        if self._skip or self._head:
            return
        if tag in HEADINGS or tag == "li" or tag == "tr" or tag == "pre":
            self._flush(reset=True)
            self._kind = {"li": "li", "tr": "row", "pre": "pre"}.get(tag, tag)
            if tag == "li":
                self._indent = "  " * max(self._lists - 1, 0)
            elif tag == "pre":
                self._pre += 1
        elif tag in LISTS:
            self._flush(reset=True)
            self._lists += 1
        elif tag in ("td", "th"):
            if "".join(self._text).strip():
                self._text.append(" | ")
        elif tag == "br":
            self._text.append("\n")
        elif tag in BLOCKS:
            # A block inside a list item (<li><p>..) keeps the item's bullet for its first text.
            self._flush(reset=False)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self._skip = max(self._skip - 1, 0)
            return
        if tag == "head":
            self._head = False
            return
        if tag == "title" and self._title is not None:
            self.doc.title = _collapse("".join(self._title)) or None
            self._title = None
            return
        if tag == "h1" and self._h1 is not None:
            text = _collapse("".join(self._h1)) or None
            if self._skip:
                self.chrome_heading = self.chrome_heading or text
            else:
                self.heading = self.heading or text
            self._h1 = None
        if self._skip or self._head:
            return
        if tag in HEADINGS or tag in ("li", "tr") or tag in BLOCKS:
            self._flush(reset=True)
        elif tag in LISTS:
            self._flush(reset=True)
            self._lists = max(self._lists - 1, 0)
        elif tag == "pre":
            self._pre = max(self._pre - 1, 0)  # first, so the flush below resets to a paragraph
            self._flush(reset=True)

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        if self._h1 is not None:
            self._h1.append(data)
        if self._skip or self._head or self._title is not None:
            return
        self._text.append(data if self._pre else _SPACE.sub(" ", data))

    def close(self) -> None:
        super().close()
        self._flush(reset=True)

    # --- blocks ------------------------------------------------------------------------------------------

    def _flush(self, *, reset: bool) -> None:
        raw = "".join(self._text)
        self._text = []
        if self._kind == "pre":
            text = raw.strip("\n")
        else:
            text = "\n".join(line for line in (_collapse(part) for part in raw.split("\n")) if line)
        if text.strip():
            self.blocks.append((self._kind, text, self._indent))
        elif not reset:
            return
        self._kind, self._indent = ("pre", "") if self._pre else ("p", "")


def _render(blocks: list[tuple[str, str, str]]) -> str:
    out: list[str] = []
    previous = ""
    for kind, text, indent in blocks:
        if kind in HEADINGS:
            chunk = "#" * int(kind[1]) + " " + " ".join(text.split("\n"))
        elif kind == "li":
            chunk = indent + "- " + text.replace("\n", "\n" + indent + "  ")
        elif kind == "pre":
            chunk = "```\n" + text + "\n```"
        else:
            # A paragraph that starts with "#" would read as a heading to the chunker.
            chunk = "\\" + text if text.startswith("#") else text
        if out:
            out.append("\n" if kind == previous and kind in ("li", "row") else "\n\n")
        out.append(chunk)
        previous = kind
    return "".join(out)


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
