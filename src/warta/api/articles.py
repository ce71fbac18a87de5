"""Articles of the caller's site: create, upsert, read with editions, list changes, re-translate."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from warta.api.auth import SiteDep
from warta.api.caching import NOT_MODIFIED, cached_json
from warta.api.deps import IntegrationsDep
from warta.api.responses import KEYED, errors
from warta.api.schemas import (
    ArticleCreate,
    ArticlePage,
    ArticlePublic,
    ArticleSaved,
    ArticleUpdate,
    EditionPublic,
    JobPublic,
    RetranslateRequest,
    RetranslateResult,
    StoredTime,
    TargetLang,
    target,
    targets,
)
from warta.domain import EditionStatus
from warta.errors import FieldError, NotFoundError
from warta.integrations.portal import Saved
from warta.ranges import row_id_in_range, time_in_range
from warta.store.changes import ChangeFilter

router = APIRouter(prefix="/articles", tags=["articles"], responses=KEYED)

ExternalIdPath = Annotated[
    str, Path(min_length=1, max_length=200, description="The portal's own id of the article.")
]
LangPath = Annotated[TargetLang, Path(description="The edition's language.")]


def _saved(saved: Saved, *, site: str) -> ArticleSaved:
    return ArticleSaved(
        article=ArticlePublic.from_domain(saved.view, site=site),
        new_revision=saved.new_revision,
        queued=[lang.value for lang in saved.queued],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ArticleSaved, "description": "Already stored with the same content."},
        **errors(409, 415),
    },
)
def create_article(
    body: ArticleCreate, access: SiteDep, integrations: IntegrationsDep, response: Response
) -> ArticleSaved:
    """Store a new article and queue its five editions.

    Idempotent for the same content: sending it again answers 200 with the stored article.
    Different content under an existing ``external_id`` answers 409: update with PUT.
    """
    saved = integrations.portal.create(
        body.draft(site=access.site, external_id=body.external_id), site_id=access.site_id
    )
    if not saved.created:
        response.status_code = status.HTTP_200_OK
    return _saved(saved, site=access.site)


@router.put(
    "/{external_id}",
    responses={201: {"model": ArticleSaved, "description": "A new article."}, **errors(415)},
)
def put_article(
    external_id: ExternalIdPath,
    body: ArticleUpdate,
    access: SiteDep,
    integrations: IntegrationsDep,
    response: Response,
) -> ArticleSaved:
    """Create or update the article (idempotent).

    The same content again changes nothing (no new revision, nothing queued); a changed title,
    lead or body becomes a new revision and re-queues every edition.
    """
    saved = integrations.portal.upsert(
        body.draft(site=access.site, external_id=external_id), site_id=access.site_id
    )
    if saved.created:
        response.status_code = status.HTTP_201_CREATED
    return _saved(saved, site=access.site)


@router.get("", response_model=ArticlePage, responses=NOT_MODIFIED)
def list_articles(
    request: Request,
    access: SiteDep,
    integrations: IntegrationsDep,
    since: Annotated[
        StoredTime | None, Query(description="Only articles changed at or after this time.")
    ] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    edition_status: Annotated[
        EditionStatus | None,
        Query(alias="status", description="Only articles with an edition in this status."),
    ] = None,
    lang: Annotated[TargetLang | None, Query(description="... of this language.")] = None,
    published: Annotated[
        bool | None,
        Query(
            description="Only articles with (true) or without (false) a published edition "
            "(in `lang`, if given): published as readers see it, under the site's policy."
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="From next_cursor.")] = None,
) -> Response:
    """Articles of the site by the time they last changed (oldest first), in pages."""
    views = integrations.queries.changed(
        ChangeFilter(
            site_id=access.site_id,
            since=since,
            category=category,
            status=edition_status,
            lang=target(lang) if lang else None,
            after=decode_cursor(cursor) if cursor else None,
            published=published,
        ),
        limit=limit,
    )
    next_cursor = None
    if len(views) == limit:
        last = views[-1]
        next_cursor = encode_cursor(last.changed_at, last.article.id)
    page = ArticlePage(
        items=[ArticlePublic.from_domain(v, site=access.site) for v in views],
        next_cursor=next_cursor,
    )
    return cached_json(request, page)


@router.get(
    "/{external_id}", response_model=ArticlePublic, responses={**NOT_MODIFIED, **errors(404)}
)
def get_article(
    request: Request, external_id: ExternalIdPath, access: SiteDep, integrations: IntegrationsDep
) -> Response:
    """The article's status: its current revision and the state of each edition."""
    view = integrations.queries.view(site_id=access.site_id, external_id=external_id)
    return cached_json(request, ArticlePublic.from_domain(view, site=access.site))


@router.get(
    "/{external_id}/editions/{lang}",
    response_model=EditionPublic,
    responses={**NOT_MODIFIED, **errors(404)},
)
def get_edition(
    request: Request,
    external_id: ExternalIdPath,
    lang: LangPath,
    access: SiteDep,
    integrations: IntegrationsDep,
    segments: Annotated[bool, Query(description="Include the sentence-by-sentence view.")] = False,
) -> Response:
    """One edition: HTML, plain text, quality, provenance, and whether it is published."""
    view = integrations.queries.view(site_id=access.site_id, external_id=external_id)
    edition = view.edition(target(lang))
    if edition is None:
        raise NotFoundError(
            f"article {external_id!r} has no {lang} edition",
            hint=f"request it with POST /api/v1/articles/{external_id}/retranslate",
            external_id=external_id,
            lang=lang,
        )
    public = EditionPublic.from_domain(
        edition,
        external_id=external_id,
        revision=view.revision.number,
        published=view.published(edition.lang),
        with_segments=segments,
    )
    return cached_json(request, public)


@router.post(
    "/{external_id}/retranslate",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(404),
)
def retranslate(
    external_id: ExternalIdPath,
    access: SiteDep,
    integrations: IntegrationsDep,
    body: RetranslateRequest | None = None,
) -> RetranslateResult:
    """Queue the current revision again (every edition, or ``langs``)."""
    jobs = integrations.portal.retranslate(
        site_id=access.site_id,
        external_id=external_id,
        langs=targets(body.langs if body else None),
    )
    return RetranslateResult(
        queued=[JobPublic(id=j.id, lang=j.lang.value, status=j.status) for j in jobs]
    )


def encode_cursor(changed_at: datetime, article_id: int) -> str:
    raw = json.dumps([changed_at.isoformat(), article_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    decoded = _read_cursor(cursor)
    if decoded is None:
        raise FieldError(
            "the cursor is not one this API gave out",
            hint="pass next_cursor from the previous page unchanged, or leave cursor out",
            field="cursor",
        )
    return decoded


def _read_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, article_id = json.loads(raw)
        changed_at = datetime.fromisoformat(at)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if changed_at.tzinfo is None or not isinstance(article_id, int) or isinstance(article_id, bool):
        return None
    if not row_id_in_range(article_id) or not time_in_range(changed_at):
        return None  # what the database cannot hold was never given out (warta.ranges)
    return changed_at, article_id
