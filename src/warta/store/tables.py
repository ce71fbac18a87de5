"""Database tables (SQLAlchemy 2 typed declarative). Created only by the Alembic migrations.

These rows never leave :mod:`warta.store`: :mod:`warta.store.mapping` turns them into the domain
records of :mod:`warta.domain`. Enumerations are stored as their string values and languages as
ISO 639-1 codes, so the tables read well in ``psql``/``sqlite3``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from warta.store.types import UtcDateTime

# Stable constraint names, so later migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LANG = String(8)
STATUS = String(16)
HASH = String(64)  # sha256 hex
KEY = String(16)  # Provenance.key()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 -- SQLAlchemy's declarative configuration
        datetime: UtcDateTime(),
        str: String(),
        float: Double(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class SiteRow(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str]
    glossary_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(
        String(16), unique=True
    )  # shown to people, to tell keys apart
    hash: Mapped[str] = mapped_column(String(128))  # never the key itself
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("site_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    external_id: Mapped[str]
    category: Mapped[str | None]
    tags: Mapped[list[str]]
    author: Mapped[str | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    source_url: Mapped[str | None] = mapped_column(Text)
    current_revision: Mapped[int]  # revision *number* of the canonical Indonesian text
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RevisionRow(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(HASH)
    created_at: Mapped[datetime]


class EditionRow(Base):
    __tablename__ = "editions"
    __table_args__ = (UniqueConstraint("revision_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(LANG)
    status: Mapped[str] = mapped_column(STATUS)
    reason: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)  # title/lead/body are NULL until translated
    lead: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    provenance: Mapped[dict[str, Any] | None]  # Provenance.to_dict()
    provenance_key: Mapped[str | None] = mapped_column(KEY)
    quality: Mapped[float | None]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(server_default="1")  # +1 on every change (0003)
    # 0007: warta.publishing.content_hash of title, lead and body (NULL: no content), written with
    # the content, so lists decide what a decision covers without reading bodies
    content_hash: Mapped[str | None] = mapped_column(String(64))


class EditionSegmentRow(Base):
    __tablename__ = "edition_segments"
    __table_args__ = (UniqueConstraint("edition_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    position: Mapped[int]  # SegmentTranslation.index ("index" is an SQL keyword)
    block: Mapped[int]
    source_html: Mapped[str] = mapped_column(Text)
    target_html: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(STATUS)
    score: Mapped[float | None]
    quality: Mapped[float | None]
    flags: Mapped[list[str]]
    # 0003: optimistic concurrency and who corrected it
    version: Mapped[int] = mapped_column(server_default="1")  # +1 on every change of the segment
    edited_by: Mapped[str | None] = mapped_column(String(254))  # editor's email, for HUMAN
    edited_at: Mapped[datetime | None]
    suggestion_html: Mapped[str | None] = mapped_column(Text)  # an earlier correction to consider
    provenance_key: Mapped[str | None] = mapped_column(KEY)  # what made this segment


class MemoryRow(Base):
    __tablename__ = "translation_memory"
    __table_args__ = (
        UniqueConstraint(
            "site_id",
            "source_lang",
            "target_lang",
            "source_hash",
            "origin",
            name="uq_translation_memory_entry",  # the conventional name is past PostgreSQL's 63
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    source_lang: Mapped[str] = mapped_column(LANG)
    target_lang: Mapped[str] = mapped_column(LANG)
    source_hash: Mapped[str] = mapped_column(HASH)  # sha256 of source_html, for the unique index
    source_html: Mapped[str] = mapped_column(Text)
    target_html: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(STATUS)  # "engine" or "human"
    provenance_key: Mapped[str] = mapped_column(KEY)
    updated_at: Mapped[datetime]
    # 0003: an engine entry is reused only while what made it is in force
    engine_key: Mapped[str] = mapped_column(KEY, server_default="")  # engine, models, decoding
    glossary_key: Mapped[str] = mapped_column(KEY, server_default="")  # terms in this sentence
    flags: Mapped[list[str]] = mapped_column(server_default="[]")  # quality flags, kept
    score: Mapped[float | None]
    quality: Mapped[float | None]


class GlossaryTermRow(Base):
    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("site_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    source: Mapped[str]
    translations: Mapped[dict[str, Any]]  # {"en": "...", "zh": "..."}
    do_not_translate: Mapped[bool] = mapped_column(Boolean)
    case_sensitive: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]


class ModelRow(Base):
    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("source_lang", "target_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_lang: Mapped[str] = mapped_column(LANG)
    target_lang: Mapped[str] = mapped_column(LANG)
    name: Mapped[str]
    path: Mapped[str] = mapped_column(Text)
    family: Mapped[str] = mapped_column(String(32))
    checksum: Mapped[str] = mapped_column(String(80))  # "sha256:<hex>"
    added_at: Mapped[datetime]


class JobRow(Base):
    """A translation job; the row is the truth (a Celery task would only carry its id)."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_lang_created_at", "status", "lang", "created_at"),
        Index("ix_jobs_claim", "status", "lang", "priority", "site_id", "created_at"),  # 0006
        # 0006: done jobs whose webhook events are not written yet (the outbox)
        Index(
            "ix_jobs_unannounced",
            "id",
            sqlite_where=text("status = 'done' AND announced_at IS NULL"),
            postgresql_where=text("status = 'done' AND announced_at IS NULL"),
        ),
        # At most one active job per (revision, language): enqueue is idempotent even under races.
        Index(
            "uq_jobs_active_revision_id_lang",
            "revision_id",
            "lang",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(LANG)
    status: Mapped[str] = mapped_column(STATUS)
    attempts: Mapped[int]
    leased_by: Mapped[str | None]
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text)
    provenance_key: Mapped[str | None] = mapped_column(KEY)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # 0003: sent back by an editor: engine memory is not reused (corrections still are)
    fresh: Mapped[bool] = mapped_column(Boolean, server_default=text("0"))
    # 0006: priority (0 news and edits, 1 re-translations, 2 backfill), the article's site (sites
    # take turns), backoff, error kind, lost leases (not attempts), webhook outbox marker
    priority: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    next_attempt_at: Mapped[datetime | None]
    error_kind: Mapped[str] = mapped_column(String(16), server_default="")
    lost_leases: Mapped[int] = mapped_column(server_default=text("0"))
    announced_at: Mapped[datetime | None]


