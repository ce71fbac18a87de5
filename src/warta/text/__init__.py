"""The pure text core: article HTML -> blocks and sentences -> model text -> translated HTML.

No I/O. The pipeline calls :func:`analyse` once per revision, :func:`prepare` and :func:`finish`
around the engine for each sentence that translation memory does not cover, and :func:`assemble`
to rebuild the edition in the source's shape. Modules, one job each:

* :mod:`~warta.text.structure`: body HTML -> blocks and a skeleton (selectolax/lexbor)
* :mod:`~warta.text.inline`: inline HTML <-> plain text and spans, canonical rendering
* :mod:`~warta.text.sentences`: Indonesian sentence boundaries and datelines
* :mod:`~warta.text.protect`, :mod:`~warta.text.numbers`: placeholders for URLs, numbers, terms
* :mod:`~warta.text.restore`: placeholders back to items, whatever the model did to them
* :mod:`~warta.text.project`: markup carried onto the translation through the alignment
* :mod:`~warta.text.model_io`: prepare/finish; :mod:`~warta.text.document`: analyse/assemble
"""

from __future__ import annotations

from warta.text.document import analyse, assemble, plain_text
from warta.text.model_io import finish, prepare
from warta.text.records import (
    SEGMENTER_VERSION,
    FinishedSegment,
    ItemKind,
    ModelSpan,
    PreparedSegment,
    Protected,
    SourceBlock,
    SourceDocument,
    SourceSegment,
    Span,
)

__all__ = [
    "SEGMENTER_VERSION",
    "FinishedSegment",
    "ItemKind",
    "ModelSpan",
    "PreparedSegment",
    "Protected",
    "SourceBlock",
    "SourceDocument",
    "SourceSegment",
    "Span",
    "analyse",
    "assemble",
    "finish",
    "plain_text",
    "prepare",
]
