"""What a page shows, read from the store: articles in a language, or their Indonesian original.

The rule the whole site follows: **only a published edition is a translation**, published as
:func:`warta.publishing.publication` decides it from the site's policy for the language (``auto``:
translated or needs_review with content; ``clean``: no flagged sentence; ``approval``: approved as
it is) and the editors' decisions (a rejected edition is held). Anything else (pending, failed,
never requested, held) is shown as the Indonesian original, marked with ``lang="id"``, under a
notice; such a page is not advertised as a translation anywhere (no hreflang alternate, no sitemap
or feed entry, its canonical URL is the Indonesian page).

The editions a view or list holds are the *published* ones only, read in batches: a list of
articles costs a fixed number of queries (:meth:`warta.store.policies.PolicyStore.current`),
whatever its length.

HTML from the store (revision and edition bodies, sanitised by nh3 when they were stored) is the
only HTML marked safe, here; everything else is escaped by the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from warta.domain import Article, Edition, EditionContent, Revision, Site
from warta.errors import NotFoundError
from warta.languages import SOURCE_LANG, Lang
from warta.publishing import TRANSLATED_STATUSES, Publication
from warta.store.policies import CurrentEditions, PolicyStore
from warta.store.repository import CategoryCount, Store
from warta.text import plain_text
from warta.web.locales import SITE_LANGS
from warta.web.marking import mark_doubtful
from warta.web.urls import article_path, article_slug

PUBLISHED_STATUSES = TRANSLATED_STATUSES  # the statuses a published edition can have
SUMMARY_CHARS = 220


def published_content(
    edition: Edition | None, publication: Publication | None = None
) -> EditionContent | None:
    """The edition's content if it may be shown as a translation, else None.

    ``publication``: the rule's answer for the edition (:mod:`warta.publishing`); without it the
    edition must come from a view's or list's published editions (the Reader only keeps those).
    """
    if edition is None or edition.status not in PUBLISHED_STATUSES:
        return None
    if publication is not None and not publication.published:
        return None
    return edition.content


@dataclass(frozen=True, slots=True)
class Teaser:
    """An article in a list, in the page's language or (not translated yet) in Indonesian."""

    article_id: int
    title: str
    summary: str
    content_lang: Lang
    path: str
    category: str | None
    when: datetime
    test_model: bool = False  # made by a model with random weights (see its provenance)

    @property
    def is_original_fallback(self) -> bool:
        return self.content_lang is SOURCE_LANG


@dataclass(frozen=True, slots=True)
class ArticleView:
    article: Article
    revision: Revision
    lang: Lang
    editions: Mapping[Lang, Edition]  # the *published* editions only (with segments)
    content_lang: Lang  # the language of title, lead and body: ``lang``, or Indonesian
    title: str
    lead: str
    body: Markup
    doubtful: int  # sentences marked as doubtful in ``body``
    slugs: Mapping[Lang, str]

    @property
    def is_translation(self) -> bool:
        return self.lang is not SOURCE_LANG and self.content_lang is self.lang

    @property
    def is_pending(self) -> bool:
        """A translated page was asked for but its edition is not published."""
        return self.lang is not SOURCE_LANG and self.content_lang is SOURCE_LANG

    @property
    def edition(self) -> Edition | None:
        return self.editions.get(self.lang)

    @property
    def published_langs(self) -> tuple[Lang, ...]:
        """Indonesian and every language with a published edition, in the site's order."""
        return tuple(
            lang
            for lang in SITE_LANGS
            if lang is SOURCE_LANG or published_content(self.editions.get(lang)) is not None
        )

    @property
    def when(self) -> datetime:
        return self.article.published_at or self.article.created_at

    def path(self, lang: Lang) -> str:
        return article_path(lang, self.article.id, self.slugs[lang])

    def source_summary(self) -> str:
        return summarize(self.revision.lead, self.revision.body_html)

    def summary(self) -> str:
        content = published_content(self.edition) if self.is_translation else None
        if content is None:
            return self.source_summary()
        return summarize(content.lead, content.body_html)


def summarize(lead: str, body_html: str, *, limit: int = SUMMARY_CHARS) -> str:
    """The lead, or the first paragraph of the body, as plain text of at most ``limit`` chars."""
    text = lead.strip() or next(
        (block for block in plain_text(body_html).split("\n\n") if block.strip()), ""
    )
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:、，。") + "…"


