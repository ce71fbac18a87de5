"""Glossary management for the desk, the API and the command line (``integrations.glossary``).

Every change (a term added, edited or deleted, a CSV imported) is one transaction: the terms,
one bump of the site's glossary version, an audit entry (``glossary.term_added``,
``term_changed``, ``term_deleted``, ``imported``, with the terms before and after) and the
re-translation jobs it calls for. Only admins of the site may change its glossary; the command
line acts as the operator (no role).

Which editions are queued again: those of the current revision of each article of the site
whose Indonesian text has a sentence that the change affects for that language, i.e. whose
glossary key (:func:`warta.text.glossary_key.glossary_key`, the terms that translation puts a
placeholder for, with their settings and rendering) differs between the glossary before and
after. Articles are first narrowed down in SQL (a ``LIKE`` on title, lead and body for a word of
each changed term), then decided in Python with the translator's own matching. The job then
re-translates only those sentences: the translation memory keys each engine translation by the
glossary terms of its sentence, so the others are reused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from warta.domain import (
    EditionStatus,
    EditorRole,
    Glossary,
    GlossaryTerm,
    JobPriority,
    JobStatus,
)
from warta.errors import FieldError, ForbiddenError, NotFoundError, WartaError
from warta.glossary_csv import read, write
from warta.languages import Lang
from warta.store import catalog, jobs
from warta.store.catalog import TermChange
from warta.store.clock import Clock, utcnow
from warta.store.editors import Editor
from warta.store.tables import ArticleRow, EditionRow, RevisionRow
from warta.store.transactional import Transactional
from warta.text.document import analyse
from warta.text.glossary_key import glossary_key

__all__ = ["GlossaryChange", "GlossaryService", "affected_langs"]

# Editions that hold a translation made under the glossary before the change. A pending one is
# either queued (its job reads the glossary when it runs) or has no model; a failed one is
# retried by `warta retranslate`, not by a glossary change.
_TRANSLATED = (EditionStatus.TRANSLATED.value, EditionStatus.NEEDS_REVIEW.value)
_LIKE_BATCH = 40  # words per prefilter query (keeps each statement's expression small)
_WORD = re.compile(r"[A-Za-z0-9]+")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GlossaryChange:
    glossary: Glossary  # the site's glossary after the change (its new version)
    requeued: int  # editions queued for re-translation because of it
    changes: tuple[TermChange, ...] = ()  # the terms added, changed or deleted; () for none


class GlossaryService(Transactional):
    """A site's glossary: read, change (admins), import and export as CSV."""

    def __init__(
        self, engine: sqlalchemy.Engine, *, targets: Sequence[Lang], clock: Clock = utcnow
    ) -> None:
        super().__init__(engine, clock=clock)
        self._targets = tuple(targets)

    def terms(self, *, site_id: int) -> Glossary:
        with self._read() as session:
            return catalog.glossary(session, site_id)

    def export_csv(self, *, site_id: int) -> bytes:
        """The site's glossary as CSV (see :mod:`warta.glossary_csv`)."""
        return write(self.terms(site_id=site_id).terms)

    def put(
        self,
        *,
        site_id: int,
        term: GlossaryTerm,
        actor: str | Editor,
        role: EditorRole | None = None,
    ) -> GlossaryChange:
        """Add a term, or replace the one with the same source."""
        who = _authorised(site_id=site_id, actor=actor, role=role)
        with self._write() as session:
            now = self._clock()
            catalog.lock_site(session, site_id)  # one change of this glossary at a time
            before = catalog.glossary(session, site_id)
            change = catalog.put_term(session, site_id=site_id, term=term, now=now, actor=who)
            return self._changed(session, site_id=site_id, before=before, changes=_some(change))

    def delete(
        self,
        *,
        site_id: int,
        source: str,
        actor: str | Editor,
        role: EditorRole | None = None,
    ) -> GlossaryChange:
        """Delete the term whose source is ``source`` (NotFoundError when there is none)."""
        who = _authorised(site_id=site_id, actor=actor, role=role)
        with self._write() as session:
            now = self._clock()
            catalog.lock_site(session, site_id)  # one change of this glossary at a time
            before = catalog.glossary(session, site_id)
            change = catalog.delete_term(
                session, site_id=site_id, source=source, now=now, actor=who
            )
            return self._changed(session, site_id=site_id, before=before, changes=(change,))

    def import_csv(
        self,
        *,
        site_id: int,
        data: bytes,
        actor: str | Editor,
        role: EditorRole | None = None,
        replace: bool = False,
    ) -> GlossaryChange:
        """Add or replace the terms of a CSV file, all or nothing (InputError naming the line of
        a bad row); with ``replace`` the glossary becomes exactly the file's terms."""
        who = _authorised(site_id=site_id, actor=actor, role=role)
        rows = read(data)
        with self._write() as session:
            now = self._clock()
            catalog.lock_site(session, site_id)  # one change of this glossary at a time
            before = catalog.glossary(session, site_id)
            changes = catalog.import_terms(
                session,
                site_id=site_id,
                terms=[row.term for row in rows],
                lines=[row.line for row in rows],
                replace=replace,
                now=now,
                actor=who,
            )
            return self._changed(session, site_id=site_id, before=before, changes=changes)

    def _changed(
        self,
        session: Session,
        *,
        site_id: int,
        before: Glossary,
        changes: tuple[TermChange, ...],
    ) -> GlossaryChange:
        after = catalog.glossary(session, site_id)
        if not changes:
            return GlossaryChange(glossary=after, requeued=0)
        requeued = 0
        for revision_id, lang in self._affected(
            session, site_id=site_id, before=before, after=after, changes=changes
        ):
            job = jobs.enqueue(
                session,
                revision_id=revision_id,
                lang=lang,
                now=self._clock(),
                priority=JobPriority.RETRANSLATE,
            )
            requeued += job.status == JobStatus.QUEUED.value
        return GlossaryChange(glossary=after, requeued=requeued, changes=changes)

    def _affected(
        self,
        session: Session,
        *,
        site_id: int,
        before: Glossary,
        after: Glossary,
        changes: Sequence[TermChange],
    ) -> Iterator[tuple[int, Lang]]:
        """(revision, language) of each translated edition that the change affects."""
        terms = [t for c in changes for t in (c.before, c.after) if t is not None]
        candidates = _candidates(session, site_id=site_id, terms=terms)
        if not candidates:
            return
        editions: dict[int, list[Lang]] = {}
        for ids in _batches(sorted(candidates), 500):
            rows = session.execute(
                select(EditionRow.revision_id, EditionRow.lang).where(
                    EditionRow.revision_id.in_(ids),
                    EditionRow.status.in_(_TRANSLATED),
                    EditionRow.lang.in_([lang.value for lang in self._targets]),
                )
            )
            for revision_id, lang in rows:
                editions.setdefault(revision_id, []).append(Lang(lang))
        for revision_id in sorted(editions):
            title, lead, body_html = candidates[revision_id]
            langs = affected_langs(
                title=title,
                lead=lead,
                body_html=body_html,
                before=before,
                after=after,
                langs=editions[revision_id],
            )
            for lang in langs:
                yield revision_id, lang


