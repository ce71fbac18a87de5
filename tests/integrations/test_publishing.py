"""The desk's decisions and policies, the review queue, roles, and the ``edition.published``
webhook: one rule of "published" everywhere (warta.publishing), on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json

import pytest
from tests.dbfixtures import FakeClock, make_draft, make_edition

from warta.domain import (
    EditionStatus,
    EditorRole,
    PublishingPolicy,
    SegmentOrigin,
    SegmentTranslation,
    Site,
)
from warta.errors import ConflictError, FieldError, ForbiddenError, NotFoundError, RateLimitError
from warta.integrations import Integrations
from warta.integrations.access import LoginThrottle, require_admin
from warta.integrations.ratelimit import TokenBucketLimiter
from warta.languages import TARGET_LANGS, Lang
from warta.publishing import Hold
from warta.services import Services
from warta.store.audit import AuditStore
from warta.store.changes import QueueStatus
from warta.store.editors import Editor

PASSWORD = "kopi-tubruk-pagi"  # noqa: S105 -- a test account's password
JA = Lang.JA


@pytest.fixture
def admin(integrations: Integrations, site: Site) -> Editor:
    return integrations.accounts.create(
        site=site.slug, email="boss@kabar.id", password=PASSWORD, role=EditorRole.ADMIN
    )


@pytest.fixture
def editor(integrations: Integrations, site: Site) -> Editor:
    return integrations.accounts.create(site=site.slug, email="desk@kabar.id", password=PASSWORD)


@pytest.fixture
def hook(integrations: Integrations, site: Site) -> int:
    return integrations.webhooks.add(
        site_id=site.id,
        url="http://127.0.0.1:9/in",
        secret="s" * 8,
        events=("edition.published", "edition.translated", "edition.flagged"),
    ).id


def _record(services: Services, integrations: Integrations, *, status: EditionStatus) -> int:
    """Store berita-1 and its Japanese edition as a worker would, and emit its events."""
    saved = services.store.save_article(make_draft("berita-1"), targets=TARGET_LANGS)
    edition = make_edition(saved.revision.id, JA, status=status)
    if status is EditionStatus.NEEDS_REVIEW:
        flagged = tuple(
            dataclasses.replace(s, flags=("number_missing",)) if s.index == 0 else s
            for s in edition.segments
        )
        edition = dataclasses.replace(edition, segments=flagged)
    services.store.save_edition(edition)
    integrations.events.recorded(revision_id=saved.revision.id, lang=JA)
    return saved.revision.id


def _events(integrations: Integrations, hook: int) -> list[tuple[str, bool]]:
    return [
        (item.event, json.loads(item.body)["data"]["edition"]["published"])
        for item in integrations.webhooks.outbox(webhook_id=hook)
    ]


def _published(integrations: Integrations, site: Site) -> bool:
    return integrations.queries.view(site_id=site.id, external_id="berita-1").published(JA)


@pytest.mark.parametrize(
    ("policy", "status", "events"),
    [
        # auto: a recorded translation is published at once, and says so
        (
            PublishingPolicy.AUTO,
            EditionStatus.TRANSLATED,
            [("edition.translated", True), ("edition.published", True)],
        ),
        (
            PublishingPolicy.AUTO,
            EditionStatus.NEEDS_REVIEW,
            [("edition.flagged", True), ("edition.published", True)],
        ),
        # clean: only a translation with no flagged sentence
        (
            PublishingPolicy.CLEAN,
            EditionStatus.TRANSLATED,
            [("edition.translated", True), ("edition.published", True)],
        ),
        (PublishingPolicy.CLEAN, EditionStatus.NEEDS_REVIEW, [("edition.flagged", False)]),
        # approval: nothing is published by recording it
        (PublishingPolicy.APPROVAL, EditionStatus.TRANSLATED, [("edition.translated", False)]),
    ],
)
def test_recording_an_edition_emits_published_only_when_the_policy_publishes_it(
    services: Services,
    integrations: Integrations,
    site: Site,
    hook: int,
    policy: PublishingPolicy,
    status: EditionStatus,
    events: list[tuple[str, bool]],
) -> None:
    integrations.policies.set_policy(site_id=site.id, lang=JA, policy=policy, actor="cli")
    _record(services, integrations, status=status)
    assert _events(integrations, hook) == events
    assert _published(integrations, site) is any(e == "edition.published" for e, _ in events)


def test_under_approval_approving_publishes_at_once_and_says_so_once(
    services: Services,
    integrations: Integrations,
    site: Site,
    hook: int,
    editor: Editor,
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    _record(services, integrations, status=EditionStatus.NEEDS_REVIEW)
    assert not _published(integrations, site)
    approved = integrations.desk.approve(
        site_id=site.id, external_id="berita-1", lang=JA, editor_id=editor.id, actor=editor.email
    )
    assert approved.published
    assert _published(integrations, site)
    assert _events(integrations, hook)[-1] == ("edition.published", True)
    integrations.desk.approve(
        site_id=site.id, external_id="berita-1", lang=JA, editor_id=editor.id, actor=editor.email
    )
    assert [e for e, _ in _events(integrations, hook)].count("edition.published") == 1
    entries = AuditStore(services.db).entries(site_id=site.id)
    assert [(e.actor, e.action) for e in entries][:2] == [
        ("desk@kabar.id", "edition.approved"),
        ("desk@kabar.id", "edition.approved"),
    ]


def test_approving_under_auto_announces_nothing_new(
    services: Services, integrations: Integrations, site: Site, hook: int, editor: Editor
) -> None:
    _record(services, integrations, status=EditionStatus.TRANSLATED)
    before = _events(integrations, hook)
    integrations.desk.approve(
        site_id=site.id, external_id="berita-1", lang=JA, editor_id=editor.id, actor=editor.email
    )
    assert _events(integrations, hook) == before  # it was published already


@pytest.mark.parametrize("policy", list(PublishingPolicy))
def test_a_rejected_edition_is_held_under_every_policy_until_it_changes(
    services: Services,
    integrations: Integrations,
    site: Site,
    editor: Editor,
    clock: FakeClock,
    policy: PublishingPolicy,
) -> None:
    integrations.policies.set_policy(site_id=site.id, lang=JA, policy=policy, actor="cli")
    revision = _record(services, integrations, status=EditionStatus.TRANSLATED)
    if policy is PublishingPolicy.APPROVAL:
        integrations.desk.approve(
            site_id=site.id, external_id="berita-1", lang=JA, editor_id=None, actor="cli"
        )
    assert _published(integrations, site)
    clock.advance(1)
    integrations.desk.reject(
        site_id=site.id, external_id="berita-1", lang=JA, editor=editor, note="angka salah"
    )
    view = integrations.queries.view(site_id=site.id, external_id="berita-1")
    assert not view.published(JA)
    assert view.publications[JA].hold is Hold.REJECTED
    assert view.decisions[JA].note == "angka salah"
    (entry,) = [
        e
        for e in AuditStore(services.db).entries(site_id=site.id)
        if e.action == "edition.rejected"
    ]
    assert (entry.actor, entry.after) == ("desk@kabar.id", "rejected: angka salah")
    # a new translation of the sentence is new content: the rejection no longer covers it
    edition = services.store.get_edition(revision_id=revision, lang=JA)
    assert edition.content is not None
    changed = dataclasses.replace(
        edition, content=dataclasses.replace(edition.content, title="Banjir (diperbaiki)")
    )
    services.store.save_edition(changed)
    assert _published(integrations, site) is (policy is not PublishingPolicy.APPROVAL)


def test_a_rejection_needs_a_note_and_a_translated_edition(
    services: Services, integrations: Integrations, site: Site, editor: Editor
) -> None:
    services.store.save_article(make_draft("berita-1"), targets=TARGET_LANGS)
    with pytest.raises(ConflictError, match="not translated yet"):
        integrations.desk.reject(
            site_id=site.id, external_id="berita-1", lang=JA, editor=editor, note="x"
        )
    with pytest.raises(FieldError, match="needs a note"):
        integrations.desk.reject(
            site_id=site.id, external_id="berita-1", lang=JA, editor=editor, note="  "
        )


def test_another_sites_edition_is_not_found_for_every_decision(
    services: Services,
    integrations: Integrations,
    site: Site,
    other_site: Site,
    editor: Editor,
) -> None:
    _record(services, integrations, status=EditionStatus.TRANSLATED)
    outsider = integrations.accounts.create(
        site=other_site.slug, email="x@lain.id", password=PASSWORD, role=EditorRole.ADMIN
    )
    with pytest.raises(NotFoundError):
        integrations.desk.approve(
            site_id=outsider.site_id,
            external_id="berita-1",
            lang=JA,
            editor_id=outsider.id,
            actor=outsider.email,
        )
    with pytest.raises(NotFoundError):
        integrations.desk.reject(
            site_id=outsider.site_id, external_id="berita-1", lang=JA, editor=outsider, note="x"
        )
    with pytest.raises(NotFoundError):
        integrations.desk.set_policy(
            site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, editor=outsider
        )
    assert _published(integrations, site)


def test_only_admins_change_the_policy(
    integrations: Integrations, site: Site, editor: Editor, admin: Editor
) -> None:
    with pytest.raises(ForbiddenError, match="only an admin"):
        integrations.desk.set_policy(
            site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, editor=editor
        )
    assert integrations.desk.policies(site_id=site.id)[JA] is PublishingPolicy.AUTO
    change = integrations.desk.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, editor=admin
    )
    assert change.changed
    assert integrations.desk.policies(site_id=site.id)[JA] is PublishingPolicy.APPROVAL
    require_admin(admin, action="manage editors")
    with pytest.raises(ForbiddenError) as refused:
        require_admin(editor, action="manage editors")
    assert refused.value.context["role"] == "editor"


def test_roles_are_stored_and_read_back_with_the_session(
    integrations: Integrations, admin: Editor, editor: Editor
) -> None:
    assert (admin.role, editor.role) == (EditorRole.ADMIN, EditorRole.EDITOR)
    login = integrations.accounts.login(site="kabar", email="boss@kabar.id", password=PASSWORD)
    assert integrations.accounts.session(login.token).editor.role is EditorRole.ADMIN


def test_the_desk_queue_shows_what_waits_for_approval(
    services: Services, integrations: Integrations, site: Site, editor: Editor
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    _record(services, integrations, status=EditionStatus.NEEDS_REVIEW)
    (held,) = integrations.desk.queue(site_id=site.id, status=QueueStatus.HELD)
    assert (held.external_id, held.lang, held.flagged, held.published) == (
        "berita-1",
        JA,
        1,
        False,
    )
    assert integrations.desk.queue(site_id=site.id, lang=JA, order="flagged")[0] == held
    integrations.desk.approve(
        site_id=site.id, external_id="berita-1", lang=JA, editor_id=editor.id, actor=editor.email
    )
    assert integrations.desk.queue(site_id=site.id, status=QueueStatus.HELD) == []
    with pytest.raises(FieldError, match="order the queue"):
        integrations.desk.queue(site_id=site.id, order="oldest")


def test_logins_are_limited_per_client_address_across_accounts() -> None:
    now = [0.0]
    throttle = LoginThrottle(
        per_account=TokenBucketLimiter(rate=1.0, burst=100, clock=lambda: now[0]),
        per_address=TokenBucketLimiter(rate=0.5, burst=3, clock=lambda: now[0]),
    )
    for n in range(3):
        throttle.check(site="kabar", email=f"user{n}@kabar.id", address="203.0.113.9")
    with pytest.raises(RateLimitError) as limited:
        throttle.check(site="kabar", email="user9@kabar.id", address="203.0.113.9")
    assert limited.value.context["retry_after"] == pytest.approx(2.0)
    throttle.check(site="kabar", email="user9@kabar.id", address="198.51.100.1")  # another address
    now[0] += 2.0
    throttle.check(site="kabar", email="user9@kabar.id", address="203.0.113.9")


def test_logins_are_limited_per_account_across_addresses() -> None:
    throttle = LoginThrottle(
        per_account=TokenBucketLimiter(rate=0.1, burst=2, clock=lambda: 0.0),
        per_address=TokenBucketLimiter(rate=1.0, burst=100, clock=lambda: 0.0),
    )
    throttle.check(site="kabar", email="Desk@kabar.id", address="203.0.113.1")
    throttle.check(site="kabar", email="desk@kabar.id", address="203.0.113.2")
    with pytest.raises(RateLimitError):
        throttle.check(site="kabar", email="desk@kabar.id", address="203.0.113.3")


def test_a_change_that_publishes_a_held_edition_announces_it(
    services: Services, integrations: Integrations, site: Site, hook: int
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.CLEAN, actor="cli"
    )
    revision = _record(services, integrations, status=EditionStatus.NEEDS_REVIEW)
    assert _events(integrations, hook) == [("edition.flagged", False)]
    held = services.store.get_edition(revision_id=revision, lang=JA)
    clean = dataclasses.replace(
        held,
        status=EditionStatus.TRANSLATED,
        segments=tuple(dataclasses.replace(s, flags=()) for s in held.segments),
    )
    services.store.save_edition(clean)  # the flagged sentence corrected
    integrations.events.corrected(
        services.store.get_edition(revision_id=revision, lang=JA), was_published=False
    )
    assert _events(integrations, hook)[1:] == [("edition.published", True)]
    integrations.events.corrected(
        services.store.get_edition(revision_id=revision, lang=JA), was_published=True
    )
    assert len(_events(integrations, hook)) == 2  # already published: nothing new to announce


def _record_whole(services: Services, integrations: Integrations, *, flagged: bool) -> int:
    """Like :func:`_record`, with one segment per sentence of berita-1 (the desk corrects them);
    ``flagged``: its headline is flagged (needs_review)."""
    saved = services.store.save_article(make_draft("berita-1"), targets=TARGET_LANGS)
    texts = ("Banjir melanda Jakarta", "Hujan deras sejak pagi.", "Ribuan warga mengungsi.")
    segments = tuple(
        SegmentTranslation(
            index=i,
            block=min(i, 1),
            source_html=text,
            target_html=f"[ja] {text}",
            origin=SegmentOrigin.ENGINE,
            flags=("number_missing",) if flagged and i == 0 else (),
        )
        for i, text in enumerate(texts)
    )
    status = EditionStatus.NEEDS_REVIEW if flagged else EditionStatus.TRANSLATED
    services.store.save_edition(
        make_edition(saved.revision.id, JA, segments=segments, status=status)
    )
    integrations.events.recorded(revision_id=saved.revision.id, lang=JA)
    return saved.revision.id


def test_a_correction_at_the_desk_that_publishes_a_held_edition_announces_it(
    services: Services, integrations: Integrations, site: Site, admin: Editor, hook: int
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.CLEAN, actor="cli"
    )
    revision = _record_whole(services, integrations, flagged=True)
    flagged = services.store.get_edition(revision_id=revision, lang=JA).segments[0]

    integrations.desk.correct(
        site_id=site.id,
        external_id="berita-1",
        lang=JA,
        index=0,
        target_html="朝から大雨。",
        base_version=flagged.version,
        editor=admin,
    )  # the last flagged sentence corrected: clean, so published under ``clean``

    assert _published(integrations, site)
    assert _events(integrations, hook)[1:] == [("edition.published", True)]
    segment = services.store.get_edition(revision_id=revision, lang=JA).segments[1]
    integrations.desk.correct(
        site_id=site.id,
        external_id="berita-1",
        lang=JA,
        index=1,
        target_html="数千人が避難。",
        base_version=segment.version,
        editor=admin,
    )
    assert len(_events(integrations, hook)) == 2  # published already: nothing new


def test_a_rollback_that_publishes_a_held_edition_announces_it(
    services: Services, integrations: Integrations, site: Site, admin: Editor, hook: int
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=JA, policy=PublishingPolicy.CLEAN, actor="cli"
    )
    revision = _record_whole(services, integrations, flagged=False)
    assert _events(integrations, hook) == [
        ("edition.translated", True),
        ("edition.published", True),
    ]
    good = services.store.get_edition(revision_id=revision, lang=JA)
    integrations.desk.reject(
        site_id=site.id, external_id="berita-1", lang=JA, editor=admin, note="Wrong names."
    )
    assert not _published(integrations, site)
    segment = good.segments[0]
    integrations.desk.correct(
        site_id=site.id,
        external_id="berita-1",
        lang=JA,
        index=0,
        target_html="Hujan, 10 kali.",  # drops nothing, but the rejection no longer covers it
        base_version=segment.version,
        editor=admin,
    )
    assert _published(integrations, site)  # the rejected text was replaced
    assert [e for e, _ in _events(integrations, hook)].count("edition.published") == 2
    integrations.desk.reject(
        site_id=site.id, external_id="berita-1", lang=JA, editor=admin, note="Worse now."
    )

    integrations.desk.rollback(
        site_id=site.id, external_id="berita-1", lang=JA, to_version=good.version, editor=admin
    )

    assert _published(integrations, site)
    assert _events(integrations, hook)[-1] == ("edition.published", True)
    assert [e for e, _ in _events(integrations, hook)].count("edition.published") == 3
