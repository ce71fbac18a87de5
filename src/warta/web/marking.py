"""Marking the sentences that quality estimation doubted, for readers.

An edition's body is its segments' ``target_html`` put back into the article's skeleton
(:func:`warta.text.assemble`), so a flagged segment's HTML occurs in the body verbatim, in segment
order. :func:`mark_doubtful` wraps each one it finds in
``<span class="doubtful" title="...">``; a segment whose HTML is not found (the body was edited by
hand, say) is left unmarked rather than guessed at. Pure: strings in, strings out.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from warta.domain import SegmentTranslation


@dataclass(frozen=True, slots=True)
class Marked:
    html: str
    count: int  # how many doubtful segments were marked


def mark_doubtful(
    body_html: str,
    segments: Sequence[SegmentTranslation],
    *,
    title: str,
    first_block: int = 0,
) -> Marked:
    """Wrap the flagged segments of ``segments`` found in ``body_html`` (the store's, sanitised).

    Segments are looked for in order, each after the previous one found, flagged or not, so a
    sentence repeated in an article is marked where it was doubted. Segments of blocks before
    ``first_block`` (the headline and lead, which are not part of the body) are skipped.
    """
    attribute = html.escape(title, quote=True)
    pieces: list[str] = []
    emitted = search = marked = 0
    for segment in sorted(segments, key=lambda s: s.index):
        needle = segment.target_html
        if segment.block < first_block or not needle.strip():
            continue
        position = _find_in_text(body_html, needle, start=search)
        if position < 0:
            continue
        search = position + len(needle)
        if not segment.flags:
            continue
        pieces += [
            body_html[emitted:position],
            f'<span class="doubtful" title="{attribute}">',
            needle,
            "</span>",
        ]
        emitted = search
        marked += 1
    pieces.append(body_html[emitted:])
    return Marked("".join(pieces), marked)


def _find_in_text(body: str, needle: str, *, start: int) -> int:
    """The first occurrence of ``needle`` at or after ``start`` that is not inside a tag."""
    position = body.find(needle, start)
    while position >= 0 and body.rfind("<", 0, position) > body.rfind(">", 0, position):
        position = body.find(needle, position + 1)
    return position
