"""The site's HTTP handlers: which page a URL names, its cache entry, redirects, validators.

URL scheme: :mod:`warta.web.urls`. Every page response carries ``ETag``, ``Last-Modified``,
``Cache-Control`` and CDN tags (:mod:`warta.web.cdn`) and answers conditional requests with 304.
A page served once is marked for :mod:`warta.web.fast`, which answers the next requests for it
without coming here while the store is unchanged. Handlers are plain functions (FastAPI runs
them in its thread pool); bad input
(unknown language, article, category or page number, malformed segment) raises and becomes a 404
page in the requested language (:mod:`warta.web.errors`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from starlette.exceptions import HTTPException

from warta.domain import Site
from warta.languages import Lang
from warta.store.versions import Version
from warta.web import cdn, fast, pages, publishing
from warta.web.cache import Page
from warta.web.i18n import DOUBT_TITLE
from warta.web.locales import lang_from_path, negotiate
from warta.web.state import WebState, web_state
from warta.web.urls import front_path, is_category_segment, parse_article_segment

router = APIRouter(include_in_schema=False)
PAGE_METHODS = ["GET", "HEAD"]
HTML = "text/html; charset=utf-8"
MAX_PAGE_NUMBER = 10_000
# Pages waiting for their translation (pending or held): asked again each time (a 304 while
# unchanged), so a reader sees an approval at once, not after max-age.
REVALIDATE = "public, no-cache"
NEWS_SITEMAP_BUCKET = timedelta(seconds=60)  # the news sitemap is rendered once a minute at most


def base_url(request: Request) -> str:
    """scheme://host[:port] of absolute links: the site's configured public URL
    (``Settings.public_urls``), else what the request was addressed to."""
    state = web_state(request)
    slug = state.sites.slug_for(request.headers.get("host"))
    return state.public_urls.get(slug) or str(request.base_url).rstrip("/")


def page_lang(code: str) -> Lang:
    lang = lang_from_path(code)
    if lang is None:
        raise HTTPException(status_code=404)
    return lang


def _page_request(request: Request, state: WebState, site: Site, lang: Lang) -> pages.PageRequest:
    return pages.PageRequest(state=state, site=site, lang=lang, base_url=base_url(request))


def respond(request: Request, page: Page, *, state: WebState, tags: Sequence[str] = ()) -> Response:
    """The page with its validators, Cache-Control and CDN tags (:mod:`warta.web.cdn`); 304
    for a matching conditional request."""
    headers = {
        **page.validators(),
        "Cache-Control": REVALIDATE if page.revalidate else state.cache_policy.header(),
        **cdn.tag_headers(tags),
    }
    if page.not_modified(
        if_none_match=request.headers.get("if-none-match"),
        if_modified_since=request.headers.get("if-modified-since"),
    ):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type=page.media_type, headers=headers)


def cached(
    request: Request,
    state: WebState,
    *,
    site: Site,
    lang: Lang,
    path: str,
    version: Callable[[], Version],
    media_type: str,
    render: Callable[[], bytes],
    tags: Sequence[str] = (),
    replay: bool = True,
) -> Response:
    """The cached page for ``path`` if its data are unchanged, else a freshly rendered one;
    marked for :mod:`warta.web.fast` to replay while the store does not change (unless not
    ``replay``: a page that also depends on the time has its version checked on every request)."""
    generation = state.watch.generation  # before reading what the page shows
    current = version()
    key = (base_url(request), site.slug, lang.value, path)
    page = state.cache.get(key, current)
    if page is None:
        page = Page.of(render(), media_type=media_type, last_modified=current.last_modified)
        state.cache.put(key, current, page)
    if replay:
        fast.mark(request, page, generation=generation)
    return respond(request, page, state=state, tags=tags or cdn.list_tags(site.slug))


@router.api_route("/", methods=PAGE_METHODS)
def choose_language(request: Request) -> Response:
    """The front page in the reader's language (Accept-Language), Indonesian by default."""
    lang = negotiate(request.headers.get("accept-language"))
    return RedirectResponse(
        front_path(lang),
        status_code=302,
        headers={"Vary": "Accept-Language", "Cache-Control": "private, max-age=0"},
    )


@router.api_route("/robots.txt", methods=PAGE_METHODS)
def robots(request: Request) -> Response:
    base = base_url(request)
    text = (
        "User-agent: *\nAllow: /\nDisallow: /api/\n"
        f"Sitemap: {base}/sitemap.xml\nSitemap: {base}/news-sitemap.xml\n"
    )
    return PlainTextResponse(text)


@router.api_route("/sitemap.xml", methods=PAGE_METHODS)
def sitemap(request: Request) -> Response:
    state = web_state(request)
    site = state.sites.site(request)
    req = _page_request(request, state, site, Lang.ID)
    return cached(
        request,
        state,
        site=site,
        lang=Lang.ID,
        path="/sitemap.xml",
        version=lambda: state.services.store.site_version(site.id),
        media_type="application/xml",
        render=lambda: publishing.sitemap_xml(req),
    )


@router.api_route("/news-sitemap.xml", methods=PAGE_METHODS)
def news_sitemap(request: Request) -> Response:
    """Which articles it lists depends on the time as well as the store: it is cached per
    :data:`NEWS_SITEMAP_BUCKET` (rendered as of the bucket's start, so an article may stay
    listed up to that much past the two days) and the site's version, checked each request."""
    state = web_state(request)
    site = state.sites.site(request)
    req = _page_request(request, state, site, Lang.ID)
    now = datetime.now(UTC)
    bucket = now - timedelta(seconds=now.timestamp() % NEWS_SITEMAP_BUCKET.total_seconds())
    return cached(
        request,
        state,
        site=site,
        lang=Lang.ID,
        path="/news-sitemap.xml",
        version=lambda: (
            state.services.store.site_version(site.id) + Version(bucket.isoformat(), None)
        ),
        media_type="application/xml",
        render=lambda: publishing.news_sitemap_xml(req, now=bucket),
        replay=False,
    )


