"""The broken-HTML policy: what is repaired silently, what is refused with :class:`MarkupError`.

HTML is read the way a browser reads it (HTML5 parsing, inside the sanitiser). That repairs a lot,
and the repair is accepted silently as long as every piece of text stays where its author put it:
unclosed ``<p>``, ``<li>`` or ``<td>``, a missing ``</b>``, misnested inline tags, stray end tags,
upper-case tags, unquoted attribute values, entities without their semicolon, a whole document
(``<html><head>…``) where a fragment was expected.

It is refused when the browser's reading would **lose or move text**. :func:`check_markup`
compares the words an author reading the source expects (tags end at the first ``>``; quotes,
comments and raw-text elements end where they are closed, and an unclosed one is a mistake) with
the words the sanitised result actually contains; when an expected word is missing or out of order
the markup is refused. In practice that catches:

- a comment that is never closed (``<!--`` without ``-->``), which swallows the rest of the body;
- an attribute quote that is never closed (``<a href="x>text</a> …``), which swallows text up to
  the next quote;
- an element that is never closed and whose content the browser reads as raw text or the
  sanitiser drops (``script``, ``style``, ``textarea``, ``title``, ``iframe``, ``noscript``,
  ``svg``, ``math``, …), which swallows the rest;
- a ``<`` followed by a letter that never reaches ``>`` before the next tag (``<p>Harga <Rp 5.000
  per kg</p>``), which the browser reads as a tag and so eats the text;
- text that the HTML table rules move out of its place (text directly inside ``<table>`` or
  ``<tr>`` is moved in front of the table).

Text inside *closed* ``script``/``style``/``svg``/… elements is not article text and may go.
Also refused, before any parsing:

- binary data: a NUL character, or control characters making up 1% or more of the text;
- a body with text but no HTML element at all ("not HTML"): wrap the paragraphs in ``<p>``.

The error names the line and column (1-based, in characters) where the trouble starts: the
construct that swallowed the text when there is one to blame, else the first lost word. A stray
``<word …>`` that *does* reach ``>`` is read as a tag, by browsers and by this check alike.
"""

from __future__ import annotations

import html as html_lib
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from warta.errors import MarkupError
from warta.ingest.sanitize import DROPPED_CONTENT

