"""Claim -> translate -> record: the worker loop, the same for the in-process worker and Celery.

A worker claims up to ``jobs_per_batch`` queued jobs of one target language, translates all their
new segments in one engine call, and records each edition in the same transaction that completes
its job (and checks the lease: a worker that lost its lease writes nothing).

While it holds jobs, a thread renews their leases (:class:`~warta.workers.heartbeat.LeaseKeeper`),
so leases can be short and a killed worker's jobs are taken over quickly. A job's own error is
classified (:mod:`warta.workers.classify`): transient ones are retried with backoff, permanent
ones dead-lettered. :meth:`Worker.stop` stops it gracefully: it records the batch in the engine
and gives back what it had not started.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from structlog.contextvars import bound_contextvars

from warta.domain import Edition, EditionStatus, Glossary, Job, JobErrorKind, JobStatus
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
from warta.store.clock import Clock, utcnow
from warta.store.records import Finished
from warta.store.repository import Store
from warta.text import SourceDocument
from warta.workers.classify import classify, describe
from warta.workers.heartbeat import LeaseKeeper
from warta.workers.observe import WorkerObserver
from warta.workers.queue import JobQueue

log = logging.getLogger(__name__)

FIRST_BATCH = 8  # jobs in the first batch of a run, while the engine waits for it


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
    retried: int = 0  # jobs sent back to the queue after a transient error (backoff)
    released: int = 0  # jobs given back unstarted by a graceful stop (no attempt used)

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
        lease_seconds: int = 30,
        jobs_per_batch: int = 16,
        estimator: QualityEstimator | None = None,
        checks: Sequence[QualityCheck] = (),
        on_recorded: Callable[[Edition, int], object] | None = None,
        observer: WorkerObserver | None = None,
        clock: Clock = utcnow,
        heartbeat_interval: float | None = None,
    ) -> None:
        """``lease_seconds``: the lease on claimed jobs, renewed every ``heartbeat_interval``
        seconds (default: a third of it) while they are held. How often a job may fail is the
        queue's ``max_attempts``. ``clock``: for the publish-to-edition latency reported to
        ``observer``."""
        self._store = store
        self._queue = queue
        self._engine = engine
        self._targets = tuple(targets)
        self.name = name or default_worker_name()
        self._lease = lease_seconds
        self._heartbeat_interval = heartbeat_interval
        self._batch = jobs_per_batch
        self._estimator = estimator
        self._on_recorded = on_recorded
        self._observer = observer
        self._clock = clock
        self._checks = tuple(checks)
        self._stop_requested = False

    def stop(self) -> None:
        """Stop gracefully: launch no new batch, record the one in hand, release the rest.

        Thread-safe and callable from a signal handler (it only sets a flag). ``run`` returns
        once the batch whose engine call has started is recorded; a claimed batch that had not
        started is given back to the queue with no attempt used. Later runs return at once.
        """
        self._stop_requested = True

    @property
    def stopping(self) -> bool:
        return self._stop_requested

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
        unavailable: set[Lang] = set()  # languages whose model went missing during this run
        keeper = LeaseKeeper(
            queue=self._queue,
            worker=self.name,
            lease_seconds=self._lease,
            interval=self._heartbeat_interval,
        )
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="warta-engine") as pool,
            keeper,
        ):
            running: _Batch | None = None
            while True:
                upcoming: _Batch | None = None
                if not self._stop_requested and (max_batches is None or launched < max_batches):
                    # With the engine idle, a small batch first: it starts decoding sooner (the
                    # engine waits for this thread to claim and plan it); then full batches.
                    limit = self._batch if running is not None else min(self._batch, FIRST_BATCH)
                    upcoming = self._launch(
                        pool,
                        summary,
                        lang=lang,
                        keeper=keeper,
                        unavailable=unavailable,
                        limit=limit,
                    )
                    launched += upcoming is not None
                if running is not None:
                    try:
                        self._land(running, summary, unavailable=unavailable)
                    finally:
                        keeper.drop(running.job_ids)
                    if progress is not None:
                        progress(summary)
                if upcoming is None:
                    return summary
                if self._stop_requested:
                    upcoming.cancel()  # not started yet: landing it gives its jobs back
                running = upcoming

    def _launch(
        self,
        pool: ThreadPoolExecutor,
        summary: RunSummary,
        *,
        lang: Lang | None,
        keeper: LeaseKeeper,
        unavailable: set[Lang],
        limit: int,
    ) -> _Batch | None:
        """Claim the next batch (up to ``limit`` jobs), plan it and start its engine call; None
        when nothing is left."""
        engine = self._engine()
        pending = self._queue.pending_langs()
        for target in pending if lang is None else [x for x in pending if x is lang]:
            if target in unavailable:
                continue
            if not engine.supports(source=SOURCE_LANG, target=target):
                if target not in summary.skipped_no_model:
                    summary.skipped_no_model.add(target)
                    self._mark_waiting_for_model(target)
                continue
            jobs = self._queue.claim(
                worker=self.name,
                limit=limit,
                lease_seconds=self._lease,
                lang=target,
                exclude=keeper.held,  # in hand: never taken over by this worker itself
            )
            if jobs:
                keeper.hold(job.id for job in jobs)
                summary.batches += 1
                try:
                    return self._start(jobs, lang=target, engine=engine, pool=pool, summary=summary)
                except BaseException:  # the jobs stay leased: taken over once the lease expires
                    keeper.drop(job.id for job in jobs)
                    raise
        return None

    def _mark_waiting_for_model(self, lang: Lang) -> None:
        """Say why the editions queued for ``lang`` wait: one UPDATE, no scan of the editions."""
        self._queue.note_waiting(lang, reason=no_model_reason(lang))

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
        facts: dict[int, _Facts] = {}  # job id -> what its log lines and metrics name
        sources: dict[int, dict[str, None]] = {}  # site id -> sentences to look up (ordered)
        for job in jobs:
            if job.revision_id not in found:
                error = f"revision {job.revision_id} no longer exists"
                self._fail(job, error, kind=JobErrorKind.PERMANENT, summary=summary)
                continue
            revision, site_id = found[job.revision_id]
            facts[job.id] = _Facts(
                site_id=site_id, article_id=revision.article_id, published=revision.created_at
            )
            try:
                document = document_for(
                    title=revision.title, lead=revision.lead, body_html=revision.body_html
                )
            except WartaError as exc:  # the source cannot be read: it will not get better
                with self._bound(job, facts):
                    self._fail(job, str(exc), kind=classify(exc), summary=summary)
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
        ids = tuple(job.id for job in jobs)
        if not items:
            return _Batch(lang=lang, items=(), sites=sites, job_ids=ids, facts=facts)
        try:
            planned = plan_items(items, engine=engine, target=lang)
        except Exception as exc:  # noqa: BLE001 -- failed like an engine failure, in _land
            return _Batch(
                lang=lang, items=tuple(items), sites=sites, job_ids=ids, facts=facts, error=exc
            )
        future = pool.submit(self._run_engine, planned, engine)
        return _Batch(
            lang=lang,
            items=tuple(items),
            sites=sites,
            job_ids=ids,
            facts=facts,
            planned=planned,
            future=future,
        )

    def _run_engine(self, planned: PlannedBatch, engine: Engine) -> list[Hypothesis]:
        """The engine call (on the engine thread), unless the worker was stopped before it."""
        if self._stop_requested:
            raise _NotStarted
        return run_engine(planned, engine=engine)

    def _land(self, batch: _Batch, summary: RunSummary, *, unavailable: set[Lang]) -> None:
        """Wait for the batch's engine call, then complete and record each edition.

        A batch whose engine call never started (the worker was stopped) is given back.
        """
        if not batch.items:
            return
        try:
            outcomes = complete_items(
                *batch.result(), estimator=self._estimator, checks=self._checks
            )
        except (CancelledError, _NotStarted):
            released = self._queue.release(batch.job_ids, worker=self.name)
            summary.released += released
            log.info("stopping: gave back %s job(s) of %s not started", released, batch.lang)
            return
        except Exception as exc:  # any engine failure fails the batch (logged below)
            kind = classify(exc)
            if isinstance(exc, ModelNotFoundError):  # no more batches of it in this run
                log.warning("no model for %s: %s", batch.lang, exc)
                summary.skipped_no_model.add(batch.lang)
                unavailable.add(batch.lang)
            else:
                log.exception("translation batch failed for %s (%s)", batch.lang, kind.value)
            self._notify("batch_failed", lambda o: o.batch_failed(lang=batch.lang, error_kind=kind))
            for item in batch.items:
                job = _job(item)
                with self._bound(job, batch.facts):
                    self._fail(job, describe(exc), kind=kind, summary=summary)
            return
        glossaries = {_job(item).id: item.glossary for item in batch.items}
        self._record(
            outcomes,
            lang=batch.lang,
            sites=batch.sites,
            glossaries=glossaries,
            summary=summary,
            facts=batch.facts,
        )

    def _record(
        self,
        outcomes: Sequence[Outcome],
        *,
        lang: Lang,
        sites: Mapping[int, int],
        summary: RunSummary,
        glossaries: Mapping[int, Glossary] | None = None,  # job id -> glossary it was planned with
        facts: Mapping[int, _Facts] | None = None,
    ) -> None:
        """Store the batch's editions in one transaction, then count and announce each.

        An outcome with segments no engine produced is not stored: its job fails (retried while
        attempts are left) or, held by monthly caps, its edition waits as pending with the reason.
        """
        facts = facts or {}
        for outcome in [o for o in outcomes if o.withheld]:
            with self._bound(_job_of(outcome.key), facts):
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
        jobs = {_job_of(o.key).id: _job_of(o.key) for o in outcomes}
        lost = self._store.record_translations(finished, worker=self.name)
        now = self._clock()
        for item, lease_lost in zip(finished, lost, strict=True):
            with self._bound(jobs[item.job_id], facts):
                self._recorded(item, lease_lost, facts.get(item.job_id), now=now, summary=summary)

    def _recorded(
        self,
        item: Finished,
        lease_lost: LeaseLostError | None,
        facts: _Facts | None,
        *,
        now: datetime,
        summary: RunSummary,
    ) -> None:
        """Count and announce one edition of a recorded batch (or its lost lease)."""
        if lease_lost is not None:
            summary.lost_leases += 1
            log.warning("lease lost on job %s; result discarded", item.job_id)
            return
        edition = item.edition
        log.info("recorded %s edition of revision %s", edition.lang, edition.revision_id)
        if self._on_recorded is not None:
            try:
                self._on_recorded(edition, item.site_id)
            except Exception:  # the edition is stored; a failed notification is only logged
                log.exception("on_recorded hook failed for job %s", item.job_id)
        latency = (
            (now - facts.published).total_seconds()
            if facts is not None and facts.published is not None
            else None
        )
        self._notify(
            "edition_recorded",
            lambda o: o.edition_recorded(
                lang=edition.lang,
                site_id=item.site_id,
                segments_translated=edition.translated_segments,
                latency_seconds=latency,
            ),
        )
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
        if not outcome.hold:  # engines failed on some segments: a passing failure
            self._fail(job, outcome.withheld, kind=JobErrorKind.TRANSIENT, summary=summary)
            return
        try:  # held by monthly caps: the job ends, its edition waits (pending) with the reason
            self._queue.fail(
                job.id, worker=self.name, error=outcome.withheld, kind=JobErrorKind.PERMANENT
            )
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

    def _fail(self, job: Job, error: str, *, kind: JobErrorKind, summary: RunSummary) -> None:
        """The job's own error: an attempt used; retried later or dead-lettered (the queue
        marks its edition FAILED with the reason in the same transaction)."""
        try:
            failed = self._queue.fail(job.id, worker=self.name, error=error, kind=kind)
        except LeaseLostError:
            summary.lost_leases += 1
            return
        if failed.status is JobStatus.FAILED:
            summary.failed += 1
            log.warning("job %s dead-lettered (%s): %s", job.id, kind.value, error)
        else:
            summary.retried += 1
            log.info(
                "job %s failed (%s), retried at %s: %s",
                job.id,
                kind.value,
                failed.next_attempt_at,
                error,
            )

    def _notify(self, what: str, call: Callable[[WorkerObserver], object]) -> None:
        if self._observer is None:
            return
        try:
            call(self._observer)
        except Exception:  # metrics must never stop the work
            log.exception("worker observer failed on %s", what)

    @contextmanager
    def _bound(self, job: Job, facts: Mapping[int, _Facts]) -> Iterator[None]:
        """structlog context (site, article, revision, job, lang) for one job's log lines."""
        known = facts.get(job.id)
        with bound_contextvars(
            site=known.site_id if known else job.site_id,
            article=known.article_id if known else None,
            revision=job.revision_id,
            job=job.id,
            lang=job.lang.value,
            worker=self.name,
        ):
            yield


