"""The records of the text core: an analysed article, and one sentence on its way through a model.

All offsets are character offsets into a Python ``str``, end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from warta.domain import BlockKind
from warta.languages import Lang

SEGMENTER_VERSION = "1"
"""Bumped whenever segmentation, canonical inline HTML or protection output changes.

It is part of every translation's provenance, and translation memory is keyed by the canonical
sentence HTML, so a change here must not go unnoticed.
"""


@dataclass(frozen=True, slots=True)
class Span:
    """Inline markup over plain text.

    ``<br>`` covers the ``"\\n"`` it stands for in the text; ``<img>`` is zero-width
    (``start == end``); every other tag covers at least one visible character. Spans of one text are
    laminar (any two are disjoint or nested) and kept in document order, outer before inner.
    """

    start: int
    end: int
    tag: str
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SourceSegment:
    index: int  # position in the article across all blocks, 0-based
    block: int  # index of its SourceBlock
    html: str  # canonical inline HTML of this sentence (the translation-memory key)
    text: str  # plain text; "\n" where the source has <br>
    spans: tuple[Span, ...]
    translate: bool = True  # False for parts copied verbatim (a dateline such as "JAKARTA -")


@dataclass(frozen=True, slots=True)
class SourceBlock:
    index: int
    kind: BlockKind
    html: str  # canonical inline HTML of the whole block


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """An article cut into blocks and sentences, and what is needed to put a translation back.

    Block 0 is the headline when the title has text, then the lead (when it has text), then the
    body's blocks. ``skeleton`` is the body's HTML with the content of each body block replaced by
    the marker ``<!--warta:block:N-->`` (N the block index) and each element that is never
    translated (pre, script, iframe, svg, ...) by ``<!--warta:keep:N-->`` (N its index in
    ``kept``); everything else (figures, images, lists, tables, attributes) is as it was.
    """

    blocks: tuple[SourceBlock, ...]
    segments: tuple[SourceSegment, ...]
    skeleton: str
    kept: tuple[str, ...] = ()  # the body's untranslated elements, verbatim
    title_is_html: bool = False  # the title came with markup: the translated title keeps it
    lead_is_html: bool = False  # same for the lead


class ItemKind(StrEnum):
    """What a protected item is; each is replaced by a placeholder in the model's input."""

    LITERAL = "literal"  # text in the source that looks like a placeholder
    URL = "url"
    EMAIL = "email"
    HANDLE = "handle"  # @mention or #hashtag
    TERM = "term"  # a glossary term
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Protected:
    """One item kept away from the model: ``source`` at [start, end) of the segment text."""

    index: int  # the placeholder's number, {index}
    kind: ItemKind
    start: int
    end: int
    source: str
    rendering: str  # what replaces the placeholder in the target language


@dataclass(frozen=True, slots=True)
class ModelSpan:
    """A source span moved to ``model_text`` coordinates (void spans have ``start == end``)."""

    start: int
    end: int
    span: Span


@dataclass(frozen=True, slots=True)
class PreparedSegment:
    """A sentence ready for the engine: ``model_text`` has no tags and no protected items."""

    segment: SourceSegment
    target: Lang
    model_text: str
    items: tuple[Protected, ...]
    item_ranges: tuple[tuple[int, int], ...]  # where each item's placeholder is in model_text
    spans: tuple[ModelSpan, ...]


@dataclass(frozen=True, slots=True)
class FinishedSegment:
    """A translated sentence: well-formed inline HTML, its plain text, and quality flags."""

    html: str
    text: str
    flags: tuple[str, ...] = ()