# --- integrations (migration 0002): editors, approvals, webhooks, feeds -------------------------


class EditorRow(Base):
    """A person who reviews a site's editions; logs in with email and password."""

    __tablename__ = "editors"
    __table_args__ = (UniqueConstraint("site_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  # stored lowercased
    password_hash: Mapped[str] = mapped_column(String(256))  # "scrypt$n$r$p$salt$hash"
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    role: Mapped[str] = mapped_column(String(16), server_default="editor")  # admin | editor (0003)


class EditorSessionRow(Base):
    """A login session; the cookie carries the token, the row only its hash."""

    __tablename__ = "editor_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editors.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(HASH, unique=True)
    csrf_hash: Mapped[str] = mapped_column(HASH)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class EditionApprovalRow(Base):
    """An editor approved (published) an edition; valid while its content is what was approved."""

    __tablename__ = "edition_approvals"
    __table_args__ = (UniqueConstraint("revision_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(LANG)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))
    content_hash: Mapped[str] = mapped_column(HASH)  # sha256 of the approved title/lead/body
    approved_at: Mapped[datetime]
    decision: Mapped[str] = mapped_column(String(16), server_default="approved")  # or rejected
    note: Mapped[str] = mapped_column(Text, server_default="")


class WebhookRow(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(128))  # HMAC key; needed in clear to sign
    events: Mapped[list[str]]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class WebhookEventRow(Base):
    """The outbox: one event to deliver to one webhook, with its exact JSON body."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        Index("ix_webhook_events_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(36))  # the same for every webhook of one event
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(STATUS)  # pending | delivered | failed
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class WebhookDeliveryRow(Base):
    """One HTTP attempt to deliver an event: the delivery log."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int]
    status_code: Mapped[int | None]
    error: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[int]
    attempted_at: Mapped[datetime]


class FeedRow(Base):
    __tablename__ = "feeds"
    __table_args__ = (UniqueConstraint("site_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None]
    last_status: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class FeedEntryRow(Base):
    """A feed entry already seen: de-duplication by GUID (per feed) and content hash (per site)."""

    __tablename__ = "feed_entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        Index("ix_feed_entries_site_id_content_hash", "site_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(HASH)  # of the entry as the feed shows it
    content_hash: Mapped[str | None] = mapped_column(HASH)  # ArticleDraft.content_hash()
    external_id: Mapped[str | None]
    outcome: Mapped[str] = mapped_column(STATUS)  # stored | duplicate | refused
    reason: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime]


# --- newsroom (migration 0003): edition history, audit log, publishing policies -----------------


class EditionVersionRow(Base):
    """One version of an edition as it was after a change: the history editors roll back to."""

    __tablename__ = "edition_versions"
    __table_args__ = (UniqueConstraint("revision_id", "lang", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(LANG)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(STATUS)
    title: Mapped[str | None] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[list[Any]] = mapped_column(JSON)  # [{index, target_html, origin, ...}]
    action: Mapped[str] = mapped_column(String(32))  # engine | correct | rollback | ...
    actor: Mapped[str] = mapped_column(String(254))  # editor email, or "worker"/"cli"
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditRow(Base):
    """Who did what, when, with the text before and after: never updated, never deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_site_id_created_at", "site_id", "created_at"),
        Index("ix_audit_log_revision_id_lang", "revision_id", "lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)  # e.g. "article cms-1 rev 2 ja segment 4"
    revision_id: Mapped[int | None]
    lang: Mapped[str | None] = mapped_column(LANG)
    position: Mapped[int | None]
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class PublishingPolicyRow(Base):
    """auto | clean | approval for one site and target language (no row: auto)."""

    __tablename__ = "publishing_policies"
    __table_args__ = (UniqueConstraint("site_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(LANG)
    policy: Mapped[str] = mapped_column(STATUS)
    updated_at: Mapped[datetime]


class EngineConfigRow(Base):
    """A configured translation engine (migration 0005). ``key_env`` names the environment
    variable holding its key; the key itself is never stored."""

    __tablename__ = "engines"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(200))
    key_env: Mapped[str] = mapped_column(String(128))
    options: Mapped[dict[str, Any]]
    concurrency: Mapped[int]
    timeout: Mapped[float]
    monthly_cap_chars: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str] = mapped_column(Text)


class EngineRouteRow(Base):
    """Which engine translates into ``lang`` for a site (``site_id`` NULL: every site)."""

    __tablename__ = "engine_routes"
    __table_args__ = (UniqueConstraint("site_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(LANG)
    engine: Mapped[str] = mapped_column(String(64))
    fallback: Mapped[list[str]]
    updated_at: Mapped[datetime]


class EngineUsageRow(Base):
    """What one engine was sent for one site on one UTC day."""

    __tablename__ = "engine_usage"
    __table_args__ = (UniqueConstraint("engine", "site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    characters: Mapped[int] = mapped_column(BigInteger)
    input_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    requests: Mapped[int]
    errors: Mapped[int]
