"""Request and response shapes of the integration API, separate from tables and domain records.

Requests: :class:`ArticleCreate` (POST), :class:`ArticleUpdate` (PUT, the id is in the path),
:class:`RetranslateRequest`, :class:`WebhookCreate`, :class:`LoginRequest`,
:class:`CorrectionRequest`. They forbid unknown fields, so a misspelt field is named in the 422
instead of being dropped. Responses are built from domain records by the explicit ``from_domain``
constructors; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from warta.domain import (
    ArticleDraft,
    Edition,
    EditionStatus,
    Job,
    JobStatus,
    Provenance,
    PublishingPolicy,
)
from warta.ingest.markup import plain_text
from warta.ingest.sanitize import sanitize_html
from warta.languages import Lang
from warta.ranges import EARLIEST, LATEST, time_in_range
from warta.store.changes import ArticleView
from warta.store.history import EditionVersion, SegmentChange
from warta.store.records import StatusRow
from warta.store.webhooks import DeliveryAttempt, OutboxStatus, Webhook

TargetLang = Literal["en", "zh", "ja", "ar", "fr"]
EventName = Literal["edition.translated", "edition.updated", "edition.flagged", "edition.published"]
ALL_EVENTS: tuple[EventName, ...] = (
    "edition.translated",
    "edition.updated",
    "edition.flagged",
    "edition.published",
)

ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(max_length=200)]
Tag = Annotated[str, StringConstraints(max_length=100)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048)]


def _storable(value: datetime) -> datetime:
    if not time_in_range(value):
        raise PydanticCustomError(
            "datetime_out_of_range",
            "Input should be between {earliest} and {latest} in UTC",
            {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )
    return value


# An aware time the store can hold and the site can show in any zone (warta.ranges).
StoredTime = Annotated[AwareDatetime, AfterValidator(_storable)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """No text of a request holds NUL: PostgreSQL text cannot store it."""
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise PydanticCustomError("nul_character", "Input should not contain NUL (U+0000)")
        return value


class _ArticleFields(_Request):
    title: str = Field(min_length=1, description="Plain text, Indonesian.")
    lead: str = Field(default="", description="Plain text standfirst; may be empty.")
    body_html: str = Field(
        min_length=1,
        description="HTML; sanitised on the way in (nh3 allowlist): scripts, styles, event "
        "handlers and javascript:/data: URLs never get stored.",
    )
    category: Label | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    author: Label | None = None
    published_at: StoredTime | None = Field(
        default=None, description="With a UTC offset, e.g. 2025-03-10T09:30:00+07:00."
    )
    source_url: Url | None = Field(default=None, description="The article on the portal.")

    def draft(self, *, site: str, external_id: str) -> ArticleDraft:
        return ArticleDraft(
            site=site,
            external_id=external_id,
            title=self.title,
            lead=self.lead,
            body_html=self.body_html,
            category=self.category,
            tags=tuple(self.tags),
            author=self.author,
            published_at=self.published_at,
            source_url=self.source_url,
        )


class ArticleCreate(_ArticleFields):
    """A new article. Sending the same article again is harmless; different content under an
    existing ``external_id`` is refused with 409 (update it with PUT)."""

    external_id: ExternalId = Field(description="The portal's own id of the article.")


class ArticleUpdate(_ArticleFields):
    """The whole article, stored under the id in the path (created if new)."""


class RetranslateRequest(_Request):
    langs: list[TargetLang] | None = Field(
        default=None, min_length=1, description="Default: every edition."
    )


class WebhookCreate(_Request):
    url: Url = Field(description="Where warta POSTs the events (http or https).")
    events: list[EventName] = Field(
        default_factory=lambda: list(ALL_EVENTS),
        min_length=1,
        max_length=4,
        description="Default: every event.",
    )


class LoginRequest(_Request):
    site: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class CorrectionRequest(_Request):
    target_html: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] = Field(
        description="The corrected sentence (inline HTML, sanitised)."
    )
    version: int = Field(
        ge=1,
        le=2**31 - 1,
        description="The segment's version you corrected (from the edition's segments); "
        "if the segment changed since, the answer is 409 with its current text and version.",
    )
    revision: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The revision you corrected; 409 if it is no longer the current one.",
    )


class RollbackRequest(_Request):
    version: int = Field(ge=1, le=2**31 - 1, description="The version to restore the texts of.")


class SendBackRequest(_Request):
    note: Annotated[str, StringConstraints(max_length=2000)] = Field(
        default="", description="Why it goes back (shown in the edition's reason)."
    )


# --- responses -----------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable, e.g. invalid_field.")
    message: str = Field(description="What is wrong.")
    hint: str | None = Field(default=None, description="How to fix it.")
    context: dict[str, Any] | None = Field(
        default=None, description="Details: the field, the limit, the id..."
    )


class ErrorResponse(BaseModel):
    error: ErrorDetail


class ModelPublic(BaseModel):
    name: str
    checksum: str
    source: str
    target: str
    random_weights: bool = Field(
        default=False, description="A test model with random weights: its output is meaningless."
    )


class ProvenancePublic(BaseModel):
    engine: str
    models: list[ModelPublic]
    route: str
    decoding: dict[str, str | int | float | bool]
    device: str
    compute_type: str
    glossary_version: int
    segmenter_version: str
    app_version: str
    signature: str

    @classmethod
    def from_domain(cls, provenance: Provenance) -> ProvenancePublic:
        return cls(
            engine=provenance.engine,
            models=[
                ModelPublic(
                    name=m.name,
                    checksum=m.checksum,
                    source=m.source.value,
                    target=m.target.value,
                    random_weights=m.random_weights,
                )
                for m in provenance.models
            ],
            route=provenance.route,
            decoding=dict(provenance.decoding),
            device=provenance.device,
            compute_type=provenance.compute_type,
            glossary_version=provenance.glossary_version,
            segmenter_version=provenance.segmenter_version,
            app_version=provenance.app_version,
            signature=provenance.signature(),
        )


class SegmentPublic(BaseModel):
    index: int
    source_html: str = Field(description="Sanitised inline HTML.")
    target_html: str = Field(description="Sanitised inline HTML.")
    origin: str = Field(description="engine, memory, human or verbatim")
    flags: list[str] = Field(description="Why the sentence needs review; empty if it does not.")
    quality: float | None
    version: int = Field(default=1, description="Send it with a correction of this segment.")
    edited_by: str | None = Field(default=None, description="The editor who corrected it.")
    edited_at: datetime | None = None
    suggestion_html: str | None = Field(
        default=None,
        description="An earlier correction of this sentence, whose Indonesian source changed.",
    )


class EditionSummary(BaseModel):
    lang: str
    status: EditionStatus
    reason: str
    quality: float | None
    published: bool = Field(
        description="Readers see this edition: the site's publishing policy for the language "
        "(auto, clean or approval) and the editors' decisions allow it (as on the site)."
    )
    updated_at: datetime | None


class EditionPublic(BaseModel):
    external_id: str
    revision: int = Field(description="The Indonesian revision this edition translates.")
    lang: str
    status: EditionStatus
    reason: str
    published: bool = Field(
        description="Readers see this edition (the site's publishing policy and the editors' "
        "decisions allow it): the same answer as the site and the webhooks give."
    )
    quality: float | None = Field(description="Estimated quality in [0, 1].")
    title: str | None = Field(description="Plain text (escape it when you put it in HTML).")
    lead: str | None = Field(description="Plain text; may be empty.")
    body_html: str | None = Field(description="Sanitised HTML; null until translated.")
    text: str | None = Field(description="The body as plain text; null until translated.")
    provenance: ProvenancePublic | None
    test_model: bool = Field(
        default=False,
        description="Made by a test model with random weights: meaningless, not a translation.",
    )
    updated_at: datetime | None
    segments: list[SegmentPublic] | None = Field(
        default=None, description="Sentence by sentence (for editors); omitted in listings."
    )

    @classmethod
    def from_domain(
        cls,
        edition: Edition,
        *,
        external_id: str,
        revision: int,
        published: bool,
        with_segments: bool,
    ) -> EditionPublic:
        content = edition.content
        body = sanitize_html(content.body_html) if content else None
        return cls(
            external_id=external_id,
            revision=revision,
            lang=edition.lang.value,
            status=edition.status,
            reason=edition.reason,
            published=published,
            quality=edition.quality,
            title=_plain(content.title) if content else None,
            lead=_plain(content.lead) if content else None,
            body_html=body,
            text=plain_text(body) if body is not None else None,
            provenance=ProvenancePublic.from_domain(edition.provenance)
            if edition.provenance
            else None,
            test_model=edition.provenance is not None and edition.provenance.random_weights,
            updated_at=edition.updated_at,
            segments=[
                SegmentPublic(
                    index=s.index,
                    source_html=sanitize_html(s.source_html),
                    target_html=sanitize_html(s.target_html),
                    origin=s.origin.value,
                    flags=list(s.flags),
                    quality=s.quality,
                    version=s.version,
                    edited_by=s.edited_by,
                    edited_at=s.edited_at,
                    suggestion_html=sanitize_html(s.suggestion_html)
                    if s.suggestion_html is not None
                    else None,
                )
                for s in edition.segments
            ]
            if with_segments
            else None,
        )


class ArticlePublic(BaseModel):
    site: str
    external_id: str
    revision: int = Field(description="Number of the current Indonesian revision (1, 2, ...).")
    title: str = Field(description="The Indonesian title of the current revision.")
    category: str | None
    tags: list[str]
    author: str | None
    published_at: datetime | None
    source_url: str | None
    created_at: datetime
    updated_at: datetime
    changed_at: datetime = Field(
        description="Latest change of the article or one of its editions (use with `since`)."
    )
    editions: list[EditionSummary]

    @classmethod
    def from_domain(cls, view: ArticleView, *, site: str) -> ArticlePublic:
        article = view.article
        return cls(
            site=site,
            external_id=article.external_id,
            revision=view.revision.number,
            title=view.revision.title,
            category=article.category,
            tags=list(article.tags),
            author=article.author,
            published_at=article.published_at,
            source_url=article.source_url,
            created_at=article.created_at,
            updated_at=article.updated_at,
            changed_at=view.changed_at,
            editions=[
                EditionSummary(
                    lang=e.lang.value,
                    status=e.status,
                    reason=e.reason,
                    quality=e.quality,
                    published=view.published(e.lang),
                    updated_at=e.updated_at,
                )
                for e in view.editions
            ],
        )


class ArticleSaved(BaseModel):
    article: ArticlePublic
    new_revision: bool = Field(description="False when the text was unchanged (nothing queued).")
    queued: list[str] = Field(description="Languages queued for translation.")


class ArticlePage(BaseModel):
    items: list[ArticlePublic]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class JobPublic(BaseModel):
    id: int
    lang: str
    status: JobStatus


class RetranslateResult(BaseModel):
    queued: list[JobPublic]


class JobDetail(BaseModel):
    """A translation job as an operator sees it: why it failed, how often, when it runs again."""

    id: int
    revision_id: int
    lang: str
    status: JobStatus
    priority: str = Field(description="news, retranslate or backfill (which runs first)")
    attempts: int = Field(description="errors the job itself raised (a lost lease is not one)")
    lost_leases: int = Field(description="times a worker stopped (crash, kill) while holding it")
    error_kind: str = Field(description="transient (retried), permanent (dead letter) or empty")
    last_error: str
    next_attempt_at: datetime | None = Field(description="a retried job waits until then")
    created_at: datetime | None

    @classmethod
    def from_domain(cls, job: Job) -> JobDetail:
        return cls(
            id=job.id,
            revision_id=job.revision_id,
            lang=job.lang.value,
            status=job.status,
            priority=job.priority.name.lower(),
            attempts=job.attempts,
            lost_leases=job.lost_leases,
            error_kind=job.error_kind.value,
            last_error=job.last_error,
            next_attempt_at=job.next_attempt_at,
            created_at=job.created_at,
        )


class JobList(BaseModel):
    state: Literal["failed", "queued", "running"]
    jobs: list[JobDetail]


class JobRetried(BaseModel):
    queued: bool = Field(description="false: superseded by a newer revision, or already queued")
    job: JobDetail


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime

    @classmethod
    def from_domain(cls, hook: Webhook) -> WebhookPublic:
        return cls(
            id=hook.id,
            url=hook.url,
            events=list(hook.events),
            active=hook.active,
            created_at=hook.created_at,
        )


class WebhookCreated(WebhookPublic):
    secret: str = Field(
        description="The HMAC-SHA256 key of X-Warta-Signature; shown only in this response."
    )


class WebhookList(BaseModel):
    items: list[WebhookPublic]


class DeliveryPublic(BaseModel):
    id: int
    event_id: str
    event: str
    attempt: int
    status_code: int | None = Field(description="null when no HTTP answer came (timeout...).")
    error: str
    duration_ms: int
    attempted_at: datetime
    event_status: OutboxStatus

    @classmethod
    def from_domain(cls, attempt: DeliveryAttempt) -> DeliveryPublic:
        return cls(
            id=attempt.id,
            event_id=attempt.event_id,
            event=attempt.event,
            attempt=attempt.attempt,
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
            attempted_at=attempt.attempted_at,
            event_status=attempt.event_status,
        )


class DeliveryPage(BaseModel):
    items: list[DeliveryPublic]
    next_before: int | None = Field(description="Pass as `before` for older attempts.")


class EditorPublic(BaseModel):
    site: str
    email: str


class LoginResult(BaseModel):
    editor: EditorPublic
    csrf_token: str = Field(description="Send it in X-CSRF-Token with every change.")
    expires_at: datetime


class ReviewItem(BaseModel):
    external_id: str
    revision: int
    lang: str
    status: EditionStatus
    reason: str
    engine_segments: int = Field(description="Sentences translated by the engine.")

    @classmethod
    def from_domain(cls, row: StatusRow) -> ReviewItem:
        return cls(
            external_id=row.external_id,
            revision=row.revision_number,
            lang=row.lang.value,
            status=row.status,
            reason=row.reason,
            engine_segments=row.translated,
        )


class ReviewList(BaseModel):
    items: list[ReviewItem]


class CorrectedEdition(EditionPublic):
    warnings: list[str] = Field(
        description="correction_dropped_link / correction_dropped_number: the correction was "
        "stored, but lacks a link or a number of the Indonesian sentence."
    )


class EditionVersionPublic(BaseModel):
    version: int
    action: str = Field(description="engine, correct or rollback.")
    actor: str = Field(description="The editor's email, worker or cli.")
    created_at: datetime
    note: str
    status: EditionStatus

    @classmethod
    def from_domain(cls, entry: EditionVersion) -> EditionVersionPublic:
        return cls(
            version=entry.version,
            action=entry.action,
            actor=entry.actor,
            created_at=entry.created_at,
            note=entry.note,
            status=entry.status,
        )


class EditionHistoryPublic(BaseModel):
    items: list[EditionVersionPublic] = Field(description="Newest first.")


class SegmentChangePublic(BaseModel):
    index: int
    source_html: str = Field(description="Sanitised inline HTML.")
    before: str = Field(description="Sanitised inline HTML; empty in the first version.")
    after: str = Field(description="Sanitised inline HTML.")
    diff_html: str = Field(description="Word-level diff: escaped text with <del> and <ins>.")

    @classmethod
    def from_domain(cls, change: SegmentChange) -> SegmentChangePublic:
        return cls(
            index=change.index,
            source_html=sanitize_html(change.source_html),
            before=sanitize_html(change.before),
            after=sanitize_html(change.after),
            diff_html=change.diff_html,
        )


class VersionChanges(BaseModel):
    version: EditionVersionPublic
    changes: list[SegmentChangePublic] = Field(description="Against the version before it.")


# --- publishing: decisions and policies (warta.publishing) ---------------------------------------

PolicyName = Literal["auto", "clean", "approval"]


class RejectRequest(_Request):
    note: str = Field(
        min_length=1,
        max_length=2000,
        description="What is wrong with the translation (kept with the decision).",
    )


class PolicyPublic(BaseModel):
    lang: str
    policy: PolicyName = Field(
        description="auto: translated and needs_review editions are published; clean: only "
        "editions with no flagged sentence; approval: only editions an editor approved."
    )


class PolicyList(BaseModel):
    items: list[PolicyPublic]

    @classmethod
    def from_domain(cls, policies: Mapping[Lang, PublishingPolicy]) -> PolicyList:
        return cls(
            items=[PolicyPublic(lang=lang.value, policy=p.value) for lang, p in policies.items()]
        )


class PolicyUpdate(_Request):
    lang: TargetLang | None = Field(default=None, description="One language; omitted: all five.")
    policy: PolicyName


def _plain(fragment: str) -> str:
    """Title and lead as plain text, whatever markup the translation put into them."""
    return plain_text(sanitize_html(fragment))


def target(lang: str) -> Lang:
    return Lang(lang)


def targets(langs: Sequence[str] | None) -> list[Lang] | None:
    return [Lang(v) for v in langs] if langs else None
