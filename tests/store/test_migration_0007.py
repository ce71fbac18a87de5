"""Migration 0007 gives every edition with content the hash the publishing rule computes."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy
from tests.store.test_migration_0003 import _seed_0002

from warta.domain import EditionContent
from warta.publishing import content_hash
from warta.store.session import (
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _hash_of(title: str, lead: str, body: str) -> str:
    from warta.domain import Edition, EditionStatus
    from warta.languages import Lang

    edition = Edition(
        revision_id=1,
        lang=Lang.EN,
        status=EditionStatus.TRANSLATED,
        reason="",
        content=EditionContent(title=title, lead=lead, body_html=body),
    )
    return content_hash(edition)


def test_0007_fills_content_hashes_as_the_publishing_rule_computes_them(
    engine: sqlalchemy.Engine,
) -> None:
    downgrade_database(engine, revision="0002")
    _seed_0002(engine)  # edition 1: translated, body only (title and lead NULL)
    upgrade_database(engine, revision="0006")
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO editions (id, revision_id, lang, status, reason, title, lead, "
                "body_html, updated_at, version) VALUES (2, 1, 'fr', 'needs_review', '', "
                "'Titre « ici »', 'Chapeau', '<p>Corps — 1 %.</p>', :now, 1), "
                "(3, 1, 'ja', 'pending', 'queued', NULL, NULL, NULL, :now, 1)"
            ),
            {"now": NOW},
        )

    upgrade_database(engine)

    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text("SELECT id, content_hash FROM editions")).all()
    hashes = {row[0]: row[1] for row in rows}
    assert hashes[1] == _hash_of("", "", "<p>Body.</p>")
    assert hashes[2] == _hash_of("Titre « ici »", "Chapeau", "<p>Corps — 1 %.</p>")
    assert hashes[3] is None  # no content, no hash

    downgrade_database(engine, revision="0006")
    columns = {c["name"] for c in sqlalchemy.inspect(engine).get_columns("editions")}
    assert "content_hash" not in columns