def _job(item: WorkItem) -> Job:
    return _job_of(item.key)


def _job_of(key: object) -> Job:
    assert isinstance(key, Job)  # noqa: S101 -- work item keys are the claimed jobs (_run_batch)
    return key


class _NotStarted(Exception):
    """The worker was stopped before the batch's engine call began."""


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a job's log lines and metrics name, read with its revision."""

    site_id: int
    article_id: int
    published: datetime | None  # the revision's created_at: latency is measured from it


@dataclass(frozen=True, slots=True)
class _Batch:
    """A claimed batch: its items, and its engine call (running) or the error that stopped it."""

    lang: Lang
    items: tuple[WorkItem, ...]
    sites: dict[int, int]  # job id -> site id
    job_ids: tuple[int, ...] = ()  # every job claimed for it (also those failed when planned)
    facts: dict[int, _Facts] = field(default_factory=dict)  # job id -> its facts
    planned: PlannedBatch | None = None
    future: Future[list[Hypothesis]] | None = None
    error: Exception | None = None

    def cancel(self) -> None:
        """Cancel the engine call if it has not started (landing the batch then releases it)."""
        if self.future is not None:
            self.future.cancel()

    def result(self) -> tuple[PlannedBatch, list[Hypothesis]]:
        """The planned batch and its engine's hypotheses; raises what stopped either."""
        if self.error is not None:
            raise self.error
        if self.planned is None or self.future is None:
            raise RuntimeError("a batch with items was started without an engine call")
        return self.planned, self.future.result()
