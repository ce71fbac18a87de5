"""Which job runs next: news before re-translations before backfill; sites take turns."""

from __future__ import annotations

from tests.dbfixtures import FakeClock, make_draft

from warta.domain import JobPriority, Site
from warta.languages import TARGET_LANGS, Lang
from warta.store.repository import Store
from warta.workers.queue import SqlJobQueue

LEASE = 30


def test_news_of_a_small_site_is_not_held_back_by_a_big_sites_backlog_and_archive(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    # Site A: an archive import of 50 backfill jobs, then 20 news jobs (4 articles x 5 langs).
    backfill = set()
    for n in range(10):
        revision = store.save_article(make_draft(f"arsip-{n}"), targets=()).revision
        for lang in TARGET_LANGS:
            job = queue.enqueue(revision_id=revision.id, lang=lang, priority=JobPriority.BACKFILL)
            assert (job.priority, job.site_id) == (JobPriority.BACKFILL, site.id)
            backfill.add(job.id)
        clock.advance(1)
    news_a = {
        j.id
        for n in range(4)
        for j in store.save_article(make_draft(f"berita-{n}"), targets=TARGET_LANGS).jobs
    }
    clock.advance(1)
    # Site B, later: 3 news jobs.
    store.create_site(slug="kecil", name="Situs Kecil")
    news_b = [
        j.id
        for j in store.save_article(
            make_draft("kecil-1", site="kecil"), targets=(Lang.EN, Lang.ZH, Lang.AR)
        ).jobs
    ]
    assert (len(backfill), len(news_a)) == (50, 20)

    order = []
    while claimed := queue.claim(worker="w", limit=4, lease_seconds=LEASE):
        order += [j.id for j in claimed]

    assert sorted(order) == sorted(backfill | news_a | set(news_b))  # each once
    assert set(order[:23]) == news_a | set(news_b)  # every news job before any backfill job
    assert set(news_b) <= set(order[:6])  # sites take turns: A, B, A, B, A, B
    assert order[1] == news_b[0]


def test_claims_of_one_language_follow_priority_and_turns_too(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    old = store.save_article(make_draft("lama"), targets=()).revision
    backfill = queue.enqueue(revision_id=old.id, lang=Lang.JA, priority=JobPriority.BACKFILL)
    clock.advance(1)
    redo = store.save_article(make_draft("ulang"), targets=()).revision
    again = queue.enqueue(revision_id=redo.id, lang=Lang.JA, priority=JobPriority.RETRANSLATE)
    clock.advance(1)
    [news] = store.save_article(make_draft("baru"), targets=(Lang.JA,)).jobs

    claimed = queue.claim(worker="w", limit=3, lease_seconds=LEASE, lang=Lang.JA)

    assert [j.id for j in claimed] == [news.id, again.id, backfill.id]


def test_enqueueing_an_active_job_more_urgently_raises_it_and_never_lowers_it(
    queue: SqlJobQueue, store: Store, site: Site
) -> None:
    revision = store.save_article(make_draft(), targets=()).revision
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN, priority=JobPriority.BACKFILL)

    raised = queue.enqueue(revision_id=revision.id, lang=Lang.EN, priority=JobPriority.NEWS)
    kept = queue.enqueue(revision_id=revision.id, lang=Lang.EN, priority=JobPriority.BACKFILL)

    assert raised.id == kept.id == job.id
    assert (raised.priority, kept.priority) == (JobPriority.NEWS, JobPriority.NEWS)


def test_pending_langs_puts_the_language_with_the_most_urgent_job_first(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    old = store.save_article(make_draft("lama"), targets=()).revision
    queue.enqueue(revision_id=old.id, lang=Lang.FR, priority=JobPriority.BACKFILL)
    clock.advance(1)
    store.save_article(make_draft("baru"), targets=(Lang.AR,))  # news, but newer

    assert queue.pending_langs() == [Lang.AR, Lang.FR]


def test_a_new_revisions_jobs_know_their_site(queue: SqlJobQueue, store: Store, site: Site) -> None:
    saved = store.save_article(make_draft(), targets=(Lang.EN, Lang.FR))
    assert {(j.site_id, j.priority) for j in saved.jobs} == {(site.id, JobPriority.NEWS)}
    assert {queue.get(j.id).site_id for j in saved.jobs} == {site.id}
