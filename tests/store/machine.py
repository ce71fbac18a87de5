"""Editions as the worker makes them, aligned with a stored revision (for history tests).

The segments are the revision's own (``document_for``), translated by a visible marker, and the
content is assembled from them the way the pipeline does, so corrections can be reassembled.
"""

from __future__ import annotations

from collections.abc import Mapping

from tests.dbfixtures import make_provenance

from warta.domain import Edition, Revision, SegmentOrigin, SegmentTranslation
from warta.languages import Lang
from warta.pipeline import document_for
from warta.store.editions import status_of
from warta.text import assemble


def machine_edition(
    revision: Revision,
    lang: Lang,
    *,
    flags: Mapping[int, tuple[str, ...]] | None = None,
    texts: Mapping[int, str] | None = None,
    tag: str = "",
) -> Edition:
    """Every segment ENGINE, ``[lang] <source>`` (or ``texts[index]``), ``flags`` by index."""
    flags = flags or {}
    texts = texts or {}
    document = document_for(title=revision.title, lead=revision.lead, body_html=revision.body_html)
    segments = tuple(
        SegmentTranslation(
            index=s.index,
            block=s.block,
            source_html=s.html,
            target_html=texts.get(s.index, f"[{lang}{tag}] {s.html}"),
            origin=SegmentOrigin.ENGINE,
            score=-0.5,
            flags=flags.get(s.index, ()),
            quality=0.8,
        )
        for s in document.segments
    )
    status, reason = status_of(segments)
    return Edition(
        revision_id=revision.id,
        lang=lang,
        status=status,
        reason=reason,
        content=assemble(document, [s.target_html for s in segments], target=lang),
        segments=segments,
        provenance=make_provenance(lang),
        quality=0.8,
    )
