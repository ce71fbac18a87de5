"""The job row as the webhook events' outbox: events written once, after the edition, never lost.

A "crash" between the edition's commit and its announcement is a worker that records without
announcing (a plain :class:`Worker`, or :meth:`Store.record_translations` called directly): the
job is done and owes its events, and the next announcer (the worker's hook, or the dispatcher's
sweep) writes them. Deliveries go to a real HTTP receiver on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import pytest
import sqlalchemy
from click.testing import CliRunner
from sqlalchemy import select
from tests.dbfixtures import FakeClock, make_draft, make_edition
from tests.integrations.fixtures import TEST_LIMITS
from tests.integrations.servers import Receiver, receiving

from warta.commands._context import AppContext
from warta.commands.integrations import COMMANDS
from warta.config import Settings
from warta.domain import EditionStatus, JobStatus, PublishingPolicy, Site
from warta.engines.fake import FakeEngine
from warta.integrations import Integrations, build_integrations
from warta.integrations.announce import Announcer
from warta.integrations.webhooks import WebhookDispatcher, WebhookEvent
from warta.languages import Lang
from warta.services import Services, build_services
from warta.store.records import Finished
from warta.store.session import make_engine
from warta.store.tables import JobRow
from warta.store.webhooks import OutboxItem, OutboxStatus, WebhookStore
from warta.workers.runner import Worker

SECRET = "whsec_outbox-test"  # noqa: S105 -- a test webhook's secret
ALL_EVENTS = tuple(e.value for e in WebhookEvent)


def _hook(integrations: Integrations, site: Site, url: str = "http://127.0.0.1:9/unused") -> int:
    return integrations.webhooks.add(site_id=site.id, url=url, secret=SECRET, events=ALL_EVENTS).id


def _crashed_worker(services: Services) -> None:
    """Translate every queued job and record it, announcing nothing (died before the hook)."""
    Worker(
        store=services.store,
        queue=services.queue,
        engine=FakeEngine,
        targets=services.settings.targets,
        name="crashed",
    ).run_until_idle()


def _record(services: Services, external_id: str, *, status: EditionStatus) -> int:
    """Claim the English job of a new article and record its edition as a worker would."""
    saved = services.store.save_article(make_draft(external_id), targets=[Lang.EN])
    (job,) = services.queue.claim(worker="w", limit=1, lease_seconds=60, lang=Lang.EN)
    edition = make_edition(saved.revision.id, Lang.EN, status=status)
    (lost,) = services.store.record_translations(
        [Finished(job_id=job.id, site_id=saved.article.site_id, edition=edition, memory=())],
        worker="w",
    )
    assert lost is None
    return saved.revision.id


def _jobs(engine: sqlalchemy.Engine) -> list[tuple[int, str, bool]]:
    """(job id, status, announced) of every job."""
    with engine.connect() as conn:
        rows = conn.execute(select(JobRow.id, JobRow.status, JobRow.announced_at).order_by("id"))
        return [(job_id, status, announced is not None) for job_id, status, announced in rows]


def _events(items: list[OutboxItem]) -> list[tuple[str, Any]]:
    """(type, data) of outbox rows: what an event says, without its id and time."""
    return [(i.event, json.loads(i.body)["data"]) for i in items]


@pytest.mark.parametrize(
    ("status", "policy", "expected"),
    [
        # auto: a first translation is published, and announced as such after it
        (
            EditionStatus.TRANSLATED,
            PublishingPolicy.AUTO,
            ["edition.translated", "edition.published"],
        ),
        # clean: a flagged sentence holds it back, so no edition.published
        (EditionStatus.NEEDS_REVIEW, PublishingPolicy.CLEAN, ["edition.flagged"]),
        # approval: published only when an editor approves (announced then, by the desk)
        (EditionStatus.TRANSLATED, PublishingPolicy.APPROVAL, ["edition.translated"]),
    ],
)
def test_a_job_recorded_but_never_announced_gets_the_events_recorded_would_have_written(
    services: Services,
    integrations: Integrations,
    site: Site,
    status: EditionStatus,
    policy: PublishingPolicy,
    expected: list[str],
) -> None:
    hook = _hook(integrations, site)
    integrations.policies.set_policy(site_id=site.id, lang=Lang.EN, policy=policy, actor="test")
    revision_id = _record(services, "berita-1", status=status)
    assert integrations.webhooks.outbox(webhook_id=hook) == []  # the "crash": nothing written
    assert integrations.announcer.pending()

    assert integrations.announcer.announce_pending() == 1

    announced = integrations.webhooks.outbox(webhook_id=hook)
    assert [i.event for i in announced] == expected
    # the same edition through the per-edition path: the very same events (ids and times aside)
    integrations.events.recorded(revision_id=revision_id, lang=Lang.EN)
    again = integrations.webhooks.outbox(webhook_id=hook)[len(announced) :]
    assert _events(announced) == _events(again)
    assert _events(announced)[0][1]["edition"]["status"] == status.value
    assert len({i.event_id for i in announced}) == len(announced)
    assert not integrations.announcer.pending()


def test_announcing_twice_writes_nothing_the_second_time(
    services: Services, integrations: Integrations, site: Site
) -> None:
    hook = _hook(integrations, site)
    services.store.save_article(make_draft("berita-1"), targets=[Lang.EN, Lang.JA])
    _crashed_worker(services)
    assert integrations.announcer.announce_pending() == 2
    written = integrations.webhooks.outbox(webhook_id=hook)
    assert integrations.announcer.announce_pending() == 0
    assert integrations.webhooks.outbox(webhook_id=hook) == written
    assert sorted(i.event for i in written) == sorted(
        ["edition.translated", "edition.published"] * 2
    )
    assert [(status, announced) for _, status, announced in _jobs(services.db)] == [
        (JobStatus.DONE.value, True),
        (JobStatus.DONE.value, True),
    ]


def test_a_site_without_webhooks_gets_its_jobs_marked_announced_and_no_events(
    services: Services, integrations: Integrations, site: Site, other_site: Site
) -> None:
    hook = _hook(integrations, other_site)  # another site listens; this one does not
    disabled = _hook(integrations, site)
    integrations.webhooks.disable(disabled)
    services.store.save_article(make_draft("berita-1"), targets=[Lang.EN, Lang.FR])
    _crashed_worker(services)
    assert [announced for _, _, announced in _jobs(services.db)] == [False, False]

    assert integrations.announcer.announce_pending() == 2

    assert [announced for _, _, announced in _jobs(services.db)] == [True, True]
    assert integrations.webhooks.outbox(webhook_id=disabled) == []
    assert integrations.webhooks.outbox(webhook_id=hook) == []
    assert not integrations.announcer.pending()


def test_only_done_jobs_owe_events(
    services: Services, integrations: Integrations, site: Site
) -> None:
    _hook(integrations, site)
    services.store.save_article(make_draft("berita-1"), targets=[Lang.EN])  # queued
    services.store.save_article(make_draft("berita-2"), targets=[Lang.JA])
    services.queue.claim(worker="w", limit=1, lease_seconds=60, lang=Lang.JA)  # running
    assert not integrations.announcer.pending()
    assert integrations.announcer.announce_pending() == 0
    assert [announced for _, _, announced in _jobs(services.db)] == [False, False]


def test_two_announcers_racing_write_each_jobs_events_exactly_once(
    services: Services, integrations: Integrations, site: Site, engine: sqlalchemy.Engine
) -> None:
    hook = _hook(integrations, site)
    for n in range(4):
        services.store.save_article(
            make_draft(f"berita-{n}", body_html=f"<p>Hujan deras sejak pagi ke-{n}.</p>"),
            targets=list(services.settings.targets),
        )
    _crashed_worker(services)
    jobs = len(_jobs(engine))
    assert jobs == 4 * len(services.settings.targets)

    start = threading.Barrier(2)
    marked: list[int] = []
    errors: list[BaseException] = []

    def announce(announcer: Announcer) -> None:
        try:
            start.wait(timeout=30)
            while count := announcer.announce_pending(limit=3):
                marked.append(count)
        except BaseException as exc:  # noqa: BLE001 -- reported by the test thread
            errors.append(exc)

    threads = [
        threading.Thread(
            target=announce, args=(Announcer(engine, clock=integrations.webhooks.clock),)
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(marked) == jobs  # every job marked by exactly one of them
    assert all(announced for _, _, announced in _jobs(engine))
    items = integrations.webhooks.outbox(webhook_id=hook)
    # each job: edition.translated and edition.published once (auto policy), nothing twice
    per_edition: dict[tuple[str, str, str], int] = {}
    for item in items:
        data = json.loads(item.body)["data"]
        key = (item.event, data["article"]["external_id"], data["edition"]["lang"])
        per_edition[key] = per_edition.get(key, 0) + 1
    assert len(items) == 2 * jobs
    assert set(per_edition.values()) == {1}
    assert len({i.event_id for i in items}) == len(items)


def test_the_worker_announces_and_the_dispatcher_delivers_each_event_exactly_once(
    services: Services, site: Site
) -> None:
    # The worker's announcer runs on the real clock, so does this dispatcher's store.
    live = build_integrations(services, limits=TEST_LIMITS)
    with receiving(Receiver()) as receiver:
        hook = _hook(live, site, receiver.base_url + "/in")
        for n in range(2):
            services.store.save_article(
                make_draft(f"berita-{n}", body_html=f"<p>Harga beras naik ke-{n}.</p>"),
                targets=[Lang.EN, Lang.JA],
            )
        summary = services.worker(name="w", engine=FakeEngine, jobs_per_batch=3).run_until_idle()
        assert summary.editions == 4
        # announced by the worker itself, before any dispatcher ran
        assert all(announced for _, _, announced in _jobs(services.db))
        items = live.webhooks.outbox(webhook_id=hook)
        with live.http_client(follow_redirects=False) as http:
            dispatcher = live.dispatcher(http)
            first = dispatcher.deliver_due()
            second = dispatcher.deliver_due()
    # one translated/updated/flagged event per edition, and edition.published where published
    per_edition = [
        (
            json.loads(i.body)["data"]["article"]["external_id"],
            json.loads(i.body)["data"]["edition"]["lang"],
        )
        for i in items
        if i.event != WebhookEvent.PUBLISHED.value
    ]
    assert sorted(per_edition) == sorted(
        (f"berita-{n}", lang) for n in range(2) for lang in ("en", "ja")
    )
    assert (first.announced, first.delivered, first.retrying, first.failed) == (0, len(items), 0, 0)
    assert (second.announced, second.sent) == (0, 0)
    ids = [json.loads(r.body)["id"] for r in receiver.requests]
    assert sorted(ids) == sorted(i.event_id for i in items)  # every event, each once
    assert [r.headers["x-warta-delivery"] for r in receiver.requests] == ids
    assert all(i.status is OutboxStatus.DELIVERED for i in live.webhooks.outbox(webhook_id=hook))


def test_the_dispatcher_sweeps_up_what_a_crashed_worker_left(
    services: Services, site: Site
) -> None:
    live = build_integrations(services, limits=TEST_LIMITS)
    with receiving(Receiver()) as receiver:
        _hook(live, site, receiver.base_url + "/in")
        services.store.save_article(make_draft("berita-1"), targets=[Lang.EN])
        _crashed_worker(services)
        with live.http_client(follow_redirects=False) as http:
            report = live.dispatcher(http).deliver_due()
            again = live.dispatcher(http).deliver_due()
    assert report.announced == 1
    assert report.delivered == len(receiver.requests) >= 1
    assert (again.announced, again.sent) == (0, 0)
    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert types[0] in ("edition.translated", "edition.flagged")


# --- delivery: one send per claim, at least once across restarts ---------------------------------


def _emit(integrations: Integrations, site: Site, n: int) -> list[str]:
    return [
        integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={"n": i}
        )[0].event_id
        for i in range(n)
    ]


def _sent_ids(receiver: Receiver) -> list[str]:
    return [json.loads(r.body)["id"] for r in receiver.requests]


def test_a_restarted_dispatcher_resends_only_events_not_recorded_delivered(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    with receiving(Receiver()) as receiver:
        _hook(integrations, site, receiver.base_url + "/in")
        first, second = _emit(integrations, site, 2)
        with integrations.http_client(follow_redirects=False) as http:
            assert integrations.dispatcher(http).deliver_due(limit=1).delivered == 1
            # a dispatcher claims the second event and dies before recording any answer
            assert len(integrations.webhooks.claim_due(limit=10, lease_seconds=120)) == 1
            assert integrations.dispatcher(http).deliver_due().sent == 0  # leased by the dead one
            clock.advance(121)  # its lease runs out: the new process sends what is not delivered
            assert integrations.dispatcher(http).deliver_due().delivered == 1
            assert integrations.dispatcher(http).deliver_due().sent == 0
    assert _sent_ids(receiver) == [first, second]


class _StallingStore(WebhookStore):
    """A dispatcher's store whose process stalls (GC pause, SIGSTOP) after recording its first
    attempt, for longer than the lease; meanwhile ``meanwhile`` runs (another dispatcher)."""

    def __init__(self, engine: sqlalchemy.Engine, *, clock: FakeClock, meanwhile: Any) -> None:
        super().__init__(engine, clock=clock)
        self._fake = clock
        self._meanwhile = meanwhile
        self.stalled = False

    def record_attempt(self, outbox_id: int, **kwargs: Any) -> OutboxItem:
        item = super().record_attempt(outbox_id, **kwargs)
        if not self.stalled:
            self.stalled = True
            self._fake.advance(200)
            self._meanwhile()
        return item


def test_an_event_another_dispatcher_claimed_after_the_lease_ran_out_is_not_sent_again(
    integrations: Integrations, site: Site, clock: FakeClock, engine: sqlalchemy.Engine
) -> None:
    with (
        receiving(Receiver()) as receiver,
        integrations.http_client(follow_redirects=False) as http,
    ):
        _hook(integrations, site, receiver.base_url + "/in")
        first, second = _emit(integrations, site, 2)
        other = integrations.dispatcher(http)
        reports = []
        stalling = _StallingStore(
            engine, clock=clock, meanwhile=lambda: reports.append(other.deliver_due())
        )
        slow = WebhookDispatcher(
            stalling, http, lease_seconds=120, timer=lambda: clock.now.timestamp()
        )
        report = slow.deliver_due()
    (meanwhile,) = reports
    assert (report.delivered, report.taken_over) == (1, 1)
    assert meanwhile.delivered == 1
    assert _sent_ids(receiver) == [first, second]  # each once


def test_a_late_failed_attempt_neither_reschedules_nor_fails_an_event_taken_over_or_delivered(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    hook = _hook(integrations, site)
    _emit(integrations, site, 1)
    store = integrations.webhooks
    ((mine, _),) = store.claim_due(limit=1, lease_seconds=60)
    clock.advance(61)
    ((theirs, _),) = store.claim_due(limit=1, lease_seconds=60)
    assert mine.next_attempt_at is not None
    assert theirs.next_attempt_at is not None
    assert store.hold(mine.id, lease=mine.next_attempt_at, lease_seconds=60) is None

    def fail(lease: datetime | None) -> OutboxItem:
        return store.record_attempt(
            mine.id,
            status_code=500,
            error="HTTP 500",
            duration_ms=1,
            delivered=False,
            retry_at=None,
            lease=lease,
        )

    late = fail(mine.next_attempt_at)
    assert (late.status, late.next_attempt_at) == (OutboxStatus.PENDING, theirs.next_attempt_at)
    done = store.record_attempt(
        theirs.id,
        status_code=200,
        error="",
        duration_ms=1,
        delivered=True,
        retry_at=None,
        lease=theirs.next_attempt_at,
    )
    assert done.status is OutboxStatus.DELIVERED
    assert fail(None).status is OutboxStatus.DELIVERED  # a delivered event stays delivered
    assert [d.attempt for d in store.deliveries(webhook_id=hook)] == [3, 2, 1]  # all logged


def test_webhooks_deliver_command_announces_and_sends_what_a_crashed_worker_left(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path / "home", default_site="kabar", targets=(Lang.EN,))

    @click.group()
    @click.pass_context
    def warta(ctx: click.Context) -> None:
        app = AppContext(settings)
        ctx.obj = app
        ctx.call_on_close(app.close)

    for command in COMMANDS:
        warta.add_command(command)
    with receiving(Receiver()) as receiver:
        services = build_services(settings)
        try:
            site = services.store.create_site(slug="kabar", name="Kabar")
            _hook(build_integrations(services), site, receiver.base_url + "/in")
            services.store.save_article(make_draft("berita-1"), targets=[Lang.EN])
            _crashed_worker(services)
        finally:
            services.close()
        args = ["webhooks", "deliver", "--allow-private-networks"]
        result = CliRunner().invoke(warta, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        again = CliRunner().invoke(warta, args, catch_exceptions=False)
    assert "1 translated edition(s) announced" in result.stderr
    assert f"{len(receiver.requests)} delivered, 0 to retry" in result.stderr
    assert len(receiver.requests) >= 1
    assert "announced" not in again.stderr
    assert "0 delivered" in again.stderr


def test_a_database_failure_while_announcing_does_not_stop_deliveries_nor_lose_events(
    services: Services, integrations: Integrations, site: Site, tmp_path: Path
) -> None:
    unreachable = make_engine(f"sqlite:///{tmp_path / 'missing' / 'warta.db'}")
    broken = Announcer(unreachable, clock=integrations.webhooks.clock)
    with receiving(Receiver()) as receiver:
        _hook(integrations, site, receiver.base_url + "/in")
        (due,) = _emit(integrations, site, 1)
        services.store.save_article(make_draft("berita-1"), targets=[Lang.EN])
        _crashed_worker(services)
        with integrations.http_client(follow_redirects=False) as http:
            failing = WebhookDispatcher(
                integrations.webhooks, http, announce=broken.announce_pending
            )
            report = failing.deliver_due()
            assert (report.announced, report.delivered) == (0, 1)  # what was due still went out
            assert integrations.announcer.pending()  # the job still owes its events
            later = integrations.dispatcher(http).deliver_due()
    unreachable.dispose()
    assert later.announced == 1
    assert later.delivered == len(receiver.requests) - 1 >= 1
    assert _sent_ids(receiver)[0] == due