@router.api_route("/{lang}", methods=PAGE_METHODS)
def language_root(lang: str) -> Response:
    return RedirectResponse(front_path(page_lang(lang)), status_code=301)


@router.api_route("/{lang}/", methods=PAGE_METHODS)
def front(request: Request, lang: str) -> Response:
    code = page_lang(lang)
    state = web_state(request)
    site = state.sites.site(request)
    req = _page_request(request, state, site, code)
    return cached(
        request,
        state,
        site=site,
        lang=code,
        path=front_path(code),
        version=lambda: state.services.store.site_version(site.id),
        media_type=HTML,
        render=lambda: pages.front_page(req),
    )


@router.api_route("/{lang}/rss.xml", methods=PAGE_METHODS)
def rss(request: Request, lang: str) -> Response:
    return _feed(request, lang, kind="rss", media_type="application/rss+xml; charset=utf-8")


@router.api_route("/{lang}/atom.xml", methods=PAGE_METHODS)
def atom(request: Request, lang: str) -> Response:
    return _feed(request, lang, kind="atom", media_type="application/atom+xml; charset=utf-8")


def _feed(request: Request, lang: str, *, kind: str, media_type: str) -> Response:
    code = page_lang(lang)
    state = web_state(request)
    site = state.sites.site(request)
    req = _page_request(request, state, site, code)
    return cached(
        request,
        state,
        site=site,
        lang=code,
        path=f"/{code.value}/{kind}.xml",
        version=lambda: state.services.store.site_version(site.id),
        media_type=media_type,
        render=lambda: publishing.feed(req, kind=kind),
    )


@router.api_route("/{lang}/{segment}", methods=PAGE_METHODS)
def article(request: Request, lang: str, segment: str) -> Response:
    code = page_lang(lang)
    parsed = parse_article_segment(segment)
    if parsed is None:
        if is_category_segment(segment):
            return RedirectResponse(f"/{code.value}/{segment}/", status_code=301)
        raise HTTPException(status_code=404)
    article_id = parsed[0]
    state = web_state(request)
    site = state.sites.site(request)
    store = state.services.store
    generation = state.watch.generation  # before reading what the page shows
    version = store.article_version(article_id)
    if version is None:
        raise HTTPException(status_code=404)
    version = version + store.catalogue_version(site.id)
    key = (base_url(request), site.slug, code.value, request.url.path)
    tags = cdn.article_tags(site.slug, article_id)
    hit = state.cache.get(key, version)
    if hit is not None:  # only canonical paths are ever cached
        fast.mark(request, hit, generation=generation)
        return respond(request, hit, state=state, tags=tags)
    # A wrong slug is redirected from a few small reads, without building the page.
    canonical = state.reader.canonical_path(site=site, article_id=article_id, lang=code)
    if request.url.path != canonical:
        return RedirectResponse(canonical, status_code=301)
    req = _page_request(request, state, site, code)
    view = state.reader.article(
        site=site, article_id=article_id, lang=code, doubt_title=req.t.gettext(DOUBT_TITLE)
    )
    page = Page.of(
        pages.article_page(req, view),
        media_type=HTML,
        last_modified=version.last_modified,
        revalidate=view.is_pending,
    )
    state.cache.put(key, version, page)
    fast.mark(request, page, generation=generation)
    return respond(request, page, state=state, tags=tags)


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    # the length first: int() refuses strings of over 4,300 digits (ValueError, a 500)
    too_long = len(raw) > len(str(MAX_PAGE_NUMBER))
    if too_long or not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_NUMBER:
        raise HTTPException(status_code=404)
    return int(raw)


@router.api_route("/{lang}/{segment}/", methods=PAGE_METHODS)
def category(request: Request, lang: str, segment: str) -> Response:
    code = page_lang(lang)
    if parse_article_segment(segment) is not None:
        return RedirectResponse(f"/{code.value}/{segment}", status_code=301)
    if not is_category_segment(segment):
        raise HTTPException(status_code=404)
    number = _page_number(request)
    state = web_state(request)
    site = state.sites.site(request)
    req = _page_request(request, state, site, code)
    found = pages.find_category(req, segment)
    if found is None:
        raise HTTPException(status_code=404)
    category, is_canonical = found
    if not is_canonical:
        suffix = f"?page={number}" if number > 1 else ""
        return RedirectResponse(f"/{code.value}/{category.slug}/{suffix}", status_code=301)

    def render() -> bytes:
        body = pages.category_page(req, category=category, page=number)
        if body is None:
            raise HTTPException(status_code=404)
        return body

    return cached(
        request,
        state,
        site=site,
        lang=code,
        path=f"/{code.value}/{category.slug}/?page={number}",
        version=lambda: state.services.store.site_version(site.id),
        media_type=HTML,
        render=render,
    )


def error_lang(request: Request) -> Lang:
    """The language of an error page: the path's, else the reader's (Accept-Language)."""
    first = request.url.path.lstrip("/").split("/", 1)[0]
    return lang_from_path(first) or negotiate(request.headers.get("accept-language"))
