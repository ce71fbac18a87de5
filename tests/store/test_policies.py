"""Publishing policies, editors' decisions, the batched "published" reads, the review queue and
the cache versions they move, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy
from tests.dbfixtures import FakeClock, make_draft, make_edition

from warta.domain import EditionStatus, PublishingPolicy, SegmentTranslation, Site
from warta.errors import FieldError, NotFoundError
from warta.languages import TARGET_LANGS, Lang
from warta.publishing import Decision, Hold
from warta.store.approvals import ApprovalStore
from warta.store.audit import AuditStore
from warta.store.changes import ArticleQueries, QueueFilter, QueueOrder, QueueStatus
from warta.store.policies import PolicyStore
from warta.store.repository import Store

EN, JA, FR = Lang.EN, Lang.JA, Lang.FR


@pytest.fixture
def policies(engine: sqlalchemy.Engine, clock: FakeClock) -> PolicyStore:
    return PolicyStore(engine, clock=clock)


@pytest.fixture
def approvals(engine: sqlalchemy.Engine, clock: FakeClock) -> ApprovalStore:
    return ApprovalStore(engine, clock=clock)


@pytest.fixture
def queries(engine: sqlalchemy.Engine, clock: FakeClock) -> ArticleQueries:
    return ArticleQueries(engine, clock=clock)


def _flag(
    segments: tuple[SegmentTranslation, ...], *indexes: int
) -> tuple[SegmentTranslation, ...]:
    return tuple(
        dataclasses.replace(s, flags=("number_missing",)) if s.index in indexes else s
        for s in segments
    )


def _article(store: Store, external_id: str, *, site: str = "kabar") -> tuple[int, int]:
    saved = store.save_article(make_draft(external_id, site=site), targets=TARGET_LANGS)
    return saved.article.id, saved.revision.id


def test_every_target_language_is_auto_until_a_policy_is_set_with_its_audit_entry(
    policies: PolicyStore, engine: sqlalchemy.Engine, site: Site
) -> None:
    assert policies.policies(site.id) == dict.fromkeys(TARGET_LANGS, PublishingPolicy.AUTO)
    change = policies.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    assert (change.before, change.after, change.changed) == (
        PublishingPolicy.AUTO,
        PublishingPolicy.APPROVAL,
        True,
    )
    assert policies.policies(site.id)[JA] is PublishingPolicy.APPROVAL
    assert policies.policies(site.id)[EN] is PublishingPolicy.AUTO
    again = policies.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    assert not again.changed
    (entry,) = AuditStore(engine).entries(site_id=site.id)  # the unchanged one wrote nothing
    assert (entry.actor, entry.action, entry.lang, entry.before, entry.after) == (
        "cli",
        "policy.changed",
        JA,
        "auto",
        "approval",
    )


def test_indonesian_has_no_policy_and_an_unknown_site_is_not_found(
    policies: PolicyStore, site: Site
) -> None:
    with pytest.raises(FieldError, match="not a target language"):
        policies.set_policy(site_id=site.id, lang=Lang.ID, policy=PublishingPolicy.CLEAN, actor="x")
    with pytest.raises(NotFoundError):
        policies.policies(site.id + 99)


def test_decisions_replace_each_other_and_are_audited_in_the_same_transaction(
    store: Store, approvals: ApprovalStore, engine: sqlalchemy.Engine, site: Site, clock: FakeClock
) -> None:
    _, revision = _article(store, "berita-1")
    store.save_edition(make_edition(revision, EN))
    edition = store.get_edition(revision_id=revision, lang=EN)
    approvals.approve(edition, editor_id=None, actor="a@kabar.id")
    clock.advance(1)
    rejected = approvals.reject(edition, editor_id=None, actor="b@kabar.id", note="salah angka")
    assert (rejected.decision, rejected.note) == (Decision.REJECTED, "salah angka")
    (latest,) = approvals.for_revisions([revision]).values()
    assert latest == rejected
    entries = AuditStore(engine).entries(site_id=site.id)
    assert [(e.actor, e.action, e.before, e.after) for e in entries] == [
        ("b@kabar.id", "edition.rejected", "approved", "rejected: salah angka"),
        ("a@kabar.id", "edition.approved", None, "approved"),
    ]
    assert entries[0].subject == "article berita-1 rev 1 en"


def test_list_reads_count_flagged_segments_in_the_database_like_the_segments_say(
    store: Store, policies: PolicyStore, site: Site
) -> None:
    article, revision = _article(store, "berita-1")
    clean = make_edition(revision, EN)
    store.save_edition(clean)
    store.save_edition(
        dataclasses.replace(make_edition(revision, FR), segments=_flag(clean.segments, 1))
    )
    for lang in (EN, FR):
        policies.set_policy(site_id=site.id, lang=lang, policy=PublishingPolicy.CLEAN, actor="cli")
    (current,) = policies.current(site_id=site.id, article_ids=[article]).values()
    assert current.revision.id == revision
    assert set(current.published) == {EN}  # French is "translated" but has a flagged sentence
    assert current.publications[FR].hold is Hold.FLAGGED
    with_segments = policies.publications(
        site_id=site.id, editions=store.list_editions(revision), with_segments=True
    )
    assert {k[1]: v for k, v in with_segments.items()} == dict(current.publications)


def test_current_editions_are_read_for_many_articles_in_a_fixed_number_of_queries(
    store: Store, policies: PolicyStore, engine: sqlalchemy.Engine, site: Site
) -> None:
    ids = []
    for n in range(6):
        article, revision = _article(store, f"berita-{n}")
        store.save_edition(make_edition(revision, EN))
        ids.append(article)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sqlalchemy.event.listen(engine, "before_cursor_execute", count)
    try:
        found = policies.current(site_id=site.id, article_ids=ids, langs=(EN,))
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", count)
    assert sorted(found) == sorted(ids)
    assert all(set(c.published) == {EN} for c in found.values())
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 5, selects


def test_another_sites_articles_are_not_read(
    store: Store, policies: PolicyStore, site: Site
) -> None:
    store.create_site(slug="lain", name="Lain")
    other, _ = _article(store, "berita-x", site="lain")
    assert policies.current(site_id=site.id, article_ids=[other]) == {}


def test_approval_rejection_and_policy_changes_move_the_cache_versions(
    store: Store, policies: PolicyStore, approvals: ApprovalStore, site: Site
) -> None:
    """The clock stands still: only the decisions and policies themselves can move the tokens."""
    article, revision = _article(store, "berita-1")
    store.save_edition(make_edition(revision, EN))
    edition = store.get_edition(revision_id=revision, lang=EN)
    seen_article = {store.article_version(article)}
    seen_site = {store.site_version(site.id)}

    def moved() -> bool:
        article_version, site_version = store.article_version(article), store.site_version(site.id)
        new = article_version not in seen_article and site_version not in seen_site
        seen_article.add(article_version)
        seen_site.add(site_version)
        return new

    policies.set_policy(site_id=site.id, lang=EN, policy=PublishingPolicy.APPROVAL, actor="cli")
    assert moved()
    approvals.approve(edition, editor_id=None)
    assert moved()
    approvals.reject(edition, editor_id=None, actor="cli", note="no")
    assert moved()
    assert not moved()  # nothing changed: the same tokens


def _queue(queries: ArticleQueries, site: Site, **kwargs: object) -> list[tuple[str, str, str]]:
    limit = kwargs.pop("limit", 50)
    items = queries.queue(QueueFilter(site_id=site.id, **kwargs), limit=int(str(limit)))  # type: ignore[arg-type]
    return [(i.external_id, i.lang.value, i.status.value) for i in items]


def test_the_queue_shows_held_editions_and_filters_and_orders_them(
    store: Store,
    policies: PolicyStore,
    approvals: ApprovalStore,
    queries: ArticleQueries,
    site: Site,
    clock: FakeClock,
) -> None:
    _, first = _article(store, "berita-1")
    _, second = _article(store, "berita-2")  # the pending editions are the oldest changes
    clock.advance(10)
    base = make_edition(first, EN)
    store.save_edition(
        dataclasses.replace(
            base, status=EditionStatus.NEEDS_REVIEW, segments=_flag(base.segments, 0, 1)
        )
    )
    clock.advance(10)
    store.save_edition(make_edition(second, EN))
    clock.advance(10)
    store.save_edition(make_edition(second, JA))
    policies.set_policy(site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, actor="cli")

    newest = queries.queue(QueueFilter(site_id=site.id), limit=3)
    assert [(i.external_id, i.lang, i.status) for i in newest] == [
        ("berita-2", JA, QueueStatus.HELD),
        ("berita-2", EN, QueueStatus.TRANSLATED),
        ("berita-1", EN, QueueStatus.NEEDS_REVIEW),
    ]
    held = newest[0]
    assert (held.published, held.hold, held.policy) == (
        False,
        Hold.AWAITING_APPROVAL,
        PublishingPolicy.APPROVAL,
    )
    assert held.reason == "held: waiting for an editor's approval"
    assert (newest[2].flagged, newest[2].segments, newest[2].published) == (2, 2, True)
    assert newest[0].title == "Banjir melanda Jakarta"

    flagged_first = queries.queue(QueueFilter(site_id=site.id, order=QueueOrder.FLAGGED), limit=1)
    assert [(i.external_id, i.lang) for i in flagged_first] == [("berita-1", EN)]
    assert _queue(queries, site, status=QueueStatus.HELD) == [("berita-2", "ja", "held")]
    assert _queue(queries, site, status=QueueStatus.TRANSLATED) == [
        ("berita-2", "en", "translated")
    ]
    assert _queue(queries, site, flagged=True) == [("berita-1", "en", "needs_review")]
    assert ("berita-1", "fr", "pending") in _queue(queries, site, lang=FR)
    assert _queue(queries, site, status=QueueStatus.PENDING, lang=JA) == [
        ("berita-1", "ja", "pending")
    ]

    approvals.approve(store.get_edition(revision_id=second, lang=JA), editor_id=None)
    assert _queue(queries, site, status=QueueStatus.HELD) == []
    (approved,) = queries.queue(
        QueueFilter(site_id=site.id, lang=JA, status=QueueStatus.TRANSLATED), limit=5
    )
    assert approved.published


def test_the_queue_lists_current_revisions_of_its_own_site_only(
    store: Store, queries: ArticleQueries, site: Site
) -> None:
    _, first = _article(store, "berita-1")
    store.save_edition(make_edition(first, EN))
    store.save_article(make_draft("berita-1", title="Banjir surut"), targets=(EN,))
    store.create_site(slug="lain", name="Lain")
    _, other = _article(store, "berita-x", site="lain")
    store.save_edition(make_edition(other, EN))
    items = queries.queue(QueueFilter(site_id=site.id, lang=EN), limit=10)
    assert [(i.external_id, i.revision, i.status) for i in items] == [
        ("berita-1", 2, QueueStatus.PENDING)
    ]


def test_a_queue_page_of_a_policy_status_is_cut_after_the_rule(
    store: Store, policies: PolicyStore, queries: ArticleQueries, site: Site, clock: FakeClock
) -> None:
    policies.set_policy(site_id=site.id, lang=EN, policy=PublishingPolicy.APPROVAL, actor="cli")
    for n in range(4):
        _, revision = _article(store, f"berita-{n}")
        clock.advance(1)
        store.save_edition(make_edition(revision, EN))
    pages = [
        [
            i.external_id
            for i in queries.queue(
                QueueFilter(site_id=site.id, status=QueueStatus.HELD), limit=3, offset=o
            )
        ]
        for o in (0, 3)
    ]
    assert pages == [["berita-3", "berita-2", "berita-1"], ["berita-0"]]
    with pytest.raises(FieldError):
        queries.queue(QueueFilter(site_id=site.id), limit=0)
