"""Application services for articles: submit, re-translate, correct. Used by the CLI and the API.

Everything that enters goes through the validator (encoding, size, sanitising, language) and the
segmenter *before* anything is stored, so a refused article leaves no row behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from warta.domain import (
    ArticleDraft,
    Edition,
    EditionStatus,
    Job,
    MemoryEntry,
    SegmentOrigin,
)
from warta.errors import FieldError, NotFoundError
from warta.ingest.sanitize import sanitize_html
from warta.ingest.validate import Validator
from warta.languages import SOURCE_LANG, Lang
from warta.pipeline import document_for
from warta.store.repository import SaveResult, Store
from warta.text import assemble
from warta.workers.queue import JobQueue


class Newsroom:
    def __init__(
        self, *, store: Store, queue: JobQueue, validator: Validator, targets: Sequence[Lang]
    ) -> None:
        self._store = store
        self._queue = queue
        self._validator = validator
        self._targets = tuple(targets)

    @property
    def validator(self) -> Validator:
        return self._validator

    def check(self, draft: ArticleDraft) -> ArticleDraft:
        """Validate and sanitise ``draft`` and make sure it segments; raises InputError."""
        clean = self._validator.validate(draft)
        document_for(title=clean.title, lead=clean.lead, body_html=clean.body_html)
        return clean

    def submit(self, draft: ArticleDraft) -> SaveResult:
        """Store a new article or a new revision and queue its editions (one transaction)."""
        clean = self.check(draft)
        self._store.get_site(clean.site)  # NotFoundError names `warta sites create`
        return self._store.save_article(clean, targets=self._targets)

    def retranslate(
        self, *, site_id: int, external_id: str, langs: Sequence[Lang] | None = None
    ) -> list[Job]:
        """Queue the current revision again for ``langs`` (default: every target)."""
        article = self._store.get_article(site_id=site_id, external_id=external_id)
        revision = self._store.get_current_revision(article.id)
        return [
            self._queue.enqueue(revision_id=revision.id, lang=lang)
            for lang in (langs or self._targets)
        ]

    def correct_segment(
        self, *, revision_id: int, lang: Lang, index: int, target_html: str
    ) -> Edition:
        """Replace one translated sentence with an editor's correction, and keep it.

        The correction goes into the site's translation memory as HUMAN, so every later revision
        that still contains the same Indonesian sentence keeps the editor's wording.
        """
        edition = self._store.get_edition(revision_id=revision_id, lang=lang)
        if edition.content is None or not edition.segments:
            raise NotFoundError(
                f"edition {lang} of revision {revision_id} has no translation to correct",
                hint="wait until it is translated, or translate it first",
                revision_id=revision_id,
                lang=lang.value,
            )
        if not 0 <= index < len(edition.segments):
            raise FieldError(
                f"segment index {index} is out of range (0..{len(edition.segments) - 1})",
                hint="use the index shown in the edition's segment list",
                field="index",
            )
        clean = sanitize_html(target_html).strip()
        if not clean:
            raise FieldError(
                "the correction is empty", hint="send the corrected sentence", field="target_html"
            )
        segments = list(edition.segments)
        segments[index] = replace(
            segments[index], target_html=clean, origin=SegmentOrigin.HUMAN, score=None, flags=()
        )
        revision = self._store.get_revision(revision_id)
        article = self._store.get_article_by_id(revision.article_id)
        document = document_for(
            title=revision.title, lead=revision.lead, body_html=revision.body_html
        )
        content = assemble(document, [s.target_html for s in segments], target=lang)
        flagged = [s for s in segments if s.flags]
        corrected = replace(
            edition,
            segments=tuple(segments),
            content=content,
            status=EditionStatus.NEEDS_REVIEW if flagged else EditionStatus.TRANSLATED,
            reason=edition.reason if flagged else "",
        )
        self._store.save_edition(corrected)
        self._store.remember(
            site_id=article.site_id,
            source=SOURCE_LANG,
            target=lang,
            entries=[
                MemoryEntry(
                    source_html=segments[index].source_html,
                    target_html=clean,
                    origin=SegmentOrigin.HUMAN,
                )
            ],
        )
        return corrected