def affected_langs(
    *,
    title: str,
    lead: str,
    body_html: str,
    before: Glossary,
    after: Glossary,
    langs: Iterable[Lang],
) -> tuple[Lang, ...]:
    """The languages among ``langs`` for which a sentence of the article has another glossary key
    under ``after`` than under ``before`` (so its translation must be made again)."""
    try:
        document = analyse(title=title, lead=lead, body_html=body_html)
    except WartaError:  # an article the translator cannot read either: nothing to redo
        return ()
    texts = [segment.text for segment in document.segments if segment.translate]
    whole = "\n".join(texts)
    old = _present(before, whole)
    new = _present(after, whole)
    if not old.terms and not new.terms:
        return ()
    return tuple(
        lang
        for lang in dict.fromkeys(langs)
        if any(
            glossary_key(text, glossary=old, target=lang)
            != glossary_key(text, glossary=new, target=lang)
            for text in texts
        )
    )


def _present(glossary: Glossary, text: str) -> Glossary:
    """``glossary`` with only the terms found in ``text`` (as the translator matches them): the
    others cannot change any sentence's key, and leaving them out keeps this quick."""
    return Glossary(
        version=glossary.version,
        terms=tuple(term for term in glossary.terms if _pattern(term).search(text)),
    )


def _pattern(term: GlossaryTerm) -> re.Pattern[str]:
    flags = 0 if term.case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(term.source)}(?!\w)", flags)


