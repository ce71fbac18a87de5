"""The integration stores on both backends: keys, editors' sessions, approvals, feed entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.dbfixtures import FakeClock, make_draft, make_edition

from warta.domain import Site
from warta.errors import AuthenticationError, ConflictError, FieldError, NotFoundError
from warta.integrations import Integrations
from warta.languages import Lang
from warta.services import Services
from warta.store.approvals import edition_content_hash
from warta.store.feeds import EntryOutcome, SeenEntry


def test_revoking_a_key_twice_keeps_the_first_time(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    record, _ = integrations.authenticator.issue(site=site.slug)
    first = integrations.keys.revoke(record.prefix)
    clock.advance(60)
    assert integrations.keys.revoke(record.prefix).revoked_at == first.revoked_at
    with pytest.raises(NotFoundError):
        integrations.keys.revoke("wrt_ZZZZZZZZ")


@pytest.mark.parametrize("email", ["", "tanpa-at", "a@b", "dua kata@kabar.example"])
def test_editor_emails_must_be_addresses(
    integrations: Integrations, site: Site, email: str
) -> None:
    with pytest.raises(FieldError) as err:
        integrations.accounts.create(site=site.slug, email=email, password="p" * 12)
    assert err.value.context["field"] == "email"


def test_an_editor_exists_once_per_site(integrations: Integrations, site: Site) -> None:
    integrations.accounts.create(site=site.slug, email="r@kabar.example", password="p" * 10)
    with pytest.raises(ConflictError):
        integrations.accounts.create(site=site.slug, email="R@kabar.example", password="p" * 10)


def test_a_session_token_is_stored_hashed_and_ends_on_logout(
    integrations: Integrations, site: Site, services: Services
) -> None:
    integrations.accounts.create(site=site.slug, email="r@kabar.example", password="p" * 10)
    login = integrations.accounts.login(site=site.slug, email="r@kabar.example", password="p" * 10)
    with services.db.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash, csrf_hash FROM editor_sessions").one()
    assert login.token not in stored
    assert login.csrf_token not in stored
    assert integrations.accounts.session(login.token).editor.email == "r@kabar.example"
    integrations.accounts.logout(login.token)
    with pytest.raises(AuthenticationError, match="login session"):
        integrations.accounts.session(login.token)


def test_an_approval_covers_the_edition_only_while_its_content_is_unchanged(
    integrations: Integrations, services: Services, site: Site
) -> None:
    result = services.store.save_article(make_draft(), targets=[Lang.EN])
    edition = make_edition(result.revision.id, Lang.EN)
    services.store.save_edition(edition)
    approval = integrations.approvals.approve(edition, editor_id=None)
    assert approval.content_hash == edition_content_hash(edition)
    assert approval.covers(services.store.get_edition(revision_id=result.revision.id, lang=Lang.EN))
    changed = make_edition(result.revision.id, Lang.EN, segments=())
    services.store.save_edition(changed)
    assert not approval.covers(
        services.store.get_edition(revision_id=result.revision.id, lang=Lang.EN)
    )


def test_feed_entries_are_remembered_per_feed_and_updated_in_place(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    feed = integrations.feeds.add(site=site.slug, url="https://kabar.example/rss")
    with pytest.raises(ConflictError):
        integrations.feeds.add(site=site.slug, url="https://kabar.example/rss")
    entry = SeenEntry(
        guid="g1",
        fingerprint="a" * 64,
        content_hash=None,
        external_id=None,
        outcome=EntryOutcome.REFUSED,
        reason="not Indonesian",
    )
    integrations.feeds.remember(feed_id=feed.id, site_id=site.id, entry=entry)
    clock.advance(timedelta(hours=1).total_seconds())
    later = SeenEntry(
        guid="g1",
        fingerprint="b" * 64,
        content_hash="c" * 64,
        external_id="g1",
        outcome=EntryOutcome.STORED,
        reason="",
    )
    integrations.feeds.remember(feed_id=feed.id, site_id=site.id, entry=later)
    assert integrations.feeds.seen(feed_id=feed.id, guid="g1") == later
    assert integrations.feeds.seen(feed_id=feed.id, guid="g2") is None


def test_article_with_content_finds_the_current_text_of_the_site_only(
    integrations: Integrations, services: Services, site: Site, other_site: Site
) -> None:
    draft = make_draft()
    services.store.save_article(draft, targets=[Lang.EN])
    found = integrations.feeds.article_with_content(
        site_id=site.id, content_hash=draft.content_hash()
    )
    assert found == "berita-1"
    assert (
        integrations.feeds.article_with_content(
            site_id=other_site.id, content_hash=draft.content_hash()
        )
        is None
    )
