"""Migration 0003 (newsroom) keeps every existing row valid and can be undone."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy

from warta.store.session import (
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)

NEWSROOM_TABLES = {"edition_versions", "audit_log", "publishing_policies"}
LATER_TABLES = {"engines", "engine_routes", "engine_usage"}  # 0005, gone at 0002 too
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _seed_0002(engine: sqlalchemy.Engine) -> None:
    """Rows as a 0002 database holds them: an edition with a segment, an editor, a memory entry."""
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO sites (id, slug, name, glossary_version, created_at) "
                "VALUES (1, 'demo', 'Demo', 0, :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO articles (id, site_id, external_id, tags, current_revision, "
                "created_at, updated_at) VALUES (1, 1, 'a-1', '[]', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO revisions (id, article_id, number, title, lead, body_html, "
                "content_hash, created_at) VALUES (1, 1, 1, 'Judul', '', '<p>Isi.</p>', 'h', :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO editions (id, revision_id, lang, status, reason, body_html, "
                "updated_at) VALUES (1, 1, 'en', 'translated', '', '<p>Body.</p>', :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO edition_segments (edition_id, position, block, source_html, "
                "target_html, origin, flags) VALUES (1, 0, 0, 'Isi.', 'Body.', 'human', '[]')"
            )
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO editors (site_id, email, password_hash, created_at) "
                "VALUES (1, 'ed@example.id', 'x', :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO translation_memory (site_id, source_lang, target_lang, source_hash, "
                "source_html, target_html, origin, provenance_key, updated_at) "
                "VALUES (1, 'id', 'en', 'h', 'Isi.', 'Body.', 'engine', 'k', :now)"
            ),
            {"now": NOW},
        )


def test_0003_gives_existing_rows_their_defaults_and_downgrades_cleanly(
    engine: sqlalchemy.Engine,
) -> None:
    full = set(sqlalchemy.inspect(engine).get_table_names())
    downgrade_database(engine, revision="0002")
    assert current_revision(engine) == "0002"
    assert set(sqlalchemy.inspect(engine).get_table_names()) == (
        full - NEWSROOM_TABLES - LATER_TABLES
    )
    _seed_0002(engine)

    upgrade_database(engine)

    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        segment = conn.execute(
            sqlalchemy.text("SELECT version, edited_by, target_html FROM edition_segments")
        ).one()
        assert tuple(segment) == (1, None, "Body.")
        assert conn.execute(sqlalchemy.text("SELECT version FROM editions")).scalar_one() == 1
        assert conn.execute(sqlalchemy.text("SELECT role FROM editors")).scalar_one() == "editor"
        memory = conn.execute(
            sqlalchemy.text("SELECT engine_key, glossary_key, target_html FROM translation_memory")
        ).one()
        assert tuple(memory) == ("", "", "Body.")
