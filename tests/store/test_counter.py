"""The change counter moves with every write that can change a public page, and only with
those; per-article stamps say which articles changed (warta.store.counter)."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy
from tests.dbfixtures import FakeClock, make_draft, make_edition

from warta.domain import EditionStatus, PublishingPolicy, RegisteredModel, Site
from warta.languages import Lang
from warta.store.approvals import ApprovalStore
from warta.store.counter import ChangeCounter
from warta.store.policies import PolicyStore
from warta.store.repository import Store
from warta.workers.queue import SqlJobQueue


def test_every_write_a_page_shows_moves_the_counter(
    engine: sqlalchemy.Engine, store: Store, site: Site, clock: FakeClock
) -> None:
    counter = ChangeCounter(engine)
    seen = [counter.read()]

    def moved() -> bool:
        seen.append(counter.read())
        return seen[-1] != seen[-2]

    stored = store.save_article(make_draft("a-1"), targets=[Lang.EN, Lang.FR])
    assert moved()  # a new article (and its queued editions)
    revision = store.get_current_revision(stored.article.id)
    clock.advance(1)
    edition = make_edition(revision.id, Lang.EN)
    store.save_edition(edition)
    assert moved()  # translated
    clock.advance(1)
    store.mark_editions(
        revision_id=revision.id, langs=[Lang.FR], status=EditionStatus.FAILED, reason="test"
    )
    assert moved()  # failed
    clock.advance(1)
    ApprovalStore(engine, clock=clock).approve(edition, editor_id=None)
    assert moved()  # an editor's decision
    clock.advance(1)
    PolicyStore(engine, clock=clock).set_policy(
        site_id=site.id, lang=Lang.EN, policy=PublishingPolicy.APPROVAL, actor="test"
    )
    assert moved()  # a publishing policy
    store.add_model(
        RegisteredModel(
            name="m", path="/m", source=Lang.ID, target=Lang.EN, family="marian", checksum="x"
        )
    )
    assert moved()  # a model: "no translation model is installed yet" goes away
    assert not moved()  # and nothing else happened


def test_queue_work_alone_does_not_move_the_counter(
    engine: sqlalchemy.Engine, store: Store, site: Site, queue: SqlJobQueue
) -> None:
    store.save_article(make_draft("a-1"), targets=[Lang.EN])
    counter = ChangeCounter(engine)
    before = counter.read()
    claimed = queue.claim(worker="w", limit=10, lease_seconds=60)
    assert claimed
    assert counter.read() == before


def test_article_stamps_name_the_article_that_changed(
    engine: sqlalchemy.Engine, store: Store, site: Site, clock: FakeClock
) -> None:
    one = store.save_article(make_draft("a-1"), targets=[Lang.EN]).article
    two = store.save_article(make_draft("a-2"), targets=[Lang.EN]).article
    counter = ChangeCounter(engine)
    site_before, before = counter.site_state(site.id)
    clock.advance(1)
    edition = make_edition(store.get_current_revision(two.id).id, Lang.EN)
    store.save_edition(edition)
    clock.advance(1)
    store.save_edition(replace(edition, reason="corrected"))  # in place: its version moves
    site_after, after = counter.site_state(site.id)
    assert site_after == site_before
    assert after[one.id] == before[one.id]
    assert after[two.id] != before[two.id]
