"""Inline markup as numbered tags, for engines that keep tags themselves (``EngineInfo.markup``
``"tags"``: LLMs and translation APIs in HTML mode) instead of returning an alignment.

:func:`to_tagged` writes a prepared sentence's model text with each inline span as a numbered tag,
``<x1>…</x1>``, each void element (``<br>``, ``<img>``) as ``<x2/>``, and the protected items as
their placeholders ``{n}``; the text is HTML-escaped, so the only ``<`` in it are the tags.
:func:`finish_tagged` reads an engine's tagged output back: tags become the source's elements
(tag and attributes from the source, never from the engine), placeholders become their items, and
what went wrong is flagged, never guessed:

* ``markup_lost``: a tag of the input is missing from the output (the element is dropped);
* ``markup_extra``: a tag the input did not have, a tag twice, or a close without its open
  (dropped);
* ``placeholder_lost``: an item's placeholder is missing (the item is put at the end of the
  sentence, before its final punctuation), ``placeholder_duplicated`` (the first copy is kept),
  ``placeholder_unknown`` (removed) -- the same flags as :mod:`warta.text.restore`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from warta.engines.base import Hypothesis
from warta.errors import FieldError
from warta.languages import Lang
from warta.text.inline import _BR, _canonical, _collapse, canonical_order, render
from warta.text.protect import PLACEHOLDER
from warta.text.records import FinishedSegment, PreparedSegment, Span

TAG = re.compile(r"<\s*(/?)\s*x\s*(\d{1,3})\s*(/?)\s*>", re.IGNORECASE)
"""A numbered tag as engines write it back: ``<x1>``, ``</x1>``, ``<x2/>`` (spaces tolerated)."""

_FINAL = " \t\n.!?;:\"'”’)。！？…」』"
_NO_SPACE = frozenset({Lang.ZH, Lang.JA})


def tag_name(number: int) -> str:
    return f"x{number}"


def _is_void(prepared: PreparedSegment, k: int) -> bool:
    span = prepared.spans[k]
    return span.span.tag in ("br", "img") or span.start == span.end


def to_tagged(prepared: PreparedSegment) -> str:
    """The model text with inline markup as numbered tags (``x`` + 1-based span index)."""
    text = prepared.model_text
    spans = prepared.spans
    order = sorted(
        range(len(spans)),
        key=lambda k: (
            (spans[k].start, 0, 0, k)
            if _is_void(prepared, k)
            else (spans[k].start, 1, -spans[k].end, k)
        ),
    )
    out: list[str] = []
    stack: list[tuple[int, str]] = []
    pos = 0

    def advance(to: int) -> None:
        nonlocal pos
        while True:
            while stack and stack[-1][0] <= pos:
                out.append(f"</{stack.pop()[1]}>")
            if pos >= to:
                return
            step = min(to, stack[-1][0]) if stack else to
            out.append(html.escape(text[pos:step], quote=False))
            pos = step

    for k in order:
        span = spans[k]
        begin = min(max(span.start, pos), len(text))
        advance(begin)
        name = tag_name(k + 1)
        if _is_void(prepared, k):
            out.append(f"<{name}/>")
            continue
        limit = stack[-1][0] if stack else len(text)
        end = min(span.end, limit)
        if end > begin:
            out.append(f"<{name}>")
            stack.append((end, name))
    advance(len(text))
    return "".join(out)


def untag(tagged: str) -> str:
    """Tagged text back to the plain model text: ``untag(to_tagged(p)) == p.model_text``, so a
    router given tagged text can hand engines that work by alignment what they expect."""
    return html.unescape(TAG.sub("", tagged))


def markers(tagged: str) -> list[str]:
    """The tag markers of a tagged text, normalised (``<x1>``, ``</x1>``, ``<x2/>``), in order."""
    return [f"<{m[1]}x{int(m[2])}{m[3]}>" for m in TAG.finditer(tagged)]


def placeholders(text: str) -> list[int]:
    """The placeholder numbers of a text, in order (``{0}`` -> 0)."""
    return [int(m[1]) for m in PLACEHOLDER.finditer(text)]


def finish_tagged(
    prepared: PreparedSegment, hypothesis: Hypothesis, *, target: Lang
) -> FinishedSegment:
    """An engine's tagged output as inline HTML: tags back to the source's elements, items
    restored, flags for what was lost or added (see the module docstring)."""
    if target is not prepared.target:
        raise FieldError(
            f"finish_tagged() for {target.value} got a segment prepared for "
            f"{prepared.target.value}",
            hint="call finish_tagged() with the target the segment was prepared for",
            target=target.value,
        )
    reader = _Reader(prepared)
    pos = 0
    for match in TAG.finditer(hypothesis.text):
        reader.text(hypothesis.text[pos : match.start()])
        reader.tag(int(match[2]), close=bool(match[1]), void=bool(match[3]))
        pos = match.end()
    reader.text(hypothesis.text[pos:])
    return reader.done(target)


class _Reader:
    """Builds the restored raw text and the spans over it while reading the tagged output."""

    def __init__(self, prepared: PreparedSegment) -> None:
        self.prepared = prepared
        self.raw: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, int]] = []  # (k, raw start, raw end)
        self.opened: dict[int, int] = {}  # k -> raw start
        self.seen_tags: set[int] = set()
        self.seen_items: set[int] = set()
        self.flags: list[str] = []
        self.items = {item.index: item for item in prepared.items}

    def add(self, chunk: str) -> None:
        self.raw.append(chunk)
        self.length += len(chunk)

    def text(self, chunk: str) -> None:
        chunk = html.unescape(chunk)
        pos = 0
        for match in PLACEHOLDER.finditer(chunk):
            before = chunk[pos : match.start()]
            pos = match.end()
            item = self.items.get(int(match[1]))
            if item is not None and item.index not in self.seen_items:
                self.add(before)
                self.seen_items.add(item.index)
                self.add(item.rendering)
                continue
            self.flags.append("placeholder_unknown" if item is None else "placeholder_duplicated")
            after = chunk[pos : pos + 1]
            if not after or after in _FINAL or after.isspace():  # no space left before "." etc.
                before = before.rstrip(" ")
            self.add(before)
        self.add(chunk[pos:])

    def tag(self, number: int, *, close: bool, void: bool) -> None:
        k = number - 1
        if not 0 <= k < len(self.prepared.spans):
            self.flags.append("markup_extra")
            return
        if _is_void(self.prepared, k):
            if close or k in self.seen_tags:  # a void's "close" (</x2>) is harmless: ignored
                if not close:
                    self.flags.append("markup_extra")
                return
            self.seen_tags.add(k)
            if self.prepared.spans[k].span.tag == "br":
                start = self.length
                self.add(_BR)
                self.spans.append((k, start, self.length))
            else:
                self.spans.append((k, self.length, self.length))
            return
        if void:
            self.flags.append("markup_extra")
        elif not close:
            if k in self.seen_tags:
                self.flags.append("markup_extra")
                return
            self.seen_tags.add(k)
            self.opened[k] = self.length
        elif k in self.opened:
            self.spans.append((k, self.opened.pop(k), self.length))
        else:
            self.flags.append("markup_extra")

    def done(self, target: Lang) -> FinishedSegment:
        if self.opened:  # opened, never closed: the engine lost where the element ends
            self.flags.append("markup_lost")
        if len(self.seen_tags) < len(self.prepared.spans):
            self.flags.append("markup_lost")
        self._insert_lost_items(target)
        text, positions = _collapse("".join(self.raw))
        spans: list[Span] = []
        for k, start, end in self.spans:
            source = self.prepared.spans[k].span
            if source.tag == "br":
                at = positions[start]
                if at == len(text) and text.strip():  # a line break ending the sentence
                    text += "\n"
                if text[at : at + 1] == "\n":
                    spans.append(Span(at, at + 1, "br", source.attrs))
                continue
            span = _canonical(text, positions[start], positions[end], source.tag, source.attrs)
            if span is not None:
                spans.append(span)
        if any(s.span.tag not in ("br", "img") for s in self.prepared.spans) and not text.strip():
            self.flags.append("markup_lost")
        return FinishedSegment(
            html=render(text, canonical_order(spans)),
            text=text,
            flags=tuple(dict.fromkeys(self.flags)),
        )

    def _insert_lost_items(self, target: Lang) -> None:
        lost = [i for i in sorted(self.items) if i not in self.seen_items]
        if not lost:
            return
        self.flags.append("placeholder_lost")
        raw = "".join(self.raw)
        at = len(raw)
        while at > 0 and raw[at - 1] in _FINAL:
            at -= 1
        gap = "" if target in _NO_SPACE else " "
        insert = "".join(gap + self.items[i].rendering for i in lost)
        if not raw[:at].strip():
            insert = insert.lstrip()
        self.raw = [raw[:at], insert, raw[at:]]
        self.length = len(raw) + len(insert)
        self.spans = [
            (k, s + len(insert) if s > at else s, e + len(insert) if e > at else e)
            for k, s, e in self.spans
        ]


def tagged_texts(prepared: Sequence[PreparedSegment]) -> list[str]:
    """:func:`to_tagged` of each prepared sentence."""
    return [to_tagged(p) for p in prepared]