class Reader:
    """Builds the pages' content from the store (one per app; stateless between requests)."""

    def __init__(self, *, store: Store, policies: PolicyStore, mark_doubtful: bool) -> None:
        self._store = store
        self._policies = policies
        self._mark_doubtful = mark_doubtful

    def article(self, *, site: Site, article_id: int, lang: Lang, doubt_title: str) -> ArticleView:
        """The article in ``lang``; NotFoundError if the site has no such article."""
        article = self._store.get_article_by_id(article_id)
        if article.site_id != site.id:
            raise NotFoundError(
                f"site {site.slug!r} has no article {article_id}",
                hint="follow a link from the site's own pages",
                article_id=article_id,
            )
        revision = self._store.get_current_revision(article.id)
        found = self._store.list_editions(revision.id)
        judged = self._policies.publications(site_id=site.id, editions=found, with_segments=True)
        editions = {e.lang: e for e in found if judged[(e.revision_id, e.lang)].published}
        slugs = {
            code: article_slug(
                code,
                source_title=revision.title,
                edition_title=_title(published_content(editions.get(code))),
            )
            for code in SITE_LANGS
        }
        content = published_content(editions.get(lang)) if lang is not SOURCE_LANG else None
        shown = lang
        if content is None:
            shown = SOURCE_LANG
            content = EditionContent(
                title=revision.title, lead=revision.lead, body_html=revision.body_html
            )
        body, doubtful = content.body_html, 0
        if self._mark_doubtful and shown is not SOURCE_LANG:
            # The headline and lead are blocks of their own before the body (warta.text.analyse).
            first_block = int(bool(revision.title.strip())) + int(bool(revision.lead.strip()))
            marked = mark_doubtful(
                body, editions[lang].segments, title=doubt_title, first_block=first_block
            )
            body, doubtful = marked.html, marked.count
        return ArticleView(
            article=article,
            revision=revision,
            lang=lang,
            editions=editions,
            content_lang=shown,
            title=content.title,
            lead=content.lead,
            body=Markup(body),  # noqa: S704 -- the store's HTML, sanitised when it was stored
            doubtful=doubtful,
            slugs=slugs,
        )

    def canonical_path(self, *, site: Site, article_id: int, lang: Lang) -> str:
        """The article's canonical path in ``lang``, read without segments or rendering (what a
        redirect from a wrong slug needs); NotFoundError if the site has no such article."""
        langs = () if lang is SOURCE_LANG else (lang,)
        found = self._policies.current(
            site_id=site.id, article_ids=[article_id], langs=langs, bodies=False
        )
        current = found.get(article_id)
        if current is None:
            raise NotFoundError(
                f"site {site.slug!r} has no article {article_id}",
                hint="follow a link from the site's own pages",
                article_id=article_id,
            )
        content = published_content(current.published.get(lang))
        slug = article_slug(
            lang, source_title=current.revision.title, edition_title=_title(content)
        )
        return article_path(lang, article_id, slug)

    def _current(
        self,
        site: Site,
        articles: list[Article],
        *,
        langs: tuple[Lang, ...] | None,
        bodies: bool = False,
    ) -> dict[int, CurrentEditions]:
        """Lists read no segment and, unless ``bodies``, only excerpts of the bodies."""
        return self._policies.current(
            site_id=site.id, article_ids=[a.id for a in articles], langs=langs, bodies=bodies
        )

    def teaser(self, article: Article, *, lang: Lang, current: CurrentEditions) -> Teaser:
        revision = current.revision
        content = None
        provenance = None
        if lang is not SOURCE_LANG:
            edition = current.published.get(lang)
            content = published_content(edition)
            provenance = edition.provenance if content is not None and edition else None
        if content is None:
            title, lead, body, shown = (
                revision.title,
                revision.lead,
                revision.body_html,
                SOURCE_LANG,
            )
        else:
            title, lead, body, shown = content.title, content.lead, content.body_html, lang
        slug = article_slug(lang, source_title=revision.title, edition_title=_title(content))
        return Teaser(
            article_id=article.id,
            title=title,
            summary=summarize(lead, body),
            content_lang=shown,
            path=article_path(lang, article.id, slug),
            category=article.category,
            when=article.published_at or article.created_at,
            test_model=provenance is not None and provenance.random_weights,
        )

    def _teasers(self, site: Site, articles: list[Article], *, lang: Lang) -> list[Teaser]:
        langs = () if lang is SOURCE_LANG else (lang,)
        current = self._current(site, articles, langs=langs)
        return [
            self.teaser(a, lang=lang, current=current[a.id]) for a in articles if a.id in current
        ]

    def latest(self, site: Site, *, lang: Lang, limit: int, offset: int = 0) -> list[Teaser]:
        articles = self._store.list_articles(site_id=site.id, limit=limit, offset=offset)
        return self._teasers(site, articles, lang=lang)

    def in_category(
        self, site: Site, *, category: str, lang: Lang, limit: int, offset: int = 0
    ) -> list[Teaser]:
        articles = self._store.articles_in_category(
            site_id=site.id, category=category, limit=limit, offset=offset
        )
        return self._teasers(site, articles, lang=lang)

    def categories(self, site: Site) -> list[CategoryCount]:
        return self._store.categories(site.id)

    def feed_items(self, site: Site, *, lang: Lang, limit: int, scan: int) -> list[Published]:
        """The newest ``limit`` articles published in ``lang``, among the newest ``scan``."""
        articles = self._store.list_articles(site_id=site.id, limit=scan)
        langs = () if lang is SOURCE_LANG else (lang,)
        current = self._current(site, articles, langs=langs)  # which are published: no bodies
        chosen: list[Article] = []
        for article in articles:
            found = current.get(article.id)
            if found is None or (lang is not SOURCE_LANG and lang not in found.published):
                continue
            chosen.append(article)
            if len(chosen) >= limit:
                break
        whole = self._current(site, chosen, langs=langs, bodies=True)  # the entries' content
        items: list[Published] = []
        for article in chosen:
            found = whole.get(article.id)
            if found is None or (lang is not SOURCE_LANG and lang not in found.published):
                continue  # changed between the two reads: left for the next feed
            items.append(Published(article, found.revision, found.published))
        return items

    def published(
        self, site: Site, *, limit: int, since: datetime | None = None
    ) -> list[Published]:
        """The newest ``limit`` articles (newer than ``since``) with their published editions,
        read for sitemaps: titles and dates, but bodies only as excerpts (no segments)."""
        articles: list[Article] = []
        for article in self._store.list_articles(site_id=site.id, limit=limit):
            if since is not None and (article.published_at or article.created_at) < since:
                break
            articles.append(article)
        current = self._current(site, articles, langs=None)
        return [
            Published(article, current[article.id].revision, current[article.id].published)
            for article in articles
            if article.id in current
        ]


