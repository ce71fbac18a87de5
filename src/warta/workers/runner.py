"""Claim -> translate -> record: the worker loop, the same for the in-process worker and Celery.

A worker claims up to ``jobs_per_batch`` queued jobs of one target language, translates all their
new segments in one engine call, and records each edition in the same transaction that completes
its job (and checks the lease: a worker that lost its lease writes nothing).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from warta.domain import Edition, EditionStatus, Job, Revision
from warta.engines.base import Engine
from warta.errors import LeaseLostError, ModelNotFoundError, WartaError
from warta.languages import SOURCE_LANG, Lang
from warta.pipeline import QualityCheck, WorkItem, document_for, translate_items
from warta.quality.estimator import QualityEstimator
from warta.store.repository import Store
from warta.workers.queue import JobQueue

log = logging.getLogger(__name__)


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def no_model_reason(lang: Lang) -> str:
    return (
        f"no translation model installed for Indonesian→{lang.english_name} "
        f"({SOURCE_LANG}→{lang}); install one with `warta models pull NAME` or "
        f"`warta models add PATH --source id --target {lang}`"
    )


@dataclass
class RunSummary:
    translated: int = 0
    needs_review: int = 0
    failed: int = 0
    skipped_no_model: set[Lang] = field(default_factory=set)
    lost_leases: int = 0
    segments_translated: int = 0
    segments_reused: int = 0

    @property
    def editions(self) -> int:
        return self.translated + self.needs_review


class Worker:
    """Runs translation jobs from a :class:`JobQueue` against an :class:`Engine`."""

    def __init__(
        self,
        *,
        store: Store,
        queue: JobQueue,
        engine: Callable[[], Engine],
        targets: Sequence[Lang],
        name: str | None = None,
        lease_seconds: int = 300,
        max_attempts: int = 3,
        jobs_per_batch: int = 16,
        estimator: QualityEstimator | None = None,
        checks: Sequence[QualityCheck] = (),
        on_recorded: Callable[[Edition], object] | None = None,
    ) -> None:
        self._store = store
        self._queue = queue
        self._engine = engine
        self._targets = tuple(targets)
        self.name = name or default_worker_name()
        self._lease = lease_seconds
        self._max_attempts = max_attempts
        self._batch = jobs_per_batch
        self._estimator = estimator
        self._on_recorded = on_recorded
        self._checks = tuple(checks)

    def run_until_idle(self, *, progress: Callable[[RunSummary], None] | None = None) -> RunSummary:
        """Run batches until no claimable job is left for a language that has a model."""
        summary = RunSummary()
        while self.run_once(summary):
            if progress is not None:
                progress(summary)
        return summary

    def run_once(self, summary: RunSummary | None = None, *, lang: Lang | None = None) -> bool:
        """Run one batch (of ``lang`` only, if given); False when there was nothing to do."""
        summary = summary if summary is not None else RunSummary()
        engine = self._engine()
        pending = self._queue.pending_langs()
        for target in pending if lang is None else [x for x in pending if x is lang]:
            if not engine.supports(source=SOURCE_LANG, target=target):
                if target not in summary.skipped_no_model:
                    summary.skipped_no_model.add(target)
                    self._mark_waiting_for_model(target)
                continue
            jobs = self._queue.claim(
                worker=self.name, limit=self._batch, lease_seconds=self._lease, lang=target
            )
            if jobs:
                self._run_batch(jobs, lang=target, engine=engine, summary=summary)
                return True
        return False

    def _mark_waiting_for_model(self, lang: Lang) -> None:
        for row in self._store.status_rows():
            if row.lang is lang and row.status is EditionStatus.PENDING:
                self._store.mark_editions(
                    revision_id=row.revision_id,
                    langs=[lang],
                    status=EditionStatus.PENDING,
                    reason=no_model_reason(lang),
                )

    def _run_batch(
        self, jobs: Sequence[Job], *, lang: Lang, engine: Engine, summary: RunSummary
    ) -> None:
        items: list[WorkItem] = []
        sites: dict[int, int] = {}
        for job in jobs:
            try:
                revision = self._store.get_revision(job.revision_id)
                article = self._store.get_article_by_id(revision.article_id)
                items.append(self._work_item(job, revision, site_id=article.site_id, lang=lang))
                sites[job.id] = article.site_id
            except WartaError as exc:
                self._fail(job, str(exc), retry=False, summary=summary)
        if not items:
            return
        try:
            outcomes = translate_items(
                items, engine=engine, target=lang, estimator=self._estimator, checks=self._checks
            )
        except ModelNotFoundError as exc:
            for item in items:
                job = _job(item)
                self._queue.fail(job.id, worker=self.name, error=str(exc), retry=True)
            summary.skipped_no_model.add(lang)
            return
        except Exception as exc:  # any engine failure fails the batch (logged below)
            log.exception("translation batch failed for %s", lang)
            for item in items:
                self._fail(_job(item), f"{type(exc).__name__}: {exc}", retry=True, summary=summary)
            return
        for outcome in outcomes:
            job = _job_of(outcome.key)
            edition = Edition(
                revision_id=job.revision_id,
                lang=lang,
                status=outcome.status,
                reason=outcome.reason,
                content=outcome.content,
                segments=outcome.segments,
                provenance=outcome.provenance,
                quality=outcome.quality,
            )
            try:
                self._store.record_translation(
                    job_id=job.id,
                    worker=self.name,
                    site_id=sites[job.id],
                    edition=edition,
                    memory=outcome.new_memory,
                )
            except LeaseLostError:
                summary.lost_leases += 1
                log.warning("lease lost on job %s; result discarded", job.id)
                continue
            if self._on_recorded is not None:
                try:
                    self._on_recorded(edition)
                except Exception:  # the edition is stored; a failed notification is only logged
                    log.exception("on_recorded hook failed for job %s", job.id)
            if outcome.status is EditionStatus.NEEDS_REVIEW:
                summary.needs_review += 1
            else:
                summary.translated += 1
            summary.segments_translated += edition.translated_segments
            summary.segments_reused += edition.reused_segments

    def _work_item(self, job: Job, revision: Revision, *, site_id: int, lang: Lang) -> WorkItem:
        document = document_for(
            title=revision.title, lead=revision.lead, body_html=revision.body_html
        )
        memory = self._store.lookup_memory(
            site_id=site_id,
            source=SOURCE_LANG,
            target=lang,
            sources=[s.html for s in document.segments if s.translate],
        )
        return WorkItem(
            key=job, document=document, memory=memory, glossary=self._store.get_glossary(site_id)
        )

    def _fail(self, job: Job, error: str, *, retry: bool, summary: RunSummary) -> None:
        retry = retry and job.attempts < self._max_attempts
        try:
            failed = self._queue.fail(job.id, worker=self.name, error=error, retry=retry)
        except LeaseLostError:
            summary.lost_leases += 1
            return
        if not retry:
            summary.failed += 1
            self._store.mark_editions(
                revision_id=failed.revision_id,
                langs=[failed.lang],
                status=EditionStatus.FAILED,
                reason=f"translation failed after {failed.attempts} attempt(s): {error}",
            )


def _job(item: WorkItem) -> Job:
    return _job_of(item.key)


def _job_of(key: object) -> Job:
    assert isinstance(key, Job)  # noqa: S101 -- work item keys are the claimed jobs (_run_batch)
    return key
