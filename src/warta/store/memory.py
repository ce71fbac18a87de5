"""Translation memory: exact sentence matches per site and language pair.

An editor's correction (HUMAN) always wins over a machine translation (ENGINE) of the same
sentence; between two entries of the same origin, the newer wins. An ENGINE entry keeps what made
it (``engine_key``, ``glossary_key``) and its quality flags, score and estimate: the pipeline
reuses it only while both keys are the ones in force (:func:`warta.pipeline.reusable`).

Also here: the corrections of an article's earlier revision, read for the next one
(:func:`corrections_before`), so a corrected sentence that was edited since can be flagged and
the correction suggested.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warta.domain import MemoryEntry, SegmentOrigin, SegmentTranslation
from warta.errors import FieldError
from warta.languages import Lang
from warta.store import _sql, mapping
from warta.store.tables import EditionRow, EditionSegmentRow, MemoryRow, RevisionRow

REMEMBERED = (SegmentOrigin.HUMAN, SegmentOrigin.ENGINE)  # in order of priority
_PRIORITY = {origin.value: rank for rank, origin in enumerate(REMEMBERED)}
_CHUNK = 400  # sources per query: far below SQLite's bound-parameter limit


def lookup(
    session: Session, *, site_id: int, source: Lang, target: Lang, sources: Sequence[str]
) -> dict[str, MemoryEntry]:
    wanted = {mapping.source_hash(s): s for s in dict.fromkeys(sources)}
    hashes = list(wanted)
    best: dict[str, MemoryRow] = {}
    for start in range(0, len(hashes), _CHUNK):
        rows = session.scalars(
            select(MemoryRow).where(
                MemoryRow.site_id == site_id,
                MemoryRow.source_lang == source.value,
                MemoryRow.target_lang == target.value,
                MemoryRow.source_hash.in_(hashes[start : start + _CHUNK]),
            )
        )
        for row in rows:
            if wanted.get(row.source_hash) != row.source_html:
                continue  # a hash collision; never seen, but never trusted either
            current = best.get(row.source_html)
            if current is None or _rank(row) < _rank(current):
                best[row.source_html] = row
    return {source_html: mapping.memory_entry(row) for source_html, row in best.items()}


def _rank(row: MemoryRow) -> tuple[int, float, int]:
    return (_PRIORITY.get(row.origin, len(_PRIORITY)), -row.updated_at.timestamp(), -row.id)


def remember(
    session: Session,
    *,
    site_id: int,
    source: Lang,
    target: Lang,
    entries: Sequence[MemoryEntry],
    now: datetime,
) -> None:
    """Insert or update entries (one per site, language pair, sentence and origin)."""
    unique: dict[tuple[str, str], MemoryEntry] = {}
    for entry in entries:
        if entry.origin not in REMEMBERED:
            raise FieldError(
                f"translation memory keeps engine and human translations, not {entry.origin}",
                hint="remember the segment with origin ENGINE or HUMAN",
                field="origin",
            )
        unique[(mapping.source_hash(entry.source_html), entry.origin.value)] = entry  # last wins
    items = list(unique.items())
    for start in range(0, len(items), _CHUNK):
        _upsert(
            session,
            site_id=site_id,
            source=source,
            target=target,
            items=items[start : start + _CHUNK],
            now=now,
        )


def _upsert(
    session: Session,
    *,
    site_id: int,
    source: Lang,
    target: Lang,
    items: Sequence[tuple[tuple[str, str], MemoryEntry]],
    now: datetime,
) -> None:
    # One statement, executed with many parameter sets: its compiled form is cached whatever
    # the number of entries (a multi-row VALUES would be compiled again for each count).
    stmt = _sql.insert(session, MemoryRow.__table__)
    upsert = stmt.on_conflict_do_update(
        index_elements=["site_id", "source_lang", "target_lang", "source_hash", "origin"],
        set_={
            "target_html": stmt.excluded.target_html,
            "provenance_key": stmt.excluded.provenance_key,
            "updated_at": stmt.excluded.updated_at,
            "engine_key": stmt.excluded.engine_key,
            "glossary_key": stmt.excluded.glossary_key,
            "flags": stmt.excluded.flags,
            "score": stmt.excluded.score,
            "quality": stmt.excluded.quality,
        },
    )
    session.execute(
        upsert,
        [
            {
                "site_id": site_id,
                "source_lang": source.value,
                "target_lang": target.value,
                "source_hash": key[0],
                "source_html": entry.source_html,
                "target_html": entry.target_html,
                "origin": key[1],
                "provenance_key": entry.provenance_key,
                "updated_at": now,
                "engine_key": entry.engine_key,
                "glossary_key": entry.glossary_key,
                "flags": list(entry.flags),
                "score": entry.score,
                "quality": entry.quality,
            }
            for key, entry in items
        ],
    )


def corrections_before(
    session: Session, *, revision_ids: Sequence[int], lang: Lang
) -> dict[int, tuple[SegmentTranslation, ...]]:
    """For each revision, the ``lang`` edition of its article's latest earlier revision that has
    segments, when that edition holds a correction (a HUMAN segment, or a suggestion offered
    from one that no editor has acted on yet): all its segments, in order.

    Revisions without such an edition are left out. At most five queries for a whole batch;
    segments are read only for editions that hold a correction.
    """
    wanted = list(dict.fromkeys(revision_ids))
    if not wanted:
        return {}
    current = {
        rid: (article_id, number)
        for rid, article_id, number in session.execute(
            select(RevisionRow.id, RevisionRow.article_id, RevisionRow.number).where(
                RevisionRow.id.in_(wanted)
            )
        )
    }
    if not current:
        return {}
    has_segments = select(EditionSegmentRow.id).where(EditionSegmentRow.edition_id == EditionRow.id)
    editions: dict[int, list[tuple[int, int]]] = {}  # article -> [(number, edition id)]
    for edition_id, article_id, number in session.execute(
        select(EditionRow.id, RevisionRow.article_id, RevisionRow.number)
        .join(RevisionRow, RevisionRow.id == EditionRow.revision_id)
        .where(
            RevisionRow.article_id.in_({a for a, _ in current.values()}),
            EditionRow.lang == lang.value,
            has_segments.exists(),
        )
    ):
        editions.setdefault(article_id, []).append((number, edition_id))
    chosen: dict[int, int] = {}  # revision id -> edition id of its latest earlier revision
    for rid, (article_id, number) in current.items():
        earlier = [(n, e) for n, e in editions.get(article_id, []) if n < number]
        if earlier:
            chosen[rid] = max(earlier)[1]
    if not chosen:
        return {}
    corrected = set(
        session.scalars(
            select(EditionSegmentRow.edition_id)
            .where(
                EditionSegmentRow.edition_id.in_(set(chosen.values())),
                or_(
                    EditionSegmentRow.origin == SegmentOrigin.HUMAN.value,
                    EditionSegmentRow.suggestion_html.is_not(None),
                ),
            )
            .distinct()
        )
    )
    if not corrected:
        return {}
    segments: dict[int, list[SegmentTranslation]] = {e: [] for e in corrected}
    for row in session.scalars(
        select(EditionSegmentRow)
        .where(EditionSegmentRow.edition_id.in_(corrected))
        .order_by(EditionSegmentRow.edition_id, EditionSegmentRow.position)
    ):
        segments[row.edition_id].append(mapping.segment(row))
    return {
        rid: tuple(segments[edition_id])
        for rid, edition_id in chosen.items()
        if edition_id in corrected
    }
