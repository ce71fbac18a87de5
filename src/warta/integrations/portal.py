"""Articles as a portal sends them: create (refusing a different article under a taken id) and
upsert (the idempotent update), through :class:`~warta.newsroom.Newsroom`.

Sending the same article twice stores nothing new; a changed text under the same id (PUT) becomes
a new revision and re-queues the editions. POST is the "create" of a CMS that may retry: the same
content again answers with the stored article, different content under an existing id is a
:class:`~warta.errors.ConflictError` naming ``external_id`` and the fix (PUT).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warta.domain import ArticleDraft, Job
from warta.errors import ConflictError, NotFoundError
from warta.languages import Lang
from warta.newsroom import Newsroom
from warta.store.changes import ArticleQueries, ArticleView


@dataclass(frozen=True, slots=True)
class Saved:
    view: ArticleView
    created: bool  # a new article (not a revision of an existing one)
    new_revision: bool
    queued: tuple[Lang, ...]


def _same(view: ArticleView, draft: ArticleDraft) -> bool:
    article = view.article
    return (
        view.revision.content_hash == draft.content_hash()
        and article.category == draft.category
        and article.tags == draft.tags
        and article.author == draft.author
        and article.published_at == draft.published_at
        and article.source_url == draft.source_url
    )


class PortalArticles:
    def __init__(self, *, newsroom: Newsroom, queries: ArticleQueries) -> None:
        self._newsroom = newsroom
        self._queries = queries

    def create(self, draft: ArticleDraft, *, site_id: int) -> Saved:
        clean = self._newsroom.check(draft)
        try:
            existing = self._queries.view(site_id=site_id, external_id=clean.external_id)
        except NotFoundError:
            return self._submit(clean, site_id=site_id)
        if _same(existing, clean):
            return Saved(view=existing, created=False, new_revision=False, queued=())
        raise ConflictError(
            f"article {clean.external_id!r} already exists with different content",
            hint=f"to change it, send PUT /api/v1/articles/{clean.external_id} (it makes a new "
            "revision); to add another article, give it a new external_id",
            field="external_id",
            external_id=clean.external_id,
        )

    def upsert(self, draft: ArticleDraft, *, site_id: int) -> Saved:
        return self._submit(self._newsroom.check(draft), site_id=site_id)

    def retranslate(
        self, *, site_id: int, external_id: str, langs: Sequence[Lang] | None
    ) -> list[Job]:
        return self._newsroom.retranslate(site_id=site_id, external_id=external_id, langs=langs)

    def _submit(self, clean: ArticleDraft, *, site_id: int) -> Saved:
        result = self._newsroom.submit(clean)
        return Saved(
            view=self._queries.view(site_id=site_id, external_id=result.article.external_id),
            created=result.new_revision and result.revision.number == 1,
            new_revision=result.new_revision,
            queued=tuple(job.lang for job in result.jobs),
        )
