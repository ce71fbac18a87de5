"""What editors do through the API: find editions that need review, correct, approve.

Every action is scoped to the editor's site (an article of another site is "not found"), goes
through :class:`~warta.newsroom.Newsroom` where the newsroom has the rule (corrections are
sanitised there and kept in the translation memory), and emits the webhook event.
"""

from __future__ import annotations

from dataclasses import dataclass

from warta.domain import Edition, EditionStatus, Job, PublishingPolicy, Revision
from warta.errors import ConflictError, FieldError, NotFoundError
from warta.integrations.access import require_admin
from warta.integrations.webhooks import EditionEvents
from warta.languages import Lang
from warta.newsroom import CorrectionResult, EditionVersion, Newsroom, SegmentChange
from warta.store.approvals import Approval, ApprovalStore
from warta.store.changes import (
    ArticleQueries,
    ArticleView,
    QueueFilter,
    QueueItem,
    QueueOrder,
    QueueStatus,
)
from warta.store.editors import Editor
from warta.store.policies import PolicyChange, PolicyStore
from warta.store.records import StatusRow
from warta.store.repository import Store

MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class Approved:
    edition: Edition
    approval: Approval
    published: bool = True  # whether the edition is published after the approval


class EditorialDesk:
    def __init__(
        self,
        *,
        store: Store,
        queries: ArticleQueries,
        approvals: ApprovalStore,
        newsroom: Newsroom,
        events: EditionEvents,
        policies: PolicyStore,
    ) -> None:
        self._store = store
        self._queries = queries
        self._approvals = approvals
        self._newsroom = newsroom
        self._events = events
        self._policies = policies

    def needing_review(self, *, site_id: int) -> list[StatusRow]:
        """Editions of current revisions with a doubtful sentence, newest articles first."""
        return [
            row
            for row in self._store.status_rows(site_id=site_id)
            if row.status is EditionStatus.NEEDS_REVIEW
        ]

    def correct(
        self,
        *,
        site_id: int,
        external_id: str,
        lang: Lang,
        index: int,
        target_html: str,
        base_version: int,
        editor: Editor,
        revision: int | None = None,
    ) -> CorrectionResult:
        """Correct one segment of the current revision's edition, made on ``base_version``.

        ``revision`` (its number), when given, must be the current one (else 409), so that a
        correction made on a page of an older revision never lands on a newer one.
        """
        found = self._revision(site_id=site_id, external_id=external_id, number=revision)
        was_published = self._was_published(site_id=site_id, revision_id=found.id, lang=lang)
        result = self._newsroom.correct_segment(
            revision_id=found.id,
            lang=lang,
            index=index,
            target_html=target_html,
            base_version=base_version,
            editor_email=editor.email,
        )
        self._events.corrected(result.edition, was_published=was_published)
        return result

    def history(self, *, site_id: int, external_id: str, lang: Lang) -> list[EditionVersion]:
        """The current revision's edition history, newest first."""
        found = self._revision(site_id=site_id, external_id=external_id)
        return self._newsroom.history(revision_id=found.id, lang=lang)

    def diff(
        self, *, site_id: int, external_id: str, lang: Lang, version: int
    ) -> list[SegmentChange]:
        """What ``version`` changed, segment by segment, against the version before it."""
        found = self._revision(site_id=site_id, external_id=external_id)
        return self._newsroom.diff(revision_id=found.id, lang=lang, version=version)

    def rollback(
        self, *, site_id: int, external_id: str, lang: Lang, to_version: int, editor: Editor
    ) -> Edition:
        """A new version with ``to_version``'s texts; the segments it changes become HUMAN."""
        found = self._revision(site_id=site_id, external_id=external_id)
        was_published = self._was_published(site_id=site_id, revision_id=found.id, lang=lang)
        edition = self._newsroom.rollback(
            revision_id=found.id, lang=lang, to_version=to_version, editor_email=editor.email
        )
        self._events.corrected(edition, was_published=was_published)
        return edition

    def _was_published(self, *, site_id: int, revision_id: int, lang: Lang) -> bool:
        """Whether the edition is published before a change, so that a change that publishes
        it says so (``edition.published``, e.g. the last flagged sentence corrected under
        ``clean``, or a rejected text replaced)."""
        before = self._store.get_edition(revision_id=revision_id, lang=lang)
        return self._queries.publication(site_id=site_id, edition=before).published

    def send_back(
        self, *, site_id: int, external_id: str, lang: Lang, editor: Editor, note: str = ""
    ) -> Job:
        """Queue a fresh re-translation of the edition; its reason says who sent it back."""
        found = self._revision(site_id=site_id, external_id=external_id)
        return self._newsroom.send_back(
            revision_id=found.id, lang=lang, editor_email=editor.email, note=note
        )

    def _revision(self, *, site_id: int, external_id: str, number: int | None = None) -> Revision:
        """The article's current revision, or revision ``number`` of it (another site: 404)."""
        article = self._store.get_article(site_id=site_id, external_id=external_id)
        if number is None or number == article.current_revision:
            return self._store.get_current_revision(article.id)
        for rev in self._store.list_revisions(article.id):
            if rev.number == number:
                return rev
        raise NotFoundError(
            f"article {external_id!r} has no revision {number}",
            hint=f"its current revision is {article.current_revision}",
            external_id=external_id,
            revision=number,
        )

    # --- decisions and policy (publishing: see warta.publishing) ---------------------------------

    def _decidable(self, *, site_id: int, external_id: str, lang: Lang, verb: str) -> ArticleView:
        """The article's view, if its ``lang`` edition is translated (ConflictError otherwise)."""
        view = self._queries.view(site_id=site_id, external_id=external_id)
        edition = view.edition(lang)
        if edition is None or edition.content is None:
            raise ConflictError(
                f"the {lang} edition of {external_id!r} is not translated yet",
                hint=f"{verb} it once its status is translated or needs_review",
                field="lang",
                external_id=external_id,
            )
        if edition.status not in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW):
            raise ConflictError(
                f"the {lang} edition of {external_id!r} is {edition.status}",
                hint=f"translate it again (POST .../retranslate), then {verb} it",
                field="lang",
                external_id=external_id,
            )
        return view

    def approve(
        self, *, site_id: int, external_id: str, lang: Lang, editor_id: int | None, actor: str
    ) -> Approved:
        """Approve the edition as it is now: under ``approval`` it is published at once
        (``edition.published`` is emitted when this publishes it). ``actor``: who, for the audit."""
        view = self._decidable(site_id=site_id, external_id=external_id, lang=lang, verb="approve")
        edition = view.edition(lang)
        assert edition is not None  # noqa: S101 -- _decidable checked it
        approval = self._approvals.approve(edition, editor_id=editor_id, actor=actor)
        self._events.approved(edition, was_published=view.published(lang))
        now = self._queries.publication(site_id=site_id, edition=edition)
        return Approved(edition=edition, approval=approval, published=now.published)

    def reject(
        self, *, site_id: int, external_id: str, lang: Lang, editor: Editor, note: str
    ) -> Edition:
        """Reject the edition as it is now: it is held (under every policy) until it changes."""
        text = note.strip()
        if not text:
            raise FieldError(
                "a rejection needs a note",
                hint="say what is wrong with the translation, for whoever fixes it",
                field="note",
            )
        if len(text) > MAX_NOTE:
            raise FieldError(
                f"the note has {len(text)} characters, more than {MAX_NOTE}",
                hint="shorten the note",
                field="note",
            )
        view = self._decidable(site_id=site_id, external_id=external_id, lang=lang, verb="reject")
        edition = view.edition(lang)
        assert edition is not None  # noqa: S101 -- _decidable checked it
        self._approvals.reject(edition, editor_id=editor.id, actor=editor.email, note=text)
        return edition

    def policies(self, *, site_id: int) -> dict[Lang, PublishingPolicy]:
        """The site's publishing policy per target language (``auto`` where none was set)."""
        return self._policies.policies(site_id)

    def set_policy(
        self, *, site_id: int, lang: Lang, policy: PublishingPolicy, editor: Editor
    ) -> PolicyChange:
        """Change one language's policy (admins only: ForbiddenError for editors)."""
        require_admin(editor, action="change the publishing policy")
        if editor.site_id != site_id:
            raise NotFoundError(
                f"no site {site_id} for {editor.email}",
                hint="change the policy of your own site",
                site_id=site_id,
            )
        return self._policies.set_policy(
            site_id=site_id, lang=lang, policy=policy, actor=editor.email
        )

    def queue(
        self,
        *,
        site_id: int,
        lang: Lang | None = None,
        status: QueueStatus | None = None,
        flagged: bool | None = None,
        order: QueueOrder | str = QueueOrder.NEWEST,
        limit: int = 50,
        offset: int = 0,
    ) -> list[QueueItem]:
        """Editions of the site's current revisions for review (``held``: translated but not
        published under the policy), newest or most flagged first."""
        try:
            ordering = QueueOrder(order)
        except ValueError:
            raise FieldError(
                f"cannot order the queue by {order!r}",
                hint="order by " + " or ".join(o.value for o in QueueOrder),
                field="order",
            ) from None
        where = QueueFilter(
            site_id=site_id, lang=lang, status=status, flagged=flagged, order=ordering
        )
        return self._queries.queue(where, limit=limit, offset=offset)

    def edition(self, *, site_id: int, external_id: str, lang: Lang) -> tuple[ArticleView, Edition]:
        view = self._queries.view(site_id=site_id, external_id=external_id)
        edition = view.edition(lang)
        if edition is None:
            raise NotFoundError(
                f"article {external_id!r} has no {lang} edition",
                hint="request it with POST /api/v1/articles/{external_id}/retranslate",
                external_id=external_id,
                lang=lang.value,
            )
        return view, edition
