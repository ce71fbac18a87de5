"""Language editions of revisions and their segments: functions taking an open :class:`Session`."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, Text, case, delete, func, insert, select
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from warta.carryover import SOURCE_CHANGED
from warta.domain import Edition, EditionStatus, SegmentOrigin, SegmentTranslation
from warta.errors import FieldError, NotFoundError
from warta.languages import Lang
from warta.pipeline import document_for
from warta.quality.article import summarise
from warta.store import _sql, mapping
from warta.store.records import StatusRow
from warta.store.tables import (
    ArticleRow,
    EditionRow,
    EditionSegmentRow,
    EditionVersionRow,
    RevisionRow,
    SiteRow,
)
from warta.text import assemble

NOT_QUEUED_REASON = "not translated: no translation was requested for this language"
LANG_ORDER = {lang.value: position for position, lang in enumerate(Lang)}


def require_revision(session: Session, revision_id: int) -> RevisionRow:
    row = session.get(RevisionRow, revision_id)
    if row is None:
        raise NotFoundError(
            f"no revision {revision_id}",
            hint="list an article's revisions with `warta articles show`",
            revision_id=revision_id,
        )
    return row


def get(session: Session, *, revision_id: int, lang: Lang) -> Edition:
    require_revision(session, revision_id)
    row = session.scalars(
        select(EditionRow).where(
            EditionRow.revision_id == revision_id, EditionRow.lang == lang.value
        )
    ).one_or_none()
    if row is None:
        return Edition(
            revision_id=revision_id,
            lang=lang,
            status=EditionStatus.PENDING,
            reason=NOT_QUEUED_REASON,
        )
    segments = list(
        session.scalars(select(EditionSegmentRow).where(EditionSegmentRow.edition_id == row.id))
    )
    return mapping.edition(row, segments)


def list_for(session: Session, revision_id: int) -> list[Edition]:
    require_revision(session, revision_id)
    rows = list(session.scalars(select(EditionRow).where(EditionRow.revision_id == revision_id)))
    by_edition: dict[int, list[EditionSegmentRow]] = {row.id: [] for row in rows}
    if rows:
        for seg in session.scalars(
            select(EditionSegmentRow).where(EditionSegmentRow.edition_id.in_(by_edition))
        ):
            by_edition[seg.edition_id].append(seg)
    rows.sort(key=lambda r: LANG_ORDER.get(r.lang, len(LANG_ORDER)))
    return [mapping.edition(row, by_edition[row.id]) for row in rows]


# Declarative classes map a Table; SQLAlchemy types ``__table__`` as the wider FromClause.
segment_table = cast(Table, EditionSegmentRow.__table__)

TRANSLATED_STATES = (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
_FINAL = (SegmentOrigin.HUMAN, SegmentOrigin.VERBATIM)  # never given a suggestion
_ALIKE = 0.4  # share of words two versions of a changed sentence have in common, at least


def save(
    session: Session,
    edition: Edition,
    *,
    now: datetime,
    revision_checked: bool = False,
    actor: str = "worker",
    action: str = "engine",
    note: str = "",
) -> Edition:
    """Store an engine result for (revision, language), keeping every editor's correction.

    Merges instead of replacing: an existing HUMAN segment whose Indonesian sentence is still
    there (matched by ``source_html``, wherever it now is) replaces what ``edition`` brings for
    that sentence; a correction whose sentence changed is offered as the suggestion of the
    sentence now in its place, flagged ``source_changed_since_correction`` (see
    :func:`keep_corrections`; across revisions, :mod:`warta.carryover` does that in the
    pipeline). When that changes any segment, the content is assembled again and the status
    recomputed. Segment versions carry on (unchanged: same version; changed: +1), the edition's
    version goes up by one and the result is written to ``edition_versions``
    (``actor``/``action``/``note``), all in the caller's transaction, with the edition row locked
    (``SELECT ... FOR UPDATE`` on PostgreSQL).

    ``revision_checked``: the caller already found the revision in this transaction.
    Returns the edition as stored.
    """
    revision = (
        session.get(RevisionRow, edition.revision_id)
        if revision_checked
        else require_revision(session, edition.revision_id)
    )
    indexes = [s.index for s in edition.segments]
    if len(set(indexes)) != len(indexes):
        raise FieldError(
            f"edition {edition.lang} of revision {edition.revision_id} repeats a segment index",
            hint="give every segment its own index (its position in the article)",
            field="segments",
        )
    row = lock(session, revision_id=edition.revision_id, lang=edition.lang)
    if row is not None:
        backfill_history(session, row)
    old = [mapping.segment(s) for s in segment_rows(session, row.id)] if row is not None else []
    segments, merged = keep_corrections(old, edition.segments)
    if merged:
        edition = _recomposed(edition, segments, revision=revision)
    segments = carry_versions(old, segments)
    version = next_version(session, row, revision_id=edition.revision_id, lang=edition.lang)
    stored = replace(edition, segments=tuple(segments), version=version, updated_at=now)
    values = {**mapping.edition_values(stored), "updated_at": now, "version": version}
    stmt = (
        _sql.insert(session, EditionRow)
        .values(revision_id=edition.revision_id, lang=edition.lang.value, **values)
        .on_conflict_do_update(index_elements=["revision_id", "lang"], set_=values)
        .returning(EditionRow.id)
    )
    edition_id = session.execute(stmt).scalar_one()
    session.execute(delete(EditionSegmentRow).where(EditionSegmentRow.edition_id == edition_id))
    if stored.segments:
        # The table's insert, not the ORM's bulk path: plain executemany, no per-row ORM work.
        session.execute(
            insert(segment_table),
            [mapping.segment_values(edition_id, s) for s in stored.segments],
        )
    snapshot(session, stored, actor=actor, action=action, note=note, now=now)
    return stored


def lock(session: Session, *, revision_id: int, lang: Lang) -> EditionRow | None:
    """The edition row, locked for this transaction (PostgreSQL; SQLite's writer lock is held)."""
    return session.scalars(
        select(EditionRow)
        .where(EditionRow.revision_id == revision_id, EditionRow.lang == lang.value)
        .with_for_update()
    ).one_or_none()


def segment_rows(session: Session, edition_id: int) -> list[EditionSegmentRow]:
    return list(
        session.scalars(
            select(EditionSegmentRow)
            .where(EditionSegmentRow.edition_id == edition_id)
            .order_by(EditionSegmentRow.position)
        )
    )


def backfill_history(session: Session, row: EditionRow) -> None:
    """A translated edition stored before history was kept (migration 0003) and changed now:
    its stored state becomes the first version, so that the change can be undone."""
    if row.body_html is None:
        return
    kept = session.scalar(
        select(EditionVersionRow.id)
        .where(EditionVersionRow.revision_id == row.revision_id, EditionVersionRow.lang == row.lang)
        .limit(1)
    )
    if kept is None:
        before = mapping.edition(row, segment_rows(session, row.id))
        note = "as stored before the edition's history was kept"
        snapshot(session, before, actor="worker", action="engine", note=note, now=row.updated_at)


def next_version(session: Session, row: EditionRow | None, *, revision_id: int, lang: Lang) -> int:
    """The version the next stored change gets: 1 for the first one in the history."""
    latest = session.scalar(
        select(func.max(EditionVersionRow.version)).where(
            EditionVersionRow.revision_id == revision_id, EditionVersionRow.lang == lang.value
        )
    )
    if latest is None:
        return 1
    return max(int(latest), row.version if row is not None else 0) + 1


def keep_corrections(
    old: Sequence[SegmentTranslation], new: Sequence[SegmentTranslation]
) -> tuple[list[SegmentTranslation], bool]:
    """``new`` with the editors' work in ``old`` kept; True if that changed any segment.

    A HUMAN segment of ``old`` replaces the segment of ``new`` with the same source sentence,
    wherever it is. A correction whose sentence changed (aligned by the source sentences around
    it) becomes the suggestion of the sentence now in its place, flagged ``SOURCE_CHANGED``; a
    suggestion not taken up yet stays with its sentence.
    """
    ordered = sorted(old, key=lambda s: s.index)
    corrections: dict[str, list[int]] = {}
    for n, seg in enumerate(ordered):
        if seg.origin is SegmentOrigin.HUMAN:
            corrections.setdefault(seg.source_html, []).append(n)
    used: set[int] = set()
    merged: list[SegmentTranslation] = []
    changed = False
    for seg in new:
        waiting = corrections.get(seg.source_html)
        if not waiting or seg.origin is SegmentOrigin.VERBATIM:
            merged.append(seg)
            continue
        used.add(waiting[0])
        human = ordered[waiting.pop(0)]
        kept = replace(
            seg,
            target_html=human.target_html,
            origin=SegmentOrigin.HUMAN,
            score=None,
            quality=None,
            flags=human.flags,
            edited_by=human.edited_by,
            edited_at=human.edited_at,
            suggestion_html=None,
            provenance_key=human.provenance_key,
        )
        changed = changed or kept != seg
        merged.append(kept)
    matcher = difflib.SequenceMatcher(
        a=[s.source_html for s in ordered], b=[s.source_html for s in merged], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pairs = list(zip(range(a1, a2), range(b1, b2), strict=True))
        elif op == "replace":
            pairs = _closest(ordered, merged, olds=range(a1, a2), news=range(b1, b2))
        else:
            continue
        for was, n in pairs:
            before = ordered[was]
            offer = before.suggestion_html
            if op == "replace" and before.origin is SegmentOrigin.HUMAN and was not in used:
                offer = before.target_html
            seg = merged[n]
            if not offer or seg.suggestion_html or seg.origin in _FINAL:
                continue
            merged[n] = replace(
                seg,
                suggestion_html=offer,
                flags=tuple(dict.fromkeys((*seg.flags, SOURCE_CHANGED))),
            )
            changed = True
    return merged, changed


def _closest(
    old: Sequence[SegmentTranslation],
    new: Sequence[SegmentTranslation],
    *,
    olds: range,
    news: range,
) -> list[tuple[int, int]]:
    """Pairs (old, new) of changed sentences, each old one with the most alike new one left."""
    pairs: list[tuple[int, int]] = []
    free = list(news)
    for was in olds:
        words = old[was].source_html.split()
        scored = [
            (difflib.SequenceMatcher(a=words, b=new[n].source_html.split()).ratio(), n)
            for n in free
        ]
        if not scored:
            break
        ratio, best = max(scored, key=lambda item: (item[0], -item[1]))
        if ratio >= _ALIKE:
            pairs.append((was, best))
            free.remove(best)
    return pairs


def carry_versions(
    old: Sequence[SegmentTranslation], new: Sequence[SegmentTranslation]
) -> list[SegmentTranslation]:
    """Each segment's version: the stored one if nothing changed at its index, else one more."""
    before = {seg.index: seg for seg in old}
    out: list[SegmentTranslation] = []
    for seg in new:
        prev = before.get(seg.index)
        if prev is not None and _same(prev, seg):
            out.append(replace(seg, version=prev.version))
        else:
            out.append(replace(seg, version=(prev.version if prev is not None else 0) + 1))
    return out


def _same(a: SegmentTranslation, b: SegmentTranslation) -> bool:
    """What an editor sees of a segment is unchanged (its origin may differ: engine, memory)."""
    return (a.source_html, a.target_html, a.flags, a.suggestion_html) == (
        b.source_html,
        b.target_html,
        b.flags,
        b.suggestion_html,
    )


def _recomposed(
    edition: Edition, segments: Sequence[SegmentTranslation], *, revision: RevisionRow | None
) -> Edition:
    edition = replace(edition, segments=tuple(segments))
    if revision is None or edition.content is None or edition.status not in TRANSLATED_STATES:
        return edition
    return recompose(edition, revision=revision)


def recompose(edition: Edition, *, revision: RevisionRow) -> Edition:
    """``edition`` with content, status, reason and quality made again from its segments."""
    document = document_for(title=revision.title, lead=revision.lead, body_html=revision.body_html)
    ordered = sorted(edition.segments, key=lambda s: s.index)
    content = assemble(document, [s.target_html for s in ordered], target=edition.lang)
    status, reason = status_of(ordered)
    return replace(
        edition,
        content=content,
        status=status,
        reason=reason,
        quality=summarise(ordered).score,
    )


def status_of(segments: Sequence[SegmentTranslation]) -> tuple[EditionStatus, str]:
    """TRANSLATED, or NEEDS_REVIEW with the reason, while any segment keeps a flag."""
    doubtful = [s for s in segments if s.flags]
    if not doubtful:
        return EditionStatus.TRANSLATED, ""
    flags = ", ".join(sorted({f for s in doubtful for f in s.flags}))
    return (
        EditionStatus.NEEDS_REVIEW,
        f"{len(doubtful)} of {len(segments)} segments flagged for review: {flags}",
    )


def snapshot(
    session: Session, edition: Edition, *, actor: str, action: str, note: str, now: datetime
) -> None:
    """Write ``edition`` (as stored, with its version) to the history."""
    content = edition.content
    session.add(
        EditionVersionRow(
            revision_id=edition.revision_id,
            lang=edition.lang.value,
            version=edition.version,
            status=edition.status.value,
            title=content.title if content else None,
            lead=content.lead if content else None,
            body_html=content.body_html if content else None,
            segments=[segment_snapshot(s) for s in edition.segments],
            action=action,
            actor=actor,
            note=note,
            created_at=now,
        )
    )
    session.flush()


def segment_snapshot(seg: SegmentTranslation) -> dict[str, Any]:
    return {
        "index": seg.index,
        "block": seg.block,
        "source_html": seg.source_html,
        "target_html": seg.target_html,
        "origin": seg.origin.value,
        "flags": list(seg.flags),
        "version": seg.version,
        "edited_by": seg.edited_by,
        "edited_at": seg.edited_at.isoformat() if seg.edited_at else None,
        "suggestion_html": seg.suggestion_html,
        "score": seg.score,
        "quality": seg.quality,
        "provenance_key": seg.provenance_key,
    }


def insert_pending(
    session: Session, *, revision_id: int, langs: Sequence[Lang], reason: str, now: datetime
) -> None:
    """PENDING editions for a brand-new revision (none can exist for it yet)."""
    session.add_all(
        EditionRow(
            revision_id=revision_id,
            lang=lang.value,
            status=EditionStatus.PENDING.value,
            reason=reason,
            updated_at=now,
        )
        for lang in langs
    )
    session.flush()


def mark(
    session: Session,
    *,
    revision_id: int,
    langs: Sequence[Lang],
    status: EditionStatus,
    reason: str,
    now: datetime,
) -> None:
    """Set status and reason of editions, creating rows for languages that have none."""
    require_revision(session, revision_id)
    for lang in dict.fromkeys(langs):
        values = {"status": status.value, "reason": reason, "updated_at": now}
        session.execute(
            _sql.insert(session, EditionRow)
            .values(revision_id=revision_id, lang=lang.value, **values)
            .on_conflict_do_update(index_elements=["revision_id", "lang"], set_=values)
        )


def status_rows(session: Session, *, site_id: int | None) -> list[StatusRow]:
    """Every stored edition of every article's current revision, newest articles first."""

    def of(origin: SegmentOrigin) -> Any:
        return func.sum(case((EditionSegmentRow.origin == origin.value, 1), else_=0))

    # flags is a JSON list: stored as "[]" when empty on both backends
    flagged = func.sum(case((cast_(EditionSegmentRow.flags, Text) != "[]", 1), else_=0))
    counts = (
        select(
            EditionSegmentRow.edition_id.label("edition_id"),
            of(SegmentOrigin.HUMAN).label("human"),
            of(SegmentOrigin.MEMORY).label("memory"),
            of(SegmentOrigin.ENGINE).label("translated"),
            flagged.label("flagged"),
        )
        .group_by(EditionSegmentRow.edition_id)
        .subquery()
    )
    query = (
        select(
            SiteRow.slug,
            ArticleRow.external_id,
            ArticleRow.id,
            RevisionRow.number,
            RevisionRow.id,
            EditionRow.lang,
            EditionRow.status,
            EditionRow.reason,
            EditionRow.provenance,
            func.coalesce(counts.c.human, 0),
            func.coalesce(counts.c.memory, 0),
            func.coalesce(counts.c.translated, 0),
            func.coalesce(counts.c.flagged, 0),
        )
        .join(SiteRow, SiteRow.id == ArticleRow.site_id)
        .join(
            RevisionRow,
            (RevisionRow.article_id == ArticleRow.id)
            & (RevisionRow.number == ArticleRow.current_revision),
        )
        .join(EditionRow, EditionRow.revision_id == RevisionRow.id)
        .outerjoin(counts, counts.c.edition_id == EditionRow.id)
        .order_by(
            SiteRow.slug,
            func.coalesce(ArticleRow.published_at, ArticleRow.created_at).desc(),
            ArticleRow.id.desc(),
            case(LANG_ORDER, value=EditionRow.lang, else_=len(LANG_ORDER)),
        )
    )
    if site_id is not None:
        query = query.where(ArticleRow.site_id == site_id)
    rows: list[StatusRow] = []
    for (
        slug,
        external_id,
        article_id,
        number,
        revision_id,
        lang,
        status,
        reason,
        prov,
        human,
        memory,
        translated,
        flagged,
    ) in session.execute(query):
        provenance = mapping.provenance(prov)
        rows.append(
            StatusRow(
                site=slug,
                external_id=external_id,
                article_id=article_id,
                revision_number=number,
                revision_id=revision_id,
                lang=Lang(lang),
                status=EditionStatus(status),
                reason=reason,
                reused=int(human) + int(memory),
                translated=int(translated),
                provenance_signature=provenance.signature() if provenance else "",
                reused_human=int(human),
                reused_engine=int(memory),
                flagged=int(flagged),
            )
        )
    return rows
