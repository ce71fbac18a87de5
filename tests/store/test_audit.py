from __future__ import annotations

import pytest
import sqlalchemy

from warta.domain import Site
from warta.languages import Lang
from warta.store.audit import AuditStore, record
from warta.store.session import transaction, writer


def test_entries_come_back_newest_first_and_filtered_by_edition(
    engine: sqlalchemy.Engine, site: Site, clock
) -> None:
    audit = AuditStore(engine, clock=clock)
    with transaction(writer(engine)) as session:
        record(
            session,
            site_id=site.id,
            actor="a@x.id",
            action="segment.corrected",
            subject="s1",
            now=clock(),
            revision_id=None,
            lang=Lang.EN,
            position=1,
            before="old",
            after="new",
        )
    clock.advance(5)
    with transaction(writer(engine)) as session:
        record(
            session,
            site_id=site.id,
            actor="b@x.id",
            action="edition.approved",
            subject="s2",
            now=clock(),
            lang=Lang.JA,
        )
    everything = audit.entries(site_id=site.id)
    assert [e.action for e in everything] == ["edition.approved", "segment.corrected"]
    only_en = audit.entries(site_id=site.id, lang=Lang.EN)
    assert [(e.actor, e.before, e.after, e.position) for e in only_en] == [
        ("a@x.id", "old", "new", 1)
    ]


def test_an_entry_rolled_back_with_its_transaction_is_not_kept(
    engine: sqlalchemy.Engine, site: Site, clock
) -> None:
    audit = AuditStore(engine, clock=clock)

    def failing_action() -> None:
        with transaction(writer(engine)) as session:
            record(session, site_id=site.id, actor="a@x.id", action="x", subject="s", now=clock())
            session.flush()
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        failing_action()
    assert audit.entries(site_id=site.id) == []
