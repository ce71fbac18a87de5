"""The store: every public method is one transaction and returns domain records, never rows.

Reads run in a plain transaction; writes take the write lock up front on SQLite
(``BEGIN IMMEDIATE``). The row-level work lives in :mod:`~warta.store.articles`,
:mod:`~warta.store.editions`, :mod:`~warta.store.memory`, :mod:`~warta.store.catalog` and
:mod:`~warta.store.jobs`; this class only draws the transaction boundaries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy
from sqlalchemy.orm import Session

from warta.domain import (
    Article,
    ArticleDraft,
    Edition,
    EditionStatus,
    Glossary,
    GlossaryTerm,
    JobPriority,
    MemoryEntry,
    RegisteredModel,
    Revision,
    SegmentTranslation,
    Site,
)
from warta.errors import ConflictError, FieldError, LeaseLostError
from warta.glossary import affected_langs
from warta.languages import SOURCE_LANG, Lang
from warta.store import articles, catalog, editions, jobs, listing, mapping, versions
from warta.store import memory as tm
from warta.store.clock import Clock, utcnow
from warta.store.history import EditionHistory
from warta.store.listing import CategoryCount
from warta.store.records import Finished, SaveResult, StatusRow
from warta.store.session import transaction, writer
from warta.store.tables import RevisionRow
from warta.store.versions import Version

__all__ = ["CategoryCount", "Finished", "SaveResult", "StatusRow", "Store", "Version"]


class Store:
    def __init__(self, engine: sqlalchemy.Engine, *, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._clock = clock

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with transaction(self._engine) as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with transaction(self._writer) as session:
            yield session

    # --- sites -----------------------------------------------------------------------------------

    def create_site(self, *, slug: str, name: str) -> Site:
        """Create a site; ConflictError if the slug is taken, FieldError if it is not a slug."""
        with self._write() as session:
            return catalog.create_site(session, slug=slug, name=name, now=self._clock())

    def get_site(self, slug: str) -> Site:
        with self._read() as session:
            return mapping.site(catalog.site_row(session, slug))

    def get_or_create_site(self, *, slug: str, name: str) -> Site:
        with self._write() as session:
            row = catalog.find_site(session, slug)
            if row is not None:
                return mapping.site(row)
            return catalog.create_site(session, slug=slug, name=name, now=self._clock())

    def list_sites(self) -> list[Site]:
        with self._read() as session:
            return catalog.list_sites(session)

    # --- articles and revisions ------------------------------------------------------------------

    def save_article(self, draft: ArticleDraft, *, targets: Sequence[Lang]) -> SaveResult:
        """Store an article; a new or changed text becomes a new revision with its jobs queued.

        Unchanged text (same content hash) updates the metadata only: no revision, no jobs. A new
        revision gets one queued job and one PENDING edition per target in the same transaction.
        """
        try:
            return self._save_article(draft, targets=targets)
        except ConflictError:
            # Another writer stored the same new article between our read and our insert; the
            # second try finds it and makes a revision on top of it (or none, if the text is equal).
            return self._save_article(draft, targets=targets)

    def _save_article(self, draft: ArticleDraft, *, targets: Sequence[Lang]) -> SaveResult:
        with self._write() as session:
            return articles.save(session, draft, targets=targets, now=self._clock())

    def get_article(self, *, site_id: int, external_id: str) -> Article:
        with self._read() as session:
            return articles.get(session, site_id=site_id, external_id=external_id)

    def get_article_by_id(self, article_id: int) -> Article:
        with self._read() as session:
            return mapping.article(articles.article_row(session, article_id))

    def list_articles(
        self, *, site_id: int | None = None, limit: int = 50, offset: int = 0
    ) -> list[Article]:
        """Articles, newest published first (unpublished ones by when they were stored)."""
        with self._read() as session:
            return articles.list_articles(session, site_id=site_id, limit=limit, offset=offset)

    def get_revision(self, revision_id: int) -> Revision:
        with self._read() as session:
            return articles.revision(session, revision_id)

    def revisions_to_translate(
        self, revision_ids: Sequence[int]
    ) -> dict[int, tuple[Revision, int]]:
        """Revision id -> (revision, its article's site id), read together for a worker's batch.

        Revisions that do not exist (any more) are left out.
        """
        with self._read() as session:
            return articles.revisions_with_sites(session, revision_ids)

    def glossaries(self, site_ids: Sequence[int]) -> dict[int, Glossary]:
        """Site id -> glossary, read in one transaction."""
        with self._read() as session:
            return {
                site_id: catalog.glossary(session, site_id) for site_id in dict.fromkeys(site_ids)
            }

    def get_current_revision(self, article_id: int) -> Revision:
        with self._read() as session:
            return articles.current_revision(session, article_id)

    def list_revisions(self, article_id: int) -> list[Revision]:
        with self._read() as session:
            return articles.list_revisions(session, article_id)

    # --- editions --------------------------------------------------------------------------------

    def get_edition(self, *, revision_id: int, lang: Lang) -> Edition:
        """The stored edition, or a PENDING one whose reason says nothing was requested."""
        with self._read() as session:
            return editions.get(session, revision_id=revision_id, lang=lang)

    def list_editions(self, revision_id: int) -> list[Edition]:
        with self._read() as session:
            return editions.list_for(session, revision_id)

    def save_edition(self, edition: Edition, *, actor: str = "worker", note: str = "") -> Edition:
        """Store an engine result for (revision, language); editors' corrections are kept.

        HUMAN segments whose Indonesian sentence is unchanged survive (see
        :func:`warta.store.editions.save`); the edition's version goes up and the change is
        written to its history by ``actor``. ``edition.updated_at`` and ``version`` are not read:
        the store stamps them. Returns the edition as stored.
        """
        with self._write() as session:
            return editions.save(session, edition, now=self._clock(), actor=actor, note=note)

    @property
    def history(self) -> EditionHistory:
        """Corrections, rollbacks and history of editions, on this store's database and clock."""
        return EditionHistory(self._engine, clock=self._clock)

    def mark_editions(
        self, *, revision_id: int, langs: Sequence[Lang], status: EditionStatus, reason: str
    ) -> None:
        with self._write() as session:
            editions.mark(
                session,
                revision_id=revision_id,
                langs=langs,
                status=status,
                reason=reason,
                now=self._clock(),
            )

    # --- translation memory ----------------------------------------------------------------------

    def lookup_memory(
        self, *, site_id: int, source: Lang, target: Lang, sources: Sequence[str]
    ) -> dict[str, MemoryEntry]:
        """Exact matches for ``sources`` (sentence html -> entry); HUMAN beats ENGINE.

        An ENGINE entry comes with the keys it was made under and its flags: the caller decides
        whether it still stands (:func:`warta.pipeline.reusable`).
        """
        with self._read() as session:
            return tm.lookup(
                session, site_id=site_id, source=source, target=target, sources=sources
            )

    def corrections_before(
        self, revision_ids: Sequence[int], *, lang: Lang
    ) -> dict[int, tuple[SegmentTranslation, ...]]:
        """Revision id -> every segment of the ``lang`` edition of the article's previous
        (translated) revision, for the revisions whose previous edition holds an editor's
        correction (HUMAN segments, or suggestions from them not yet acted on); the others are
        left out. Read for a worker's batch, to carry corrections onto edited sentences."""
        with self._read() as session:
            return tm.corrections_before(session, revision_ids=revision_ids, lang=lang)

    def remember(
        self, *, site_id: int, source: Lang, target: Lang, entries: Sequence[MemoryEntry]
    ) -> None:
        with self._write() as session:
            catalog.site_row_by_id(session, site_id)
            tm.remember(
                session,
                site_id=site_id,
                source=source,
                target=target,
                entries=entries,
                now=self._clock(),
            )

    # --- glossary --------------------------------------------------------------------------------

    def get_glossary(self, site_id: int) -> Glossary:
        with self._read() as session:
            return catalog.glossary(session, site_id)

    def put_glossary_term(self, *, site_id: int, term: GlossaryTerm) -> Glossary:
        """Add or replace a term; any change bumps the site's glossary version."""
        with self._write() as session:
            catalog.put_term(session, site_id=site_id, term=term, now=self._clock())
            return catalog.glossary(session, site_id)

    def delete_glossary_term(self, *, site_id: int, source: str) -> Glossary:
        with self._write() as session:
            catalog.delete_term(session, site_id=site_id, source=source)
            return catalog.glossary(session, site_id)

    # --- registered models -----------------------------------------------------------------------

    def add_model(self, model: RegisteredModel) -> RegisteredModel:
        """Register ``model`` for its language pair, replacing any model registered for it."""
        with self._write() as session:
            return catalog.add_model(session, model, now=self._clock())

    def list_models(self) -> list[RegisteredModel]:
        with self._read() as session:
            return catalog.list_models(session)

    def remove_model(self, *, source: Lang, target: Lang) -> None:
        with self._write() as session:
            catalog.remove_model(session, source=source, target=target)

    # --- results ---------------------------------------------------------------------------------

    def record_translation(
        self,
        *,
        job_id: int,
        worker: str,
        site_id: int,
        edition: Edition,
        memory: Sequence[MemoryEntry],
    ) -> None:
        """Store a finished translation and complete its job, all or nothing.

        Raises LeaseLostError (and writes nothing) when ``worker`` no longer holds the job, e.g.
        because its lease expired and another worker took the job over.
        """
        (lost,) = self.record_translations(
            [Finished(job_id=job_id, site_id=site_id, edition=edition, memory=tuple(memory))],
            worker=worker,
        )
        if lost is not None:
            raise lost

    def record_translations(
        self, finished: Sequence[Finished], *, worker: str
    ) -> list[LeaseLostError | None]:
        """Store a batch's translations and complete their jobs in one transaction.

        Each job whose lease ``worker`` lost is skipped (nothing of it is written) and reported
        by its LeaseLostError in the result, in order; the others are stored. Any other error
        rolls the whole batch back: the jobs stay leased and are retried when the leases expire.
        """
        now = self._clock()
        outcome: list[LeaseLostError | None] = []
        with self._write() as session:
            for item in finished:
                try:
                    job = jobs.held(session, item.job_id, worker=worker)
                except LeaseLostError as lost:
                    outcome.append(lost)
                    continue
                edition = item.edition
                if job.revision_id != edition.revision_id or job.lang != edition.lang.value:
                    raise FieldError(
                        f"job {item.job_id} translates revision {job.revision_id} into "
                        f"{job.lang}, not revision {edition.revision_id} into {edition.lang}",
                        hint="record each edition with the job that produced it",
                        job_id=item.job_id,
                    )
                revision = editions.require_revision(session, job.revision_id)
                article = articles.article_row(session, revision.article_id)
                if article.site_id != item.site_id:
                    raise FieldError(
                        f"job {item.job_id} belongs to site {article.site_id}, not {item.site_id}",
                        hint="pass the site of the job's article",
                        job_id=item.job_id,
                    )
                editions.save(session, edition, now=now, revision_checked=True, actor="worker")
                tm.remember(
                    session,
                    site_id=item.site_id,
                    source=SOURCE_LANG,
                    target=edition.lang,
                    entries=item.memory,
                    now=now,
                )
                key = edition.provenance.key() if edition.provenance else None
                sent_back = job.fresh and item.fresh is False  # while it was being translated
                jobs.complete(job, provenance_key=key, now=now)
                if revision.number == article.current_revision and (
                    sent_back or _glossary_moved_on(session, item, revision=revision)
                ):
                    session.flush()  # the job is done: another may be active for the edition
                    jobs.enqueue(
                        session,
                        revision_id=job.revision_id,
                        lang=edition.lang,
                        now=now,
                        fresh=sent_back,
                        priority=JobPriority.RETRANSLATE,
                    )
                outcome.append(None)
        return outcome

    # --- status ----------------------------------------------------------------------------------

    def status_rows(self, *, site_id: int | None = None) -> list[StatusRow]:
        """One row per stored edition of each article's current revision."""
        with self._read() as session:
            return editions.status_rows(session, site_id=site_id)

    # --- reads for listings and caches ------------------------------------------------------------

    def categories(self, site_id: int) -> list[CategoryCount]:
        """The categories in use on a site, the busiest first."""
        with self._read() as session:
            return listing.site_categories(session, site_id)

    def articles_in_category(
        self, *, site_id: int, category: str, limit: int, offset: int = 0
    ) -> list[Article]:
        """A category's articles, newest published first (as ``list_articles`` orders)."""
        with self._read() as session:
            return listing.articles_in_category(
                session, site_id=site_id, category=category, limit=limit, offset=offset
            )

    def catalogue_version(self, site_id: int) -> Version:
        """Version token of the site's articles and categories (for caches)."""
        with self._read() as session:
            return versions.catalogue_version(session, site_id)

    def site_version(self, site_id: int) -> Version:
        """Version token of the site's articles and all their editions (for caches)."""
        with self._read() as session:
            return versions.site_version(session, site_id)

    def article_version(self, article_id: int) -> Version | None:
        """Version token of one article and its current editions; None if unknown."""
        with self._read() as session:
            return versions.article_version(session, article_id)


def _glossary_moved_on(session: Session, item: Finished, *, revision: RevisionRow) -> bool:
    """Whether the site's glossary changed, while ``item`` was being translated, in a way that
    affects its sentences (a term's glossary key differs, see
    :func:`warta.glossary.affected_langs`). A glossary change queues the editions it affects
    again, but an edition whose job is running keeps that job (one active job per edition), so
    the edition would keep the old wording: recording it queues a follow-up job instead, which
    re-translates only those sentences (the memory has the rest)."""
    provenance = item.edition.provenance
    if provenance is None or item.glossary is None:  # not known: what the worker passes
        return False
    if catalog.site_row_by_id(session, item.site_id).glossary_version <= (
        provenance.glossary_version
    ):
        return False  # the usual case: the site row only, no terms read
    now = catalog.glossary(session, item.site_id)
    return bool(
        affected_langs(
            title=revision.title,
            lead=revision.lead,
            body_html=revision.body_html,
            before=item.glossary,
            after=now,
            langs=(item.edition.lang,),
        )
    )
