"""Records the store returns that are not domain records of their own."""

from __future__ import annotations

from dataclasses import dataclass

from warta.domain import (
    Article,
    Edition,
    EditionStatus,
    Glossary,
    Job,
    MemoryEntry,
    Revision,
)
from warta.languages import Lang


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What :meth:`Store.save_article` did; ``new_revision`` is False for unchanged text."""

    article: Article
    revision: Revision
    new_revision: bool
    jobs: tuple[Job, ...]  # the translation jobs queued with a new revision; empty otherwise


@dataclass(frozen=True, slots=True)
class Finished:
    """A worker's finished translation, to record with :meth:`Store.record_translations`."""

    job_id: int
    site_id: int  # the site of the job's article (checked)
    edition: Edition
    memory: tuple[MemoryEntry, ...]  # engine translations worth remembering
    # What the job was planned with: its ``fresh`` (sent back) and the site's glossary at the
    # time. Recording compares them with the job row and the glossary now, and queues a
    # follow-up job when an editor sent the edition back, or the glossary changed in a way that
    # affects its sentences, while it was being translated (None: not known, no follow-up).
    fresh: bool | None = None
    glossary: Glossary | None = None


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One edition of an article's current revision, for status pages and ``warta status``."""

    site: str  # the site's slug
    external_id: str
    article_id: int
    revision_number: int
    revision_id: int
    lang: Lang
    status: EditionStatus
    reason: str
    reused: int  # segments taken from translation memory (machine or human)
    translated: int  # segments translated by the engine
    provenance_signature: str  # "" until translated
    reused_human: int = 0  # of ``reused``: editors' corrections
    reused_engine: int = 0  # of ``reused``: machine translations from memory
    flagged: int = 0  # segments with a quality flag (whatever their origin)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `warta status --format json` and GET /api/v1/status."""
        return {
            "site": self.site,
            "external_id": self.external_id,
            "revision": self.revision_number,
            "lang": self.lang.value,
            "status": self.status.value,
            "reason": self.reason,
            "segments_reused": self.reused,
            "segments_reused_human": self.reused_human,
            "segments_reused_engine": self.reused_engine,
            "segments_translated": self.translated,
            "segments_flagged": self.flagged,
            "provenance": self.provenance_signature,
        }
