"""Translation memory: exact sentence matches per site and language pair.

An editor's correction (HUMAN) always wins over a machine translation (ENGINE) of the same
sentence; between two entries of the same origin, the newer wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta.domain import MemoryEntry, SegmentOrigin
from warta.errors import FieldError
from warta.languages import Lang
from warta.store import _sql, mapping
from warta.store.tables import MemoryRow

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
            }
            for key, entry in items
        ],
    )
