"""Migration 0004 gives feed-imported articles ids every route accepts, and can be undone."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy

from warta.integrations.feeds import feed_external_id
from warta.store.session import current_revision, downgrade_database, upgrade_database

NOW = datetime(2026, 12, 1, tzinfo=UTC)
URL_GUID = "https://kabar.example/berita/2025/03/10/zulkifli?id=1"
URN_GUID = "urn:kabar:7"
LONG_GUID = "https://kabar.example/" + "x" * 300  # over 200 characters: hashed before, too
LONG_OLD = "feed-" + hashlib.sha256(LONG_GUID.encode()).hexdigest()[:40]


def _sql(conn: sqlalchemy.Connection, statement: str, **params: object) -> None:
    conn.execute(sqlalchemy.text(statement), {"now": NOW, **params})


def _seed_0003(engine: sqlalchemy.Engine) -> None:
    """A 0003 database: three feed-imported articles (a URL, a URN and a long GUID), a duplicate
    entry naming one of them, and an article sent through the API."""
    with engine.begin() as conn:
        _sql(
            conn,
            "INSERT INTO sites (id, slug, name, glossary_version, created_at) "
            "VALUES (1, 'kabar', 'Kabar', 0, :now)",
        )
        _sql(
            conn,
            "INSERT INTO feeds (id, site_id, url, last_status, created_at) "
            "VALUES (1, 1, 'https://kabar.example/rss', '', :now)",
        )
        articles = [
            (1, URL_GUID, None),
            (2, URN_GUID, "https://kabar.example/7"),
            (3, LONG_OLD, None),
            (4, "berita-4", None),  # from the API: not touched
        ]
        for number, external_id, source_url in articles:
            _sql(
                conn,
                "INSERT INTO articles (id, site_id, external_id, source_url, tags, "
                "current_revision, created_at, updated_at) "
                "VALUES (:id, 1, :ext, :url, '[]', 1, :now, :now)",
                id=number,
                ext=external_id,
                url=source_url,
            )
        entries: list[tuple[str, str | None, str]] = [
            (URL_GUID, URL_GUID, "stored"),
            (URN_GUID, URN_GUID, "stored"),
            (LONG_GUID, LONG_OLD, "stored"),
            ("urn:kabar:7-again", URN_GUID, "duplicate"),
            ("urn:kabar:refused", None, "refused"),
        ]
        for n, (guid, named, outcome) in enumerate(entries):
            _sql(
                conn,
                "INSERT INTO feed_entries (feed_id, site_id, guid, fingerprint, external_id, "
                "outcome, reason, seen_at) VALUES (1, 1, :guid, :fp, :ext, :outcome, '', :now)",
                guid=guid,
                fp=f"{n:064d}",
                ext=named,
                outcome=outcome,
            )


def _articles(engine: sqlalchemy.Engine) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sqlalchemy.text("SELECT id, external_id, source_url FROM articles ORDER BY id")
        )
        return {row.id: (row.external_id, row.source_url) for row in rows}


def _entries(engine: sqlalchemy.Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text("SELECT guid, external_id FROM feed_entries"))
        return {row.guid: row.external_id for row in rows}


def test_0004_gives_feed_imported_articles_hashed_ids_and_downgrades_them_back(
    engine: sqlalchemy.Engine,
) -> None:
    downgrade_database(engine, revision="0003")
    assert current_revision(engine) == "0003"
    _seed_0003(engine)

    upgrade_database(engine, revision="0004")

    assert current_revision(engine) == "0004"
    assert _articles(engine) == {
        1: (feed_external_id(URL_GUID), URL_GUID),  # the URL kept as source_url
        2: (feed_external_id(URN_GUID), "https://kabar.example/7"),  # its own source_url kept
        3: (feed_external_id(LONG_GUID), LONG_GUID),
        4: ("berita-4", None),
    }
    assert feed_external_id(URL_GUID).startswith("feed-")
    assert _entries(engine) == {
        URL_GUID: feed_external_id(URL_GUID),
        URN_GUID: feed_external_id(URN_GUID),
        LONG_GUID: feed_external_id(LONG_GUID),
        "urn:kabar:7-again": feed_external_id(URN_GUID),  # the duplicate follows its article
        "urn:kabar:refused": None,
    }

    downgrade_database(engine, revision="0003")

    restored = _articles(engine)
    assert [restored[n][0] for n in (1, 2, 3, 4)] == [URL_GUID, URN_GUID, LONG_OLD, "berita-4"]
    assert _entries(engine)["urn:kabar:7-again"] == URN_GUID
    upgrade_database(engine)  # and to the head again
    assert _articles(engine)[1][0] == feed_external_id(URL_GUID)


def test_0004_leaves_an_article_alone_when_the_new_id_is_taken(
    engine: sqlalchemy.Engine,
) -> None:
    downgrade_database(engine, revision="0003")
    _seed_0003(engine)
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.text("UPDATE articles SET external_id = :new WHERE id = 4"),
            {"new": feed_external_id(URN_GUID)},
        )

    upgrade_database(engine, revision="0004")

    found = _articles(engine)
    assert found[2][0] == URN_GUID
    assert found[4][0] == feed_external_id(URN_GUID)
    assert found[1][0] == feed_external_id(URL_GUID)
