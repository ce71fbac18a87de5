"""What editors do through the API: find editions that need review, correct, approve.

Every action is scoped to the editor's site (an article of another site is "not found"), goes
through :class:`~warta.newsroom.Newsroom` where the newsroom has the rule (corrections are
sanitised there and kept in the translation memory), and emits the webhook event.
"""

from __future__ import annotations

from dataclasses import dataclass

from warta.domain import Edition, EditionStatus
from warta.errors import ConflictError, NotFoundError
from warta.integrations.webhooks import EditionEvents
from warta.languages import Lang
from warta.newsroom import Newsroom
from warta.store.approvals import Approval, ApprovalStore
from warta.store.changes import ArticleQueries, ArticleView
from warta.store.records import StatusRow
from warta.store.repository import Store


@dataclass(frozen=True, slots=True)
class Approved:
    edition: Edition
    approval: Approval


class EditorialDesk:
    def __init__(
        self,
        *,
        store: Store,
        queries: ArticleQueries,
        approvals: ApprovalStore,
        newsroom: Newsroom,
        events: EditionEvents,
    ) -> None:
        self._store = store
        self._queries = queries
        self._approvals = approvals
        self._newsroom = newsroom
        self._events = events

    def needing_review(self, *, site_id: int) -> list[StatusRow]:
        """Editions of current revisions with a doubtful sentence, newest articles first."""
        return [
            row
            for row in self._store.status_rows(site_id=site_id)
            if row.status is EditionStatus.NEEDS_REVIEW
        ]

    def correct(
        self, *, site_id: int, external_id: str, lang: Lang, index: int, target_html: str
    ) -> ArticleView:
        view = self._queries.view(site_id=site_id, external_id=external_id)
        edition = self._newsroom.correct_segment(
            revision_id=view.revision.id, lang=lang, index=index, target_html=target_html
        )
        self._events.corrected(edition)
        return self._queries.view(site_id=site_id, external_id=external_id)

    def approve(
        self, *, site_id: int, external_id: str, lang: Lang, editor_id: int | None
    ) -> Approved:
        view = self._queries.view(site_id=site_id, external_id=external_id)
        edition = view.edition(lang)
        if edition is None or edition.content is None:
            raise ConflictError(
                f"the {lang} edition of {external_id!r} is not translated yet",
                hint="approve it once its status is translated or needs_review",
                field="lang",
                external_id=external_id,
            )
        if edition.status not in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW):
            raise ConflictError(
                f"the {lang} edition of {external_id!r} is {edition.status}",
                hint="translate it again (POST .../retranslate), then approve it",
                field="lang",
                external_id=external_id,
            )
        approval = self._approvals.approve(edition, editor_id=editor_id)
        self._events.approved(edition)
        return Approved(edition=edition, approval=approval)

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
