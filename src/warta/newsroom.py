"""Application services for articles: submit, re-translate, correct. Used by the CLI and the API.

Everything that enters goes through the validator (encoding, size, sanitising, language) and the
segmenter *before* anything is stored, so a refused article leaves no row behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from warta.domain import ArticleDraft, Edition, Job, JobPriority
from warta.errors import FieldError
from warta.ingest.validate import Validator
from warta.languages import Lang
from warta.pipeline import document_for
from warta.store.history import CorrectionResult, EditionVersion, SegmentChange
from warta.store.repository import SaveResult, Store
from warta.workers.queue import JobQueue

__all__ = ["CorrectionResult", "EditionVersion", "Newsroom", "SegmentChange"]

MAX_NOTE = 2000  # characters of an editor's note when sending an edition back


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
            self._queue.enqueue(
                revision_id=revision.id, lang=lang, priority=JobPriority.RETRANSLATE
            )
            for lang in (langs or self._targets)
        ]

    def correct_segment(
        self,
        *,
        revision_id: int,
        lang: Lang,
        index: int,
        target_html: str,
        base_version: int | None = None,
        editor_email: str = "cli",
    ) -> CorrectionResult:
        """Replace one translated sentence with an editor's correction, and keep it.

        One write transaction (see :meth:`~warta.store.history.EditionHistory.correct`): the
        revision must still be the article's current one and the segment still at
        ``base_version`` (else ConflictError, with the current text); the correction is
        sanitised, refused when empty, flagged when it drops a link or a number of the source,
        stored as HUMAN by ``editor_email``, written to the edition's history and the audit log,
        and goes into the site's translation memory as HUMAN, so every later revision that still
        contains the same Indonesian sentence keeps the editor's wording. ``base_version`` None
        (the command line) corrects whatever is there now.
        """
        return self._store.history.correct(
            revision_id=revision_id,
            lang=lang,
            index=index,
            target_html=target_html,
            base_version=base_version,
            actor=editor_email,
        )

    def rollback(
        self, *, revision_id: int, lang: Lang, to_version: int, editor_email: str
    ) -> Edition:
        """A new version of the edition with version ``to_version``'s texts (changed: HUMAN)."""
        return self._store.history.rollback(
            revision_id=revision_id, lang=lang, to_version=to_version, actor=editor_email
        )

    def send_back(self, *, revision_id: int, lang: Lang, editor_email: str, note: str = "") -> Job:
        """Queue the edition for a fresh re-translation (engine memory is not reused)."""
        note = " ".join(note.split())
        if len(note) > MAX_NOTE:
            raise FieldError(
                f"the note is {len(note)} characters long, more than {MAX_NOTE}",
                hint="say in a few sentences why the edition goes back",
                field="note",
            )
        return self._store.history.send_back(
            revision_id=revision_id, lang=lang, actor=editor_email, note=note
        )

    def history(self, *, revision_id: int, lang: Lang) -> list[EditionVersion]:
        """The edition's versions, newest first."""
        return self._store.history.versions(revision_id=revision_id, lang=lang)

    def diff(self, *, revision_id: int, lang: Lang, version: int) -> list[SegmentChange]:
        """What changed in ``version`` of the edition, against the version before it."""
        return self._store.history.changes(revision_id=revision_id, lang=lang, version=version)
