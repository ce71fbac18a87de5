"""Feeds and sitemaps of a site, from the store: which articles, in which languages, at which URLs.

Only published editions appear (:mod:`warta.publishing` decides, per the site's policy and the
editors' decisions; :mod:`warta.web.views` reads them in batches): a held edition is absent from
sitemaps, the news sitemap and feeds exactly like a pending one. The XML itself is built by
:mod:`warta.web.feeds` and :mod:`warta.web.sitemap`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warta.languages import SOURCE_LANG, Lang
from warta.web import feeds, sitemap
from warta.web.i18n import DISCLAIMER, ORIGINAL_LINK, TAGLINE
from warta.web.locales import LOCALES, SITE_LANGS
from warta.web.pages import PageRequest, category_href
from warta.web.urls import article_path, feed_path, front_path
from warta.web.views import Published, summarize

FEED_SIZE = 30
FEED_SCAN = 300  # how many of the newest articles a translated feed looks through
SITEMAP_ARTICLES = 5000  # x 6 languages + front pages stays under the 50,000-URL limit
NEWS_WINDOW = timedelta(days=2)  # Google News sitemaps list the last two days only
NEWS_MAX = 1000


def _feed_meta(req: PageRequest, *, kind: str, updated: datetime) -> feeds.FeedMeta:
    t = req.t
    return feeds.FeedMeta(
        title=f"{req.site_name} ({req.loc.autonym})",
        description=t.gettext(TAGLINE),
        home_url=req.url(front_path(req.lang)),
        self_url=req.url(feed_path(req.lang, kind)),
        html_lang=req.loc.html_lang,
        rss_lang=req.loc.news_lang,
        publisher=req.site_name,
        updated=updated,
        disclaimer=t.gettext(DISCLAIMER) if req.lang is not SOURCE_LANG else "",
        original_label=t.gettext(ORIGINAL_LINK),
    )


def _entry(req: PageRequest, item: Published) -> feeds.FeedEntry:
    content = item.content(req.lang)
    category = req.t.category(item.article.category) if item.article.category else None
    return feeds.FeedEntry(
        id_url=req.url(article_path(req.lang, item.article.id, "")),
        url=req.url(item.path(req.lang)),
        title=content.title,
        summary=summarize(content.lead, content.body_html),
        body_html=content.body_html,
        published=item.when,
        updated=item.modified,
        category=category,
        category_term=item.article.category,
        author=item.article.author,
        original_url=req.url(item.path(SOURCE_LANG)) if req.lang is not SOURCE_LANG else None,
    )


def feed(req: PageRequest, *, kind: str) -> bytes:
    """The ``rss`` or ``atom`` feed of ``req.lang``."""
    assert req.site is not None  # noqa: S101 -- routes only render pages of a found site
    items = req.state.reader.feed_items(req.site, lang=req.lang, limit=FEED_SIZE, scan=FEED_SCAN)
    entries = [_entry(req, item) for item in items]
    updated = max((e.updated for e in entries), default=req.site.created_at)
    meta = _feed_meta(req, kind=kind, updated=updated)
    return feeds.atom(meta, entries) if kind == "atom" else feeds.rss(meta, entries)


def _alternates(req: PageRequest, paths: dict[Lang, str]) -> tuple[sitemap.Alternate, ...]:
    alts = [sitemap.Alternate(LOCALES[lang].html_lang, req.url(p)) for lang, p in paths.items()]
    alts.append(sitemap.Alternate("x-default", req.url(paths[SOURCE_LANG])))
    return tuple(alts)


def sitemap_xml(req: PageRequest) -> bytes:
    """Front and category pages in every language, and every published article edition."""
    assert req.site is not None  # noqa: S101 -- routes only render pages of a found site
    items = req.state.reader.published(req.site, limit=SITEMAP_ARTICLES)
    newest = max((i.modified for i in items), default=None)
    urls: list[sitemap.SitemapUrl] = []
    list_pages = [{lang: front_path(lang) for lang in SITE_LANGS}]
    for count in req.state.reader.categories(req.site):
        list_pages.append({lang: category_href(req, count.name, lang) or "" for lang in SITE_LANGS})
    for paths in list_pages:
        alternates = _alternates(req, paths)
        urls += [sitemap.SitemapUrl(req.url(p), newest, alternates) for p in paths.values()]
    for item in items:
        paths = {lang: item.path(lang) for lang in item.langs}
        alternates = _alternates(req, paths) if len(paths) > 1 else ()
        urls += [sitemap.SitemapUrl(req.url(p), item.modified, alternates) for p in paths.values()]
    return sitemap.urlset(urls)


def news_sitemap_xml(req: PageRequest, *, now: datetime) -> bytes:
    """Article editions published in the last two days (Google News), each in its language."""
    assert req.site is not None  # noqa: S101 -- routes only render pages of a found site
    cutoff = now - NEWS_WINDOW
    urls: list[sitemap.NewsUrl] = []
    for item in req.state.reader.published(req.site, limit=NEWS_MAX, since=cutoff):
        if item.article.published_at is None or item.article.published_at < cutoff:
            continue
        for lang in item.langs:
            urls.append(
                sitemap.NewsUrl(
                    url=req.url(item.path(lang)),
                    publication=req.site_name,
                    language=LOCALES[lang].news_lang,
                    published=item.article.published_at,
                    title=item.content(lang).title,
                )
            )
    return sitemap.news_urlset(urls[:NEWS_MAX])