# Elements whose content is not article text: a closed pair is skipped with everything inside,
# an unclosed one is a mistake (the browser would swallow everything after it).
_SKIPPED = DROPPED_CONTENT
_CLOSERS = {name: re.compile(rf"</{name}(?=[\s/>]|$)", re.IGNORECASE) for name in _SKIPPED}
_TAG_NAME = re.compile(r"/?([A-Za-z][^\s/<>]*)")
_TAG_STOP = re.compile(r"[>\"']")
_ENTITY_OR_TEXT = re.compile(r"&(?:#[xX][0-9A-Fa-f]*;?|#[0-9]*;?|[A-Za-z][A-Za-z0-9]*;?)?|[^&]+")
_SANITIZED_TAG = re.compile(r"<[^>]*>")  # the sanitiser escapes "<" and ">" in text and attributes
_WORD = re.compile(r"\S+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_QUOTE_LIMIT = 8  # words of lost text quoted in the error message


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a source text: 0-based character offset, 1-based line and column."""

    offset: int
    line: int
    column: int

    @classmethod
    def of(cls, text: str, offset: int) -> Position:
        line = text.count("\n", 0, offset) + 1
        return cls(offset=offset, line=line, column=offset - text.rfind("\n", 0, offset))

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


def check_binary(text: str, *, what: str) -> None:
    """Refuse ``text`` if it looks like binary data: any NUL, or 1% or more control characters.

    ``what`` names the text in the message ("the body", "the title"). Tab, line feed, form feed and
    carriage return are not control characters here.
    """
    first = _CONTROL.search(text)
    if first is None:
        return
    if "\x00" in text or len(_CONTROL.findall(text)) * 100 >= len(text):
        at = Position.of(text, first.start())
        raise MarkupError(
            f"{what} contains binary data (control character U+{ord(first.group()):04X} at {at})",
            hint="send the article as UTF-8 text; this looks like a binary file or a broken export",
            line=at.line,
            column=at.column,
        )


def remove_controls(text: str) -> str:
    """``text`` without the control characters :func:`check_binary` tolerates in small numbers."""
    return _CONTROL.sub("", text)


def check_markup(html: str, *, sanitized: str, what: str = "the body") -> None:
    """Apply the policy in the module docstring to ``html``, whose sanitised form is ``sanitized``.

    Raises :class:`MarkupError` naming the line and column; returns ``None`` when the markup is
    acceptable (possibly after silent repair, which ``sanitized`` already contains). ``what``
    names the text in messages. Runs in time linear in the length of ``html``.

    Texts are compared without their whitespace (so that a tag between two blocks may or may not
    separate two words): every non-space character the author expects must appear in the
    sanitised text, in the same order.
    """
    check_binary(html, what=what)
    scan = _scan(html)
    text = scan.text
    expected = _squeeze(text)
    if not expected:
        return
    if not scan.elements:
        raise MarkupError(
            f"{what} is plain text, not HTML (it has no element such as <p>)",
            hint="wrap each paragraph in <p>…</p>",
            line=1,
            column=1,
        )
    actual = _squeeze(html_lib.unescape(_SANITIZED_TAG.sub("", sanitized)))
    first = _first_difference(expected, actual)
    if first == len(expected) or _is_subsequence(expected[first:], actual[first:]):
        return
    char_at, word_at = _locate(text, first)
    where = Position.of(html, scan.source_offset(char_at))
    lost = " ".join(text[word_at:].split(maxsplit=_QUOTE_LIMIT)[:_QUOTE_LIMIT])
    blame = scan.blame(where.offset)
    if blame is None:
        raise MarkupError(
            f"the HTML would lose or reorder the text at {where} ('{lost}')",
            hint="check the markup just before that place, e.g. text directly inside <table> or "
            "<tr> instead of a cell",
            line=where.line,
            column=where.column,
            lost=lost,
        )
    at = Position.of(html, blame.offset)
    raise MarkupError(
        f"{blame.problem} at {at}, so the text after it would be lost ('{lost}')",
        hint=blame.fix,
        line=at.line,
        column=at.column,
        lost=lost,
    )


def plain_text(sanitized: str) -> str:
    """Readable plain text of a sanitised fragment: tags become spaces, whitespace is collapsed."""
    return " ".join(html_lib.unescape(_SANITIZED_TAG.sub(" ", sanitized)).split())


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _first_difference(expected: str, actual: str) -> int:
    n = min(len(expected), len(actual))
    if expected[:n] == actual[:n]:
        return n
    lo, hi = 0, n  # the prefixes agree up to lo and differ within hi: bisect on slices (C speed)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if expected[lo:mid] == actual[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _is_subsequence(needle: str, haystack: str) -> bool:
    pos = 0
    for ch in needle:
        pos = haystack.find(ch, pos) + 1
        if not pos:
            return False
    return True


def _locate(text: str, squeezed_index: int) -> tuple[int, int]:
    """Map an index in ``_squeeze(text)`` to (index of that character, start of its word)."""
    seen = 0
    for m in _WORD.finditer(text):
        if seen + len(m.group()) > squeezed_index:
            return m.start() + squeezed_index - seen, m.start()
        seen += len(m.group())
    raise AssertionError("index beyond the text")  # pragma: no cover -- callers pass a valid index


# --- the author's reading of the source --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Suspect:
    offset: int
    problem: str
    fix: str


@dataclass(slots=True)
class _Scan:
    """Text the author expects, with a map back to source offsets, and suspicious constructs."""

    source: str
    pieces: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # start of each piece in ``text``
    sources: list[int] = field(default_factory=list)  # its offset in the source
    entity: list[bool] = field(default_factory=list)  # the piece is a decoded character reference
    suspects: list[_Suspect] = field(default_factory=list)
    elements: int = 0
    length: int = 0
    _missing: dict[str, int] = field(default_factory=dict)  # needle -> no match at or after this

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def add_text(self, raw: str, source: int) -> None:
        for m in _ENTITY_OR_TEXT.finditer(raw):
            token = m.group()
            is_entity = token.startswith("&") and len(token) > 1
            decoded = html_lib.unescape(token) if is_entity else token
            self.pieces.append(decoded)
            self.starts.append(self.length)
            self.sources.append(source + m.start())
            self.entity.append(is_entity)
            self.length += len(decoded)

    def suspect(self, offset: int, problem: str, fix: str) -> None:
        self.suspects.append(_Suspect(offset, problem, fix))

    def find(self, needle: str | re.Pattern[str], start: int) -> tuple[int, int] | None:
        """(start, end) of the next ``needle`` at or after ``start``; failures are remembered so
        that a document full of unclosed constructs is still scanned in linear time."""
        key = needle if isinstance(needle, str) else needle.pattern
        if start >= self._missing.get(key, len(self.source) + 1):
            return None
        if isinstance(needle, str):
            at = self.source.find(needle, start)
            found = None if at < 0 else (at, at + len(needle))
        else:
            m = needle.search(self.source, start)
            found = None if m is None else m.span()
        if found is None:
            self._missing[key] = min(start, self._missing.get(key, start))
        return found

    def source_offset(self, text_offset: int) -> int:
        i = bisect_right(self.starts, text_offset) - 1
        if self.entity[i]:
            return self.sources[i]
        return self.sources[i] + text_offset - self.starts[i]

    def blame(self, source_offset: int) -> _Suspect | None:
        before = [s for s in self.suspects if s.offset <= source_offset]
        return before[-1] if before else None


def _scan(html: str) -> _Scan:
    scan = _Scan(html)
    i, n = 0, len(html)
    while i < n:
        lt = html.find("<", i)
        if lt < 0:
            scan.add_text(html[i:], i)
            break
        if lt > i:
            scan.add_text(html[i:lt], i)
        i = _read_markup(html, lt, scan)
        if i > lt + 1:  # markup, not a literal "<": keep words apart in quotes (the comparison
            scan.add_text(" ", lt)  # ignores whitespace)
    return scan


def _read_markup(html: str, lt: int, scan: _Scan) -> int:
    """Read what starts with the "<" at ``lt``; return where to continue."""
    if html.startswith("<!--", lt):
        return _skip_comment(html, lt, scan)
    nxt = html[lt + 1 : lt + 2]
    tag = _TAG_NAME.match(html, lt + 1)
    if nxt in ("!", "?") or (nxt == "/" and tag is None):
        # <!DOCTYPE>, <![CDATA[…]]>, <?php …?>, </ 5>: a bogus comment up to the next ">"
        gt = scan.find(">", lt)
        if gt is not None:
            return gt[1]
        scan.suspect(lt, f"'{html[lt : lt + 2]}' is never closed by '>'", "close it with '>'")
        scan.add_text("<", lt)
        return lt + 1
    if tag is None:  # "<" before a space, a digit or a symbol is text
        scan.add_text("<", lt)
        return lt + 1
    end = _tag_end(html, lt, scan)
    if end is None:
        scan.suspect(
            lt,
            f"'<{tag.group(1)}' starts a tag that is never closed by '>'",
            "write a literal '<' in text as &lt;, or close the tag with '>'",
        )
        scan.add_text("<", lt)
        return lt + 1
    scan.elements += 1
    name = tag.group(1).lower()
    if name not in _SKIPPED or tag.group(0).startswith("/"):
        return end
    close = scan.find(_CLOSERS[name], end)
    if close is None:
        scan.suspect(
            lt,
            f"<{name}> is never closed (everything after it is read as its content)",
            f"close it with </{name}>, or remove it",
        )
        return end
    gt = scan.find(">", close[1])
    return len(html) if gt is None else gt[1]


def _skip_comment(html: str, lt: int, scan: _Scan) -> int:
    for abrupt in ("<!-->", "<!--->"):  # HTML5 closes these empty comments at once
        if html.startswith(abrupt, lt):
            return lt + len(abrupt)
    end = scan.find("-->", lt + 4)
    if end is not None:
        return end[1]
    scan.suspect(lt, "a comment is never closed (<!-- without -->)", "close the comment with -->")
    return lt + 4


def _tag_end(html: str, lt: int, scan: _Scan) -> int | None:
    """Offset just after the tag starting at ``lt`` as its author meant it; None if unclosed.

    The tag cannot run past the next "<". A quoted attribute value ends at its closing quote; if
    that quote does not come before the next "<", the quote was never closed (a suspect) and the
    tag ends at the first ">" after it, as its author meant.
    """
    nxt_lt = html.find("<", lt + 1)
    limit = len(html) if nxt_lt < 0 else nxt_lt
    j = lt + 1
    while True:
        m = _TAG_STOP.search(html, j, limit)
        if m is None:
            return None
        k = m.start()
        if m.group() == ">":
            return k + 1
        if not html[max(lt, k - 64) : k].rstrip().endswith("="):  # a quote that opens no value
            j = k + 1
            continue
        close = html.find(m.group(), k + 1, limit)
        if close >= 0:
            j = close + 1
            continue
        scan.suspect(
            k,
            f"an attribute value opened with {m.group()} is never closed (the text after it is "
            "read as part of the tag)",
            f"close the attribute value with {m.group()}",
        )
        gt = html.find(">", k + 1, limit)
        return None if gt < 0 else gt + 1
