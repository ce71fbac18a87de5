"""Claim -> translate -> record: the worker loop, the same for the in-process worker and Celery.

A worker claims up to ``jobs_per_batch`` queued jobs of one target language, translates all their
new segments in one engine call, and records each edition in the same transaction that completes
its job (and checks the lease: a worker that lost its lease writes nothing).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from warta.domain import Edition, EditionStatus, Glossary, Job
from warta.engines.base import Engine, Hypothesis
from warta.errors import LeaseLostError, ModelNotFoundError, WartaError
from warta.languages import SOURCE_LANG, Lang
from warta.pipeline import (
    Outcome,
    PlannedBatch,
    QualityCheck,
    WorkItem,
    complete_items,
    document_for,
    plan_items,
    run_engine,
)
from warta.quality.estimator import QualityEstimator
from warta.store.records import Finished
from warta.store.repository import Store
from warta.text import SourceDocument
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
    held: int = 0  # editions left pending because every engine of their route was over its cap
    segments_translated: int = 0
    segments_reused: int = 0
    segments_flagged: int = 0  # segments of recorded editions with a quality flag
    batches: int = 0  # batches claimed

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
        on_recorded: Callable[[Edition, int], object] | None = None,
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
        return self.run(progress=progress)

    def run_once(self, summary: RunSummary | None = None, *, lang: Lang | None = None) -> bool:
        """Run one batch (of ``lang`` only, if given); False when there was nothing to do."""
        summary = summary if summary is not None else RunSummary()
        before = summary.batches
        self.run(lang=lang, max_batches=1, summary=summary)
        return summary.batches > before

    def run(
        self,
        *,
        lang: Lang | None = None,
        max_batches: int | None = None,
        summary: RunSummary | None = None,
        progress: Callable[[RunSummary], None] | None = None,
    ) -> RunSummary:
        """Run up to ``max_batches`` batches (all there are if None), of ``lang`` only if given.

        Batches overlap: while the engine translates one batch on its own thread (CTranslate2
        releases the GIL and decodes on its own threads), this thread completes the batch before
        it (quality estimation, reassembly, storage, events). The engine stays busy between
        batches, which is what keeps a GPU fed; all store access stays on this thread.
        """
        summary = summary if summary is not None else RunSummary()
        launched = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="warta-engine") as pool:
            running: _Batch | None = None
            while True:
                upcoming: _Batch | None = None
                if max_batches is None or launched < max_batches:
                    upcoming = self._launch(pool, summary, lang=lang)
                    launched += upcoming is not None
                if running is not None:
                    self._land(running, summary)
                    if progress is not None:
                        progress(summary)
                if upcoming is None:
                    return summary
                running = upcoming

    def _launch(
        self, pool: ThreadPoolExecutor, summary: RunSummary, *, lang: Lang | None
    ) -> _Batch | None:
        """Claim the next batch, plan it and start its engine call; None when nothing is left."""
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
                summary.batches += 1
                return self._start(jobs, lang=target, engine=engine, pool=pool, summary=summary)
        return None

    def _mark_waiting_for_model(self, lang: Lang) -> None:
        for row in self._store.status_rows():
            if row.lang is lang and row.status is EditionStatus.PENDING:
                self._store.mark_editions(
                    revision_id=row.revision_id,
                    langs=[lang],
                    status=EditionStatus.PENDING,
                    reason=no_model_reason(lang),
                )

    def _start(
        self,
        jobs: Sequence[Job],
        *,
        lang: Lang,
        engine: Engine,
        pool: ThreadPoolExecutor,
        summary: RunSummary,
    ) -> _Batch:
        # Reads for the whole batch in a few queries: revisions with their sites, one glossary
        # per site, one memory lookup per site, the corrections of the revisions before.
        found = self._store.revisions_to_translate([job.revision_id for job in jobs])
        documents: dict[int, SourceDocument] = {}
        sites: dict[int, int] = {}  # job id -> site id
        sources: dict[int, dict[str, None]] = {}  # site id -> sentences to look up (ordered)
        for job in jobs:
            if job.revision_id not in found:
                error = f"revision {job.revision_id} no longer exists"
                self._fail(job, error, retry=False, summary=summary)
                continue
            revision, site_id = found[job.revision_id]
            try:
                document = document_for(
                    title=revision.title, lead=revision.lead, body_html=revision.body_html
                )
            except WartaError as exc:
                self._fail(job, str(exc), retry=False, summary=summary)
                continue
            documents[job.id], sites[job.id] = document, site_id
            wanted = sources.setdefault(site_id, {})
            wanted.update(dict.fromkeys(s.html for s in document.segments if s.translate))
        glossaries = self._store.glossaries(list(sources))
        memories = {
            site_id: self._store.lookup_memory(
                site_id=site_id, source=SOURCE_LANG, target=lang, sources=list(wanted)
            )
            for site_id, wanted in sources.items()
        }
        earlier = self._store.corrections_before(
            [job.revision_id for job in jobs if job.id in documents], lang=lang
        )
        slugs = {site.id: site.slug for site in self._store.list_sites()} if sources else {}
        items = [
            WorkItem(
                key=job,
                document=documents[job.id],
                memory=memories[sites[job.id]],
                glossary=glossaries[sites[job.id]],
                fresh=job.fresh,
                earlier=earlier.get(job.revision_id, ()),
                site=slugs.get(sites[job.id]),
                title=found[job.revision_id][0].title,
            )
            for job in jobs
            if job.id in documents
        ]
        if not items:
            return _Batch(lang=lang, items=(), sites=sites)
        try:
            planned = plan_items(items, engine=engine, target=lang)
        except Exception as exc:  # noqa: BLE001 -- failed like an engine failure, in _land
            return _Batch(lang=lang, items=tuple(items), sites=sites, error=exc)
        future = pool.submit(run_engine, planned, engine=engine)
        return _Batch(lang=lang, items=tuple(items), sites=sites, planned=planned, future=future)

    def _land(self, batch: _Batch, summary: RunSummary) -> None:
        """Wait for the batch's engine call, then complete and record each edition."""
        if not batch.items:
            return
        try:
            outcomes = complete_items(
                *batch.result(), estimator=self._estimator, checks=self._checks
            )
        except ModelNotFoundError as exc:
            for item in batch.items:
                job = _job(item)
                self._queue.fail(job.id, worker=self.name, error=str(exc), retry=True)
            summary.skipped_no_model.add(batch.lang)
            return
        except Exception as exc:  # any engine failure fails the batch (logged below)
            log.exception("translation batch failed for %s", batch.lang)
            for item in batch.items:
                self._fail(_job(item), f"{type(exc).__name__}: {exc}", retry=True, summary=summary)
            return
        glossaries = {_job(item).id: item.glossary for item in batch.items}
        self._record(
            outcomes, lang=batch.lang, sites=batch.sites, glossaries=glossaries, summary=summary
        )

    def _record(
        self,
        outcomes: Sequence[Outcome],
        *,
        lang: Lang,
        sites: Mapping[int, int],
        summary: RunSummary,
        glossaries: Mapping[int, Glossary] | None = None,  # job id -> glossary it was planned with
    ) -> None:
        """Store the batch's editions in one transaction, then count and announce each.

        An outcome with segments no engine produced is not stored: its job fails (retried while
        attempts are left) or, held by monthly caps, its edition waits as pending with the reason.
        """
        for outcome in [o for o in outcomes if o.withheld]:
            self._withhold(outcome, summary=summary)
        outcomes = [o for o in outcomes if not o.withheld]
        finished = [
            Finished(
                job_id=job.id,
                site_id=sites[job.id],
                edition=Edition(
                    revision_id=job.revision_id,
                    lang=lang,
                    status=outcome.status,
                    reason=outcome.reason,
                    content=outcome.content,
                    segments=outcome.segments,
                    provenance=outcome.provenance,
                    quality=outcome.quality,
                ),
                memory=outcome.new_memory,
                fresh=job.fresh,  # a send-back or glossary change while it ran: a follow-up
                glossary=(glossaries or {}).get(job.id),
            )
            for outcome, job in ((o, _job_of(o.key)) for o in outcomes)
        ]
        lost = self._store.record_translations(finished, worker=self.name)
        for item, lease_lost in zip(finished, lost, strict=True):
            if lease_lost is not None:
                summary.lost_leases += 1
                log.warning("lease lost on job %s; result discarded", item.job_id)
                continue
            edition = item.edition
            if self._on_recorded is not None:
                try:
                    self._on_recorded(edition, item.site_id)
                except Exception:  # the edition is stored; a failed notification is only logged
                    log.exception("on_recorded hook failed for job %s", item.job_id)
            if edition.status is EditionStatus.NEEDS_REVIEW:
                summary.needs_review += 1
            else:
                summary.translated += 1
            summary.segments_translated += edition.translated_segments
            summary.segments_reused += edition.reused_segments
            summary.segments_flagged += sum(1 for s in edition.segments if s.flags)

    def _withhold(self, outcome: Outcome, *, summary: RunSummary) -> None:
        job = _job_of(outcome.key)
        log.warning("job %s not translated: %s", job.id, outcome.withheld)
        if not outcome.hold:
            self._fail(job, outcome.withheld, retry=True, summary=summary)
            return
        try:
            self._queue.fail(job.id, worker=self.name, error=outcome.withheld, retry=False)
        except LeaseLostError:
            summary.lost_leases += 1
            return
        summary.held += 1
        self._store.mark_editions(
            revision_id=job.revision_id,
            langs=[job.lang],
            status=EditionStatus.PENDING,
            reason=outcome.withheld,
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


@dataclass(frozen=True, slots=True)
class _Batch:
    """A claimed batch: its items, and its engine call (running) or the error that stopped it."""

    lang: Lang
    items: tuple[WorkItem, ...]
    sites: dict[int, int]  # job id -> site id
    planned: PlannedBatch | None = None
    future: Future[list[Hypothesis]] | None = None
    error: Exception | None = None

    def result(self) -> tuple[PlannedBatch, list[Hypothesis]]:
        """The planned batch and its engine's hypotheses; raises what stopped either."""
        if self.error is not None:
            raise self.error
        if self.planned is None or self.future is None:
            raise RuntimeError("a batch with items was started without an engine call")
        return self.planned, self.future.result()
