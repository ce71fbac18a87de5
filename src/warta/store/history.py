"""What editors do to an edition, each in one write transaction, and the history it leaves.

- :meth:`EditionHistory.correct`: one segment, against the version the editor saw (optimistic
  concurrency: a stale version, or a revision that is no longer the article's current one, is
  refused with :class:`~warta.errors.ConflictError`, and the refused text is audited too);
- :meth:`EditionHistory.rollback`: a new version with the texts of an earlier one;
- :meth:`EditionHistory.send_back`: queue a fresh re-translation (engine memory not reused);
- :meth:`EditionHistory.versions` and :meth:`EditionHistory.changes`: the history and what
  changed in one version, with a word-level diff as safe HTML.

Every change locks the edition row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's writer
lock is taken by ``BEGIN IMMEDIATE``), bumps the edition's version, writes the edition to
``edition_versions``, adds an audit entry and remembers the editor's wording as HUMAN in the
translation memory: all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warta.corrections import clean_correction, correction_warnings, word_diff
from warta.domain import (
    Edition,
    EditionStatus,
    Job,
    JobPriority,
    MemoryEntry,
    SegmentOrigin,
)
from warta.errors import ConflictError, FieldError, NotFoundError
from warta.languages import SOURCE_LANG, Lang
from warta.publishing import content_hash
from warta.store import audit, editions, jobs, mapping
from warta.store import memory as tm
from warta.store.tables import ArticleRow, EditionRow, EditionVersionRow, RevisionRow
from warta.store.transactional import Transactional


@dataclass(frozen=True, slots=True)
class CorrectionResult:
    edition: Edition  # as stored after the correction
    warnings: tuple[str, ...] = ()  # correction_dropped_link, correction_dropped_number


@dataclass(frozen=True, slots=True)
class EditionVersion:
    """One entry of an edition's history: the edition as it was after one change."""

    version: int
    action: str  # engine | correct | rollback
    actor: str  # editor email, "worker", "cli"
    created_at: datetime
    note: str
    status: EditionStatus


@dataclass(frozen=True, slots=True)
class SegmentChange:
    """A segment whose translation changed in one version (against the version before it)."""

    index: int
    source_html: str
    before: str  # target html before ("" for the first version)
    after: str
    diff_html: str  # word-level diff: escaped text with <ins>/<del>


