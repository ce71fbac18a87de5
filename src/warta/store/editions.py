"""Language editions of revisions and their segments: functions taking an open :class:`Session`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, case, delete, func, insert, select
from sqlalchemy.orm import Session

from warta.domain import Edition, EditionStatus, SegmentOrigin
from warta.errors import FieldError, NotFoundError
from warta.languages import Lang
from warta.store import _sql, mapping
from warta.store.records import StatusRow
from warta.store.tables import (
    ArticleRow,
    EditionRow,
    EditionSegmentRow,
    RevisionRow,
    SiteRow,
)

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


def save(
    session: Session, edition: Edition, *, now: datetime, revision_checked: bool = False
) -> None:
    """Insert or replace the (revision, language) edition, and replace all its segments.

    ``revision_checked``: the caller already found the revision in this transaction.
    """
    if not revision_checked:
        require_revision(session, edition.revision_id)
    indexes = [s.index for s in edition.segments]
    if len(set(indexes)) != len(indexes):
        raise FieldError(
            f"edition {edition.lang} of revision {edition.revision_id} repeats a segment index",
            hint="give every segment its own index (its position in the article)",
            field="segments",
        )
    values = {**mapping.edition_values(edition), "updated_at": now}
    stmt = (
        _sql.insert(session, EditionRow)
        .values(revision_id=edition.revision_id, lang=edition.lang.value, **values)
        .on_conflict_do_update(index_elements=["revision_id", "lang"], set_=values)
        .returning(EditionRow.id)
    )
    edition_id = session.execute(stmt).scalar_one()
    session.execute(delete(EditionSegmentRow).where(EditionSegmentRow.edition_id == edition_id))
    if edition.segments:
        # The table's insert, not the ORM's bulk path: plain executemany, no per-row ORM work.
        session.execute(
            insert(segment_table),
            [mapping.segment_values(edition_id, s) for s in edition.segments],
        )


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
    reused_origins = (SegmentOrigin.MEMORY.value, SegmentOrigin.HUMAN.value)
    counts = (
        select(
            EditionSegmentRow.edition_id.label("edition_id"),
            func.sum(case((EditionSegmentRow.origin.in_(reused_origins), 1), else_=0)).label(
                "reused"
            ),
            func.sum(
                case((EditionSegmentRow.origin == SegmentOrigin.ENGINE.value, 1), else_=0)
            ).label("translated"),
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
            func.coalesce(counts.c.reused, 0),
            func.coalesce(counts.c.translated, 0),
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
        reused,
        translated,
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
                reused=int(reused),
                translated=int(translated),
                provenance_signature=provenance.signature() if provenance else "",
            )
        )
    return rows