@dataclass(frozen=True, slots=True)
class Published:
    """An article, its current revision and its published editions (some or all of them)."""

    article: Article
    revision: Revision
    editions: Mapping[Lang, Edition]

    @property
    def langs(self) -> tuple[Lang, ...]:
        return tuple(lang for lang in SITE_LANGS if lang is SOURCE_LANG or lang in self.editions)

    @property
    def when(self) -> datetime:
        return self.article.published_at or self.article.created_at

    @property
    def modified(self) -> datetime:
        stamps = [self.article.updated_at] + [
            e.updated_at for e in self.editions.values() if e.updated_at is not None
        ]
        return max(stamps)

    def content(self, lang: Lang) -> EditionContent:
        """Title, lead and body in ``lang`` (one of :attr:`langs`)."""
        if lang is SOURCE_LANG:
            r = self.revision
            return EditionContent(title=r.title, lead=r.lead, body_html=r.body_html)
        content = published_content(self.editions.get(lang))
        if content is None:
            raise NotFoundError(
                f"article {self.article.id} has no published {lang} edition",
                hint="list only the languages in .langs",
                article_id=self.article.id,
            )
        return content

    def path(self, lang: Lang) -> str:
        content = published_content(self.editions.get(lang))
        slug = article_slug(lang, source_title=self.revision.title, edition_title=_title(content))
        return article_path(lang, self.article.id, slug)


def _title(content: EditionContent | None) -> str | None:
    return content.title if content is not None else None