def _candidates(
    session: Session, *, site_id: int, terms: Sequence[GlossaryTerm]
) -> dict[int, tuple[str, str, str]]:
    """Current revisions of the site's articles that may contain one of ``terms``: revision id ->
    (title, lead, body)."""
    current = (
        select(RevisionRow.id, RevisionRow.title, RevisionRow.lead, RevisionRow.body_html)
        .join(ArticleRow, ArticleRow.id == RevisionRow.article_id)
        .where(ArticleRow.site_id == site_id, RevisionRow.number == ArticleRow.current_revision)
    )
    words = {_word(term) for term in terms}
    if None in words:  # a term without a plain ASCII word: look at every article
        filters: list[list[ColumnElement[bool]]] = [[]]
    else:
        filters = [
            [_like(word, insensitive=insensitive) for word, insensitive in batch]
            for batch in _batches(sorted(w for w in words if w is not None), _LIKE_BATCH)
        ]
    found: dict[int, tuple[str, str, str]] = {}
    for batch in filters:
        query = current.where(or_(*batch)) if batch else current
        for revision_id, title, lead, body_html in session.execute(query):
            found[revision_id] = (title, lead, body_html)
    return found


def _word(term: GlossaryTerm) -> tuple[str, bool] | None:
    """The term's longest run of ASCII letters and digits (HTML writes those as they are), and
    whether to compare it ignoring case; None when it has none."""
    runs = _WORD.findall(term.source)
    if not runs:
        return None
    return max(runs, key=len), not term.case_sensitive


def _like(word: str, *, insensitive: bool) -> ColumnElement[bool]:
    pattern = f"%{word}%"  # letters and digits only: nothing to escape
    columns = (RevisionRow.title, RevisionRow.lead, RevisionRow.body_html)
    if insensitive:
        return or_(*(column.ilike(pattern) for column in columns))
    return or_(*(column.like(pattern) for column in columns))


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _some(change: TermChange | None) -> tuple[TermChange, ...]:
    return () if change is None else (change,)


def _authorised(*, site_id: int, actor: str | Editor, role: EditorRole | None) -> str:
    """The actor's name for the audit log, once they may change the site's glossary: the
    operator (no role), or an admin of that site."""
    if isinstance(actor, Editor):
        if actor.site_id != site_id:
            raise NotFoundError(
                f"no site {site_id} for {actor.email}",
                hint="manage the glossary of your own site",
                site_id=site_id,
            )
        name, role = actor.email, actor.role if role is None else role
    else:
        name = actor.strip()
    if not name:
        raise FieldError(
            "a glossary change needs the name of who makes it",
            hint='pass the editor\'s email, or "cli" for the command line',
            field="actor",
        )
    if role is not None and role is not EditorRole.ADMIN:
        raise ForbiddenError(
            f"only an admin of the site may change its glossary; {name} is an {role.value}",
            hint="ask an admin of the site, or have one given the role "
            "(`warta editors create --site SITE EMAIL --role admin`)",
            role=role.value,
            action="change the glossary",
        )
    return name
