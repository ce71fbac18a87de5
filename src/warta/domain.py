"""Domain records: frozen, typed, free of I/O.

Tables (:mod:`warta.store.tables`) and API schemas (:mod:`warta.api.schemas`) are separate shapes,
mapped to and from these records explicitly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum

from warta.languages import Lang


class BlockKind(StrEnum):
    """Block elements of a news article, in reading order."""

    HEADLINE = "headline"
    LEAD = "lead"
    PARAGRAPH = "paragraph"
    SUBHEAD = "subhead"
    LIST_ITEM = "list_item"
    BLOCKQUOTE = "blockquote"
    CAPTION = "caption"


class EditionStatus(StrEnum):
    PENDING = (
        "pending"  # not translated yet (queued, or no model for the language): reason says which
    )
    TRANSLATED = "translated"  # machine translation stored, no doubtful segment
    NEEDS_REVIEW = "needs_review"  # translated, but at least one segment is flagged doubtful
    FAILED = "failed"  # the engine failed; reason says why; the job may be retried


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # a newer revision of the article came before it ran


class JobPriority(IntEnum):
    """Which jobs run first (lower first); within one priority, sites take turns."""

    NEWS = 0  # new articles and edits: readers are waiting
    RETRANSLATE = 1  # re-translations (glossary changes, send-backs, `warta retranslate`)
    BACKFILL = 2  # archive backfill (`warta backfill`)


class JobErrorKind(StrEnum):
    """How a job's last error is treated: retried with backoff, or dead letter at once."""

    NONE = ""
    TRANSIENT = "transient"  # a passing failure (timeout, outage, engine error): retried
    PERMANENT = "permanent"  # it cannot succeed as it is (bad source, no such revision)


class PublishingPolicy(StrEnum):
    """When a site publishes an edition of one language to readers."""

    AUTO = "auto"  # translated and needs_review editions are published (the default)
    CLEAN = "clean"  # only editions with no flagged segment
    APPROVAL = "approval"  # every edition waits until an editor approves it


class EditorRole(StrEnum):
    ADMIN = "admin"  # editors, glossary, publishing policy, and everything an editor does
    EDITOR = "editor"  # correct, approve, reject, send back


class SegmentOrigin(StrEnum):
    ENGINE = "engine"  # translated by the model for this revision
    MEMORY = "memory"  # exact match from the site's translation memory (machine)
    HUMAN = "human"  # an editor's correction, kept across revisions
    VERBATIM = "verbatim"  # copied unchanged, never sent to a model (datelines)


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    slug: str
    name: str
    glossary_version: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """A validated Indonesian article as it arrives from ingest or the API, before storage."""

    site: str
    external_id: str
    title: str
    body_html: str
    lead: str = ""
    category: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None
    published_at: datetime | None = None
    source_url: str | None = None

    def content_hash(self) -> str:
        """Hash of the translatable content: a new revision is made only when it changes."""
        payload = json.dumps(
            [self.title, self.lead, self.body_html], ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    site_id: int
    external_id: str
    category: str | None
    tags: tuple[str, ...]
    author: str | None
    published_at: datetime | None
    source_url: str | None
    current_revision: int  # the revision *number* (1, 2, ...) of the canonical Indonesian text
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Revision:
    id: int
    article_id: int
    number: int
    title: str
    lead: str
    body_html: str
    content_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ModelProvenance:
    name: str
    checksum: str  # "sha256:<hex>" of the model's weights file
    source: Lang
    target: Lang
    # The model's manifest says its weights are random (warta.engines.testing): a test model
    # whose output is meaningless. Recorded, but not part of the signature.
    random_weights: bool = False

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "name": self.name,
            "checksum": self.checksum,
            "source": self.source.value,
            "target": self.target.value,
        }
        if self.random_weights:  # only then: the records of real models stay as they were
            data["random_weights"] = True
        return data


