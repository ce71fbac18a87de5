"""Database fixtures shared by tests/store and tests/workers (their conftests import these).

``engine`` is a migrated database, once on SQLite (a file in ``tmp_path``) and once on
PostgreSQL. The PostgreSQL run needs ``WARTA_TEST_DATABASE_URL`` (a database the user may create
schemas in) and is skipped without it; every test gets a fresh schema of its own, dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from warta.domain import (
    ArticleDraft,
    Edition,
    EditionContent,
    EditionStatus,
    ModelProvenance,
    Provenance,
    SegmentOrigin,
    SegmentTranslation,
    Site,
)
from warta.languages import Lang
from warta.store.repository import Store
from warta.store.session import make_engine, upgrade_database
from warta.workers.queue import SqlJobQueue

PG_ENV = "WARTA_TEST_DATABASE_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@dataclass
class FakeClock:
    """A clock the test moves by hand (no sleeping, no patched datetime)."""

    now: datetime = field(default_factory=lambda: datetime(2025, 3, 10, 8, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV}, e.g. "
            "postgresql+psycopg://warta:warta@localhost/warta_test"
        )
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'warta.db'}"
        return
    admin_url = sqlalchemy.make_url(postgres_admin_url())
    schema = f"warta_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(admin_url, poolclass=sqlalchemy.NullPool)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield admin_url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[sqlalchemy.Engine]:
    """A database migrated to the newest schema by the shipped Alembic migrations."""
    eng = make_engine(db_url)
    try:
        upgrade_database(eng)
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(engine: sqlalchemy.Engine, clock: FakeClock) -> Store:
    return Store(engine, clock=clock)


@pytest.fixture
def queue(engine: sqlalchemy.Engine, clock: FakeClock) -> SqlJobQueue:
    return SqlJobQueue(engine, clock=clock, max_attempts=3)


@pytest.fixture
def site(store: Store) -> Site:
    return store.create_site(slug="kabar", name="Kabar Nusantara")


# --- builders of domain records used by several test modules ------------------------------------


def make_draft(
    external_id: str = "berita-1",
    *,
    site: str = "kabar",
    title: str = "Banjir melanda Jakarta",
    body_html: str = "<p>Hujan deras sejak pagi. Ribuan warga mengungsi.</p>",
    **metadata: Any,
) -> ArticleDraft:
    return ArticleDraft(
        site=site, external_id=external_id, title=title, body_html=body_html, **metadata
    )


def make_provenance(target: Lang, *, glossary_version: int = 0) -> Provenance:
    return Provenance(
        engine="ctranslate2",
        models=(
            ModelProvenance(
                name=f"opus-mt-id-{target}",
                checksum="sha256:" + "ab" * 32,
                source=Lang.ID,
                target=target,
            ),
        ),
        decoding=(("beam", 4), ("length_penalty", 1.0)),
        device="cpu",
        compute_type="int8",
        glossary_version=glossary_version,
        segmenter_version="1",
        app_version="0.1.0",
    )


def make_edition(
    revision_id: int,
    lang: Lang,
    *,
    segments: tuple[SegmentTranslation, ...] | None = None,
    status: EditionStatus = EditionStatus.TRANSLATED,
) -> Edition:
    if segments is None:
        segments = (
            SegmentTranslation(
                index=0,
                block=0,
                source_html="Hujan deras sejak pagi.",
                target_html=f"[{lang}] Heavy rain since morning.",
                origin=SegmentOrigin.ENGINE,
                score=-0.25,
                quality=0.9,
            ),
            SegmentTranslation(
                index=1,
                block=0,
                source_html="Ribuan warga mengungsi.",
                target_html=f"[{lang}] Thousands evacuated.",
                origin=SegmentOrigin.MEMORY,
            ),
        )
    return Edition(
        revision_id=revision_id,
        lang=lang,
        status=status,
        content=EditionContent(
            title=f"[{lang}] Floods hit Jakarta",
            lead="",
            body_html="<p>" + " ".join(s.target_html for s in segments) + "</p>",
        ),
        segments=segments,
        provenance=make_provenance(lang),
        quality=0.9,
    )