class EditionHistory(Transactional):
    """Editors' changes of editions and their history (see the module docstring)."""

    # --- correct ---------------------------------------------------------------------------------

    def correct(
        self,
        *,
        revision_id: int,
        lang: Lang,
        index: int,
        target_html: str,
        base_version: int | None,
        actor: str,
    ) -> CorrectionResult:
        """Replace segment ``index`` with an editor's correction, made on ``base_version``.

        ``base_version`` None (the command line) corrects whatever is there now.
        """
        clean = clean_correction(target_html)
        try:
            with self._write() as session:
                return self._correct(
                    session,
                    revision_id=revision_id,
                    lang=lang,
                    index=index,
                    clean=clean,
                    base_version=base_version,
                    actor=actor,
                )
        except ConflictError as refused:
            if "current_version" in refused.context or "current_revision" in refused.context:
                self._refused(
                    refused,
                    revision_id=revision_id,
                    lang=lang,
                    index=index,
                    text=clean,
                    actor=actor,
                )
            raise

    def _correct(
        self,
        session: Session,
        *,
        revision_id: int,
        lang: Lang,
        index: int,
        clean: str,
        base_version: int | None,
        actor: str,
    ) -> CorrectionResult:
        now = self._clock()
        revision, article, row = _locked_current(session, revision_id=revision_id, lang=lang)
        editions.backfill_history(session, row)
        rows = editions.segment_rows(session, row.id)
        target = next((s for s in rows if s.position == index), None)
        if target is None:
            raise FieldError(
                f"segment index {index} is out of range (0..{len(rows) - 1})",
                hint="use the index shown in the edition's segment list",
                field="index",
            )
        if base_version is not None and target.version != base_version:
            editor = target.edited_by or "the translation engine"
            raise ConflictError(
                f"segment {index} changed since you opened it: it is at version "
                f"{target.version} (by {editor}), not {base_version}",
                hint="read the current text, merge your change into it and send it with "
                "its version",
                field="version",
                index=index,
                current_html=target.target_html,
                current_version=target.version,
            )
        warnings = correction_warnings(source_html=target.source_html, target_html=clean, lang=lang)
        before = target.target_html
        target.target_html = clean
        target.origin = SegmentOrigin.HUMAN.value
        target.score = None
        target.quality = None
        target.flags = list(warnings)
        target.version += 1
        target.edited_by = actor
        target.edited_at = now
        target.suggestion_html = None
        session.flush()
        stored = _restore(
            session, row, revision=revision, actor=actor, action="correct", note="", now=now
        )
        audit.record(
            session,
            site_id=article.site_id,
            actor=actor,
            action="segment.corrected",
            subject=f"article {article.external_id} rev {revision.number} {lang} segment {index}",
            now=now,
            revision_id=revision.id,
            lang=lang,
            position=index,
            before=before,
            after=clean,
        )
        _remember(
            session,
            site_id=article.site_id,
            lang=lang,
            pairs=[(target.source_html, clean)],
            now=now,
        )
        return CorrectionResult(edition=stored, warnings=warnings)

    def _refused(
        self,
        refused: ConflictError,
        *,
        revision_id: int,
        lang: Lang,
        index: int,
        text: str,
        actor: str,
    ) -> None:
        """Audit a refused correction, so that no editor's text is lost even when it loses."""
        with self._write() as session:
            revision = editions.require_revision(session, revision_id)
            article = _article(session, revision)
            current = refused.context.get("current_html")
            audit.record(
                session,
                site_id=article.site_id,
                actor=actor,
                action="segment.correction_refused",
                subject=f"article {article.external_id} rev {revision.number} {lang} "
                f"segment {index}: {refused.message}",
                now=self._clock(),
                revision_id=revision.id,
                lang=lang,
                position=index,
                before=current if isinstance(current, str) else None,
                after=text,
            )

    # --- rollback --------------------------------------------------------------------------------

    def rollback(self, *, revision_id: int, lang: Lang, to_version: int, actor: str) -> Edition:
        """A new version whose texts are those of ``to_version``; changed segments become HUMAN."""
        with self._write() as session:
            now = self._clock()
            revision, article, row = _locked_current(session, revision_id=revision_id, lang=lang)
            target = _version_row(session, revision_id=revision_id, lang=lang, version=to_version)
            if to_version == row.version:
                raise FieldError(
                    f"version {to_version} is the edition's current version",
                    hint="roll back to an earlier version (see the edition's history)",
                    field="version",
                    version=to_version,
                )
            wanted = {int(s["index"]): s for s in target.segments}
            before = row.body_html
            changed: list[tuple[str, str]] = []
            for seg in editions.segment_rows(session, row.id):
                old = wanted.get(seg.position)
                if old is None or old["source_html"] != seg.source_html:
                    continue  # that sentence was segmented differently then: left as it is
                text = str(old["target_html"])
                if text == seg.target_html:
                    continue
                seg.target_html = text
                seg.origin = SegmentOrigin.HUMAN.value
                seg.score = None
                seg.quality = None
                seg.flags = list(
                    correction_warnings(source_html=seg.source_html, target_html=text, lang=lang)
                )
                seg.version += 1
                seg.edited_by = actor
                seg.edited_at = now
                seg.suggestion_html = None
                changed.append((seg.source_html, text))
            session.flush()
            note = f"rolled back to version {to_version}"
            stored = _restore(
                session, row, revision=revision, actor=actor, action="rollback", note=note, now=now
            )
            audit.record(
                session,
                site_id=article.site_id,
                actor=actor,
                action="edition.rolled_back",
                subject=f"article {article.external_id} rev {revision.number} {lang}: {note}",
                now=now,
                revision_id=revision.id,
                lang=lang,
                before=before,
                after=stored.content.body_html if stored.content else None,
            )
            _remember(session, site_id=article.site_id, lang=lang, pairs=changed, now=now)
            return stored

    # --- send back -------------------------------------------------------------------------------

    def send_back(self, *, revision_id: int, lang: Lang, actor: str, note: str = "") -> Job:
        """Queue a fresh re-translation (no engine memory reused; corrections still are).

        While the edition is being translated (its job running, planned without ``fresh``), the
        running job is marked fresh and returned: when the worker records its result, it sees
        the mark (the job it planned was not fresh) and queues the fresh job as a follow-up in
        the same transaction (:meth:`warta.store.repository.Store.record_translations`).
        """
        with self._write() as session:
            now = self._clock()
            revision, article, row = _locked_current(
                session, revision_id=revision_id, lang=lang, translated=False
            )
            job = jobs.enqueue(
                session,
                revision_id=revision_id,
                lang=lang,
                now=now,
                fresh=True,
                priority=JobPriority.RETRANSLATE,
            )
            if not job.fresh:  # running: a follow-up, queued when its result is recorded
                job.fresh = True
                job.updated_at = now
                session.flush()
            reason = f"sent back for re-translation by {actor}" + (f": {note}" if note else "")
            session.execute(
                update(EditionRow)
                .where(EditionRow.id == row.id)
                .values(reason=reason, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            audit.record(
                session,
                site_id=article.site_id,
                actor=actor,
                action="edition.sent_back",
                subject=f"article {article.external_id} rev {revision.number} {lang}",
                now=now,
                revision_id=revision.id,
                lang=lang,
                after=note or None,
            )
            return mapping.job(job)

    # --- history ---------------------------------------------------------------------------------

    def versions(self, *, revision_id: int, lang: Lang) -> list[EditionVersion]:
        """The edition's history, newest first."""
        with self._read() as session:
            editions.require_revision(session, revision_id)
            rows = session.scalars(
                select(EditionVersionRow)
                .where(
                    EditionVersionRow.revision_id == revision_id,
                    EditionVersionRow.lang == lang.value,
                )
                .order_by(EditionVersionRow.version.desc())
            )
            return [
                EditionVersion(
                    version=r.version,
                    action=r.action,
                    actor=r.actor,
                    created_at=r.created_at,
                    note=r.note,
                    status=EditionStatus(r.status),
                )
                for r in rows
            ]

    def changes(self, *, revision_id: int, lang: Lang, version: int) -> list[SegmentChange]:
        """Segments whose text changed in ``version``, against ``version - 1``."""
        with self._read() as session:
            editions.require_revision(session, revision_id)
            after = _version_row(session, revision_id=revision_id, lang=lang, version=version)
            previous = session.scalars(
                select(EditionVersionRow).where(
                    EditionVersionRow.revision_id == revision_id,
                    EditionVersionRow.lang == lang.value,
                    EditionVersionRow.version == version - 1,
                )
            ).one_or_none()
            return segment_changes(previous.segments if previous else [], after.segments)


def segment_changes(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> list[SegmentChange]:
    """Changes between two snapshots' segments, by index."""
    old = {int(s["index"]): str(s["target_html"]) for s in before}
    out: list[SegmentChange] = []
    for seg in sorted(after, key=lambda s: int(s["index"])):
        index, text = int(seg["index"]), str(seg["target_html"])
        was = old.get(index, "")
        if was != text:
            out.append(
                SegmentChange(
                    index=index,
                    source_html=str(seg["source_html"]),
                    before=was,
                    after=text,
                    diff_html=word_diff(was, text),
                )
            )
    return out


def _article(session: Session, revision: RevisionRow) -> ArticleRow:
    article = session.get(ArticleRow, revision.article_id)
    if article is None:  # the foreign key makes this impossible; mypy does not know
        raise NotFoundError(f"no article {revision.article_id}", article_id=revision.article_id)
    return article


def _locked_current(
    session: Session, *, revision_id: int, lang: Lang, translated: bool = True
) -> tuple[RevisionRow, ArticleRow, EditionRow]:
    """Revision, article and edition row, locked; refuses a revision that is not current."""
    revision = editions.require_revision(session, revision_id)
    article = session.scalars(
        select(ArticleRow).where(ArticleRow.id == revision.article_id).with_for_update()
    ).one()
    if article.current_revision != revision.number:
        raise ConflictError(
            f"revision {revision.number} of article {article.external_id!r} is no longer its "
            f"current one: revision {article.current_revision} is",
            hint="open the article again and work on its current revision",
            field="revision",
            revision=revision.number,
            current_revision=article.current_revision,
        )
    row = editions.lock(session, revision_id=revision_id, lang=lang)
    if row is None or (translated and row.body_html is None):
        raise NotFoundError(
            f"the {lang} edition of {article.external_id!r} (revision {revision.number}) "
            "has no translation yet",
            hint="wait until it is translated, or request a translation first",
            revision_id=revision_id,
            lang=lang.value,
        )
    return revision, article, row


def _version_row(
    session: Session, *, revision_id: int, lang: Lang, version: int
) -> EditionVersionRow:
    row = session.scalars(
        select(EditionVersionRow).where(
            EditionVersionRow.revision_id == revision_id,
            EditionVersionRow.lang == lang.value,
            EditionVersionRow.version == version,
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"the {lang} edition has no version {version}",
            hint="pick a version from the edition's history",
            version=version,
            lang=lang.value,
        )
    return row


def _restore(
    session: Session,
    row: EditionRow,
    *,
    revision: RevisionRow,
    actor: str,
    action: str,
    note: str,
    now: datetime,
) -> Edition:
    """After segment rows changed: content, status and version of the edition, and history."""
    current = mapping.edition(row, editions.segment_rows(session, row.id))
    version = editions.next_version(session, row, revision_id=row.revision_id, lang=current.lang)
    stored = replace(
        editions.recompose(current, revision=revision), version=version, updated_at=now
    )
    content = stored.content
    row.title = content.title if content else None
    row.lead = content.lead if content else None
    row.body_html = content.body_html if content else None
    row.content_hash = content_hash(stored) if content else None
    row.status = stored.status.value
    row.reason = stored.reason
    row.quality = stored.quality
    row.version = version
    row.updated_at = now
    session.flush()
    editions.snapshot(session, stored, actor=actor, action=action, note=note, now=now)
    return stored


def _remember(
    session: Session, *, site_id: int, lang: Lang, pairs: Sequence[tuple[str, str]], now: datetime
) -> None:
    if pairs:
        tm.remember(
            session,
            site_id=site_id,
            source=SOURCE_LANG,
            target=lang,
            entries=[
                MemoryEntry(source_html=s, target_html=t, origin=SegmentOrigin.HUMAN)
                for s, t in pairs
            ],
            now=now,
        )


__all__ = [
    "CorrectionResult",
    "EditionHistory",
    "EditionVersion",
    "SegmentChange",
    "segment_changes",
]
