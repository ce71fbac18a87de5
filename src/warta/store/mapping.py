"""Rows <-> domain records, explicitly, field by field. No ORM row leaves :mod:`warta.store`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from warta.domain import (
    Article,
    Edition,
    EditionContent,
    EditionStatus,
    GlossaryTerm,
    Job,
    JobErrorKind,
    JobPriority,
    JobStatus,
    MemoryEntry,
    Provenance,
    RegisteredModel,
    Revision,
    SegmentOrigin,
    SegmentTranslation,
    Site,
)
from warta.languages import Lang
from warta.publishing import content_hash
from warta.store.tables import (
    ArticleRow,
    EditionRow,
    EditionSegmentRow,
    GlossaryTermRow,
    JobRow,
    MemoryRow,
    ModelRow,
    RevisionRow,
    SiteRow,
)


def source_hash(source_html: str) -> str:
    """Key of a translation-memory entry: sha256 of the exact source sentence."""
    return hashlib.sha256(source_html.encode("utf-8")).hexdigest()


def site(row: SiteRow) -> Site:
    return Site(
        id=row.id,
        slug=row.slug,
        name=row.name,
        glossary_version=row.glossary_version,
        created_at=row.created_at,
    )


def article(row: ArticleRow) -> Article:
    return Article(
        id=row.id,
        site_id=row.site_id,
        external_id=row.external_id,
        category=row.category,
        tags=tuple(str(t) for t in row.tags),
        author=row.author,
        published_at=row.published_at,
        source_url=row.source_url,
        current_revision=row.current_revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def revision(row: RevisionRow) -> Revision:
    return Revision(
        id=row.id,
        article_id=row.article_id,
        number=row.number,
        title=row.title,
        lead=row.lead,
        body_html=row.body_html,
        content_hash=row.content_hash,
        created_at=row.created_at,
    )


def segment(row: EditionSegmentRow) -> SegmentTranslation:
    return SegmentTranslation(
        index=row.position,
        block=row.block,
        source_html=row.source_html,
        target_html=row.target_html,
        origin=SegmentOrigin(row.origin),
        score=row.score,
        flags=tuple(str(f) for f in row.flags),
        quality=row.quality,
        version=row.version,
        edited_by=row.edited_by,
        edited_at=row.edited_at,
        suggestion_html=row.suggestion_html,
        provenance_key=row.provenance_key,
    )


def segment_values(edition_id: int, seg: SegmentTranslation) -> dict[str, Any]:
    return {
        "edition_id": edition_id,
        "position": seg.index,
        "block": seg.block,
        "source_html": seg.source_html,
        "target_html": seg.target_html,
        "origin": seg.origin.value,
        "score": seg.score,
        "quality": seg.quality,
        "flags": list(seg.flags),
        "version": seg.version,
        "edited_by": seg.edited_by,
        "edited_at": seg.edited_at,
        "suggestion_html": seg.suggestion_html,
        "provenance_key": seg.provenance_key,
    }


def edition(row: EditionRow, segments: list[EditionSegmentRow]) -> Edition:
    content = None
    if row.body_html is not None:
        content = EditionContent(
            title=row.title or "", lead=row.lead or "", body_html=row.body_html
        )
    return Edition(
        revision_id=row.revision_id,
        lang=Lang(row.lang),
        status=EditionStatus(row.status),
        reason=row.reason,
        content=content,
        segments=tuple(segment(s) for s in sorted(segments, key=lambda s: s.position)),
        provenance=provenance(row.provenance),
        updated_at=row.updated_at,
        quality=row.quality,
        version=row.version,
    )


def edition_values(ed: Edition) -> dict[str, Any]:
    """Column values of an edition row (without id, revision and language, and updated_at)."""
    return {
        "status": ed.status.value,
        "reason": ed.reason,
        "title": ed.content.title if ed.content else None,
        "lead": ed.content.lead if ed.content else None,
        "body_html": ed.content.body_html if ed.content else None,
        "content_hash": content_hash(ed) if ed.content else None,
        "provenance": ed.provenance.to_dict() if ed.provenance else None,
        "provenance_key": ed.provenance.key() if ed.provenance else None,
        "quality": ed.quality,
    }


def provenance(data: Mapping[str, Any] | None) -> Provenance | None:
    return Provenance.from_dict(data) if data else None


def memory_entry(row: MemoryRow) -> MemoryEntry:
    return MemoryEntry(
        source_html=row.source_html,
        target_html=row.target_html,
        origin=SegmentOrigin(row.origin),
        provenance_key=row.provenance_key,
        engine_key=row.engine_key,
        glossary_key=row.glossary_key,
        flags=tuple(str(f) for f in row.flags),
        score=row.score,
        quality=row.quality,
    )


def glossary_term(row: GlossaryTermRow) -> GlossaryTerm:
    return GlossaryTerm(
        source=row.source,
        translations={Lang(k): str(v) for k, v in sorted(row.translations.items())},
        do_not_translate=row.do_not_translate,
        case_sensitive=row.case_sensitive,
    )


def glossary_translations(term: GlossaryTerm) -> dict[str, Any]:
    return {Lang(k).value: v for k, v in sorted(term.translations.items())}


def registered_model(row: ModelRow) -> RegisteredModel:
    return RegisteredModel(
        name=row.name,
        path=row.path,
        source=Lang(row.source_lang),
        target=Lang(row.target_lang),
        family=row.family,
        checksum=row.checksum,
        added_at=row.added_at,
    )


def job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        revision_id=row.revision_id,
        lang=Lang(row.lang),
        status=JobStatus(row.status),
        attempts=row.attempts,
        leased_by=row.leased_by,
        lease_expires_at=row.lease_expires_at,
        last_error=row.last_error,
        created_at=row.created_at,
        fresh=bool(row.fresh),
        priority=JobPriority(row.priority),
        site_id=row.site_id,
        next_attempt_at=row.next_attempt_at,
        error_kind=JobErrorKind(row.error_kind),
        lost_leases=row.lost_leases,
    )