@dataclass(frozen=True, slots=True)
class Provenance:
    """How a translation was made: enough to reproduce or re-run it.

    ``signature()`` is a one-line, sacrebleu-style string; ``key()`` its short hash, used to make
    translation jobs idempotent on (revision, language, provenance).
    """

    engine: str
    models: tuple[ModelProvenance, ...]  # one for a direct route, two for a pivot through English
    decoding: tuple[tuple[str, str | int | float | bool], ...]  # sorted (name, value) pairs
    device: str
    compute_type: str
    glossary_version: int
    segmenter_version: str
    app_version: str
    # Set on an edition made by more than one engine (engine "mixed": a fallback translated some
    # of its segments): the provenance of each, whose key() is a segment's provenance_key.
    parts: tuple[Provenance, ...] = ()

    @property
    def route(self) -> str:
        if self.parts:
            return "mixed"
        return "direct" if len(self.models) == 1 else "pivot:" + self.models[0].target.value

    @property
    def segments_by(self) -> dict[str, Provenance]:
        """Provenance key -> the provenance of what made segments with that key."""
        return {p.key(): p for p in self.parts} if self.parts else {self.key(): self}

    @property
    def random_weights(self) -> bool:
        """Made by a test model (random weights): not a translation, whatever it looks like."""
        return any(m.random_weights for m in self.models)

    def signature(self) -> str:
        parts = [f"engine:{self.engine}"]
        parts += [f"model:{m.name}@{m.checksum[:19]}" for m in self.models]
        parts.append(f"route:{self.route}")
        parts += [f"{k}:{v}" for k, v in self.decoding]
        parts += [
            f"device:{self.device}",
            f"compute:{self.compute_type}",
            f"glossary:{self.glossary_version}",
            f"segmenter:{self.segmenter_version}",
            f"warta:{self.app_version}",
        ]
        if self.parts:  # only then: single-engine signatures stay as they were
            parts.append("parts:" + "+".join(p.key() for p in self.parts))
        return "|".join(parts)

    def key(self) -> str:
        return hashlib.sha256(self.signature().encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "models": [m.to_dict() for m in self.models],
            "route": self.route,
            "decoding": dict(self.decoding),
            "device": self.device,
            "compute_type": self.compute_type,
            "glossary_version": self.glossary_version,
            "segmenter_version": self.segmenter_version,
            "app_version": self.app_version,
            "signature": self.signature(),
            **({"segments_by": {p.key(): p.to_dict() for p in self.parts}} if self.parts else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Provenance:
        models = data["models"]
        decoding = data["decoding"]
        if not isinstance(models, list) or not isinstance(decoding, dict):
            raise TypeError(
                "provenance record is malformed: models must be a list, decoding a dict"
            )
        by = data.get("segments_by")
        return cls(
            engine=str(data["engine"]),
            models=tuple(
                ModelProvenance(
                    name=str(m["name"]),
                    checksum=str(m["checksum"]),
                    source=Lang(m["source"]),
                    target=Lang(m["target"]),
                    random_weights=bool(m.get("random_weights", False)),
                )
                for m in models
            ),
            decoding=tuple(sorted(decoding.items())),
            device=str(data["device"]),
            compute_type=str(data["compute_type"]),
            glossary_version=int(str(data["glossary_version"])),
            segmenter_version=str(data["segmenter_version"]),
            app_version=str(data["app_version"]),
            parts=tuple(cls.from_dict(p) for p in by.values()) if isinstance(by, dict) else (),
        )


@dataclass(frozen=True, slots=True)
class SegmentTranslation:
    """One source sentence (inline HTML) and its translation in one language."""

    index: int  # position in the article, 0-based, across all blocks
    block: int  # index of the block it belongs to
    source_html: str
    target_html: str
    origin: SegmentOrigin
    score: float | None = None  # model log-probability per token; None for memory/human
    flags: tuple[str, ...] = ()  # quality reasons ("placeholder_lost", ...); empty = no doubt
    quality: float | None = None  # quality-estimation score in [0, 1]; None for memory/human
    version: int = 1  # +1 on every stored change; a correction names the version it was made on
    edited_by: str | None = None  # the editor (email) whose correction this is, for HUMAN
    edited_at: datetime | None = None
    suggestion_html: str | None = None  # an earlier correction of a changed source sentence
    provenance_key: str | None = None  # Provenance.key() of what made it (engine/memory)


@dataclass(frozen=True, slots=True)
class EditionContent:
    """A translated article: the same shape as the Indonesian revision."""

    title: str
    lead: str
    body_html: str


@dataclass(frozen=True, slots=True)
class Edition:
    """The state of one language edition of one revision."""

    revision_id: int
    lang: Lang
    status: EditionStatus
    reason: str = ""  # why pending/failed/needs review, in words an editor understands
    content: EditionContent | None = None
    segments: tuple[SegmentTranslation, ...] = ()
    provenance: Provenance | None = None
    updated_at: datetime | None = None
    quality: float | None = None  # article-level quality in [0, 1], summarised from segments
    version: int = 1  # +1 on every stored change (engine result, correction, rollback)

    @property
    def reused_segments(self) -> int:
        return sum(
            1 for s in self.segments if s.origin in (SegmentOrigin.MEMORY, SegmentOrigin.HUMAN)
        )

    @property
    def translated_segments(self) -> int:
        return sum(1 for s in self.segments if s.origin is SegmentOrigin.ENGINE)


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    revision_id: int
    lang: Lang
    status: JobStatus
    attempts: int
    leased_by: str | None = None
    lease_expires_at: datetime | None = None
    last_error: str = ""
    created_at: datetime | None = None
    fresh: bool = False  # sent back by an editor: engine memory is not reused (HUMAN still is)
    priority: JobPriority = JobPriority.NEWS
    site_id: int | None = None
    next_attempt_at: datetime | None = None  # a retried job waits until then (backoff)
    error_kind: JobErrorKind = JobErrorKind.NONE
    lost_leases: int = 0  # leases lost to crashes or outages: never counted as attempts


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """A source term and what it must become.

    ``do_not_translate`` keeps the term verbatim in every language (names, places, institutions);
    otherwise ``translations`` gives the required rendering per target language.
    """

    source: str
    translations: Mapping[Lang, str] = field(default_factory=dict)
    do_not_translate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True, slots=True)
class Glossary:
    version: int
    terms: tuple[GlossaryTerm, ...] = ()

    @classmethod
    def empty(cls) -> Glossary:
        return cls(version=0)


@dataclass(frozen=True, slots=True)
class MemoryEntry:
    """Translation memory: an exact source sentence (inline HTML) and its stored translation."""

    source_html: str
    target_html: str
    origin: SegmentOrigin  # MEMORY-eligible entries come from ENGINE or HUMAN
    provenance_key: str = ""
    engine_key: str = ""  # engine, models and decoding that made it (ENGINE entries)
    glossary_key: str = ""  # the glossary terms that apply to this sentence, when it was made
    flags: tuple[str, ...] = ()  # quality flags of the engine translation (kept with it)
    score: float | None = None
    quality: float | None = None


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    """A converted CTranslate2 model directory registered for one language pair."""

    name: str
    path: str
    source: Lang
    target: Lang
    family: str  # "marian" | "nllb" | "m2m100" | "madlad"
    checksum: str
    added_at: datetime | None = None
