"""Rendering: the context every page shares, and one function per page type (bytes out).

Handlers in :mod:`warta.web.routes` decide *which* page to show and cache it; the functions here
only read the store (through :class:`~warta.web.views.Reader`) and render templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warta.domain import Site
from warta.languages import SOURCE_LANG, Lang
from warta.web import seo
from warta.web.i18n import (
    DISCLAIMER,
    DOUBT_TITLE,
    KNOWN_CATEGORIES,
    ORIGINAL_LINK,
    TAGLINE,
    Translator,
)
from warta.web.locales import LOCALES, SITE_LANGS, WebLocale
from warta.web.state import WebState
from warta.web.urls import category_path, category_slug, feed_path, front_path
from warta.web.views import ArticleView, Teaser

FRONT_LATEST = 7
FRONT_PER_CATEGORY = 4
CATEGORY_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page being rendered: for which site, in which language, at which address."""

    state: WebState
    site: Site | None
    lang: Lang
    base_url: str  # scheme://host[:port], no trailing slash

    @property
    def t(self) -> Translator:
        return self.state.translators[self.lang]

    @property
    def loc(self) -> WebLocale:
        return LOCALES[self.lang]

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def site_name(self) -> str:
        return self.site.name if self.site else "warta"


@dataclass(frozen=True, slots=True)
class MenuItem:
    label: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class SwitchLink:
    loc: WebLocale
    href: str
    current: bool
    pending: bool  # the page exists, but shows the Indonesian original


@dataclass(frozen=True, slots=True)
class Category:
    name: str  # as the newsroom wrote it (Indonesian)
    label: str  # in the page's language
    slug: str  # in the page's language


def categories(req: PageRequest) -> list[Category]:
    """The site's categories: the newsroom's known ones in their order, then the busiest."""
    if req.site is None:
        return []
    order = {name: position for position, name in enumerate(KNOWN_CATEGORIES)}
    counts = sorted(
        req.state.reader.categories(req.site),
        key=lambda c: (order.get(c.name, len(order)), -c.articles, c.name),
    )
    found = []
    for count in counts:
        label = req.t.category(count.name)
        slug = category_slug(req.lang, name=count.name, label=label)
        found.append(Category(count.name, label, slug))
    return found


def find_category(req: PageRequest, slug: str) -> tuple[Category, bool] | None:
    """The category a URL segment names, and whether the segment is its canonical slug.

    In English and French the Indonesian slug also finds the category (and is redirected).
    """
    found = categories(req)
    for category in found:
        if category.slug == slug:
            return category, True
    for category in found:
        if category_slug(SOURCE_LANG, name=category.name, label=category.name) == slug:
            return category, False
    return None


def category_href(req: PageRequest, name: str | None, lang: Lang | None = None) -> str | None:
    if name is None:
        return None
    lang = lang or req.lang
    label = req.state.translators[lang].category(name)
    return category_path(lang, category_slug(lang, name=name, label=label))


def base_context(
    req: PageRequest,
    *,
    title: str,
    canonical: str,
    switch: Mapping[Lang, str],
    pending: Sequence[Lang] = (),
    alternates: Sequence[seo.Link] = (),
    description: str = "",
    current_category: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What base.html needs: chrome, switcher, head links; ``extra`` goes to the page template."""
    menu = [
        MenuItem(c.label, category_path(req.lang, c.slug), c.name == current_category)
        for c in categories(req)
    ]
    switcher = [
        SwitchLink(LOCALES[lang], href, lang is req.lang, lang in pending)
        for lang, href in switch.items()
    ]
    context: dict[str, Any] = {
        "loc": req.loc,
        "t": req.t,
        "site_name": req.site_name,
        "home": front_path(req.lang),
        "menu": menu,
        "switcher": switcher,
        "page_title": title,
        "description": description,
        "canonical": canonical,
        "alternates": alternates,
        "feeds": {"rss": feed_path(req.lang, "rss"), "atom": feed_path(req.lang, "atom")},
        "css_href": f"/static/site.css?v={req.state.css_version}",
        "format_date": req.loc.format_date,
        "format_datetime": req.loc.format_datetime,
        "format_zone": req.loc.format_zone,
        "format_number": req.loc.format_number,
        "iso": lambda when: when.isoformat(timespec="seconds"),
        "locales": LOCALES,
        "source_lang": SOURCE_LANG,
        "category_href": lambda name: category_href(req, name),
        "robots": None,
        "og": (),
        "jsonld": None,
        "disclaimer_href": None,
        "disclaimer_text": req.t.gettext(DISCLAIMER),
        "original_link_text": req.t.gettext(ORIGINAL_LINK),
    }
    context.update(req.t.template_globals())
    context.update(extra)
    return context


def no_model_installed(req: PageRequest) -> bool:
    """No translation model is registered for the page's language: why its editions wait."""
    if req.lang is SOURCE_LANG:
        return False
    return all(model.target is not req.lang for model in req.state.services.store.list_models())


def made_by_test_model(view: ArticleView) -> bool:
    """The translation shown was made by a model with random weights (see its provenance)."""
    edition = view.edition if view.is_translation else None
    return (
        edition is not None and edition.provenance is not None and edition.provenance.random_weights
    )


def _list_notices(req: PageRequest, teasers: Sequence[Teaser]) -> dict[str, Any]:
    """A list page's disclaimer only if something on it is translated; why the rest waits."""
    translated = any(not t.is_original_fallback for t in teasers)
    waiting = req.lang is not SOURCE_LANG and any(t.is_original_fallback for t in teasers)
    notices: dict[str, Any] = {"no_model": waiting and no_model_installed(req)}
    if not translated:
        notices["disclaimer_href"] = None
    return notices


def render(req: PageRequest, template: str, context: Mapping[str, Any]) -> bytes:
    return req.state.templates.get_template(template).render(context).encode("utf-8")


def _listing_context(req: PageRequest, path_for: Mapping[Lang, str]) -> dict[str, Any]:
    """Switcher, alternates and disclaimer of a list page, which exists in every language."""
    urls = {lang: req.url(path) for lang, path in path_for.items()}
    return {
        "switch": dict(path_for),
        "alternates": seo.alternates(urls),
        "canonical": urls[req.lang],
        "disclaimer_href": path_for[SOURCE_LANG] if req.lang is not SOURCE_LANG else None,
    }


def front_page(req: PageRequest) -> bytes:
    assert req.site is not None  # noqa: S101 -- routes only render pages of a found site
    reader = req.state.reader
    latest = reader.latest(req.site, lang=req.lang, limit=FRONT_LATEST)
    sections: list[tuple[Category, list[Teaser]]] = []
    for category in categories(req):
        teasers = reader.in_category(
            req.site, category=category.name, lang=req.lang, limit=FRONT_PER_CATEGORY
        )
        sections.append((category, teasers))
    paths = {lang: front_path(lang) for lang in SITE_LANGS}
    context = base_context(
        req,
        title=req.site_name,
        description=req.t.gettext(TAGLINE),
        latest=latest,
        sections=sections,
        **_listing_context(req, paths),
    )
    context.update(_list_notices(req, [*latest, *(t for _, ts in sections for t in ts)]))
    context["og"] = seo.open_graph(
        facts=None,
        title=req.site_name,
        description=context["description"],
        url=context["canonical"],
        site_name=req.site_name,
        lang=req.lang,
        other_langs=SITE_LANGS,
    )
    return render(req, "front.html", context)


def category_page(req: PageRequest, *, category: Category, page: int) -> bytes | None:
    """A page of a category's articles; None when ``page`` is past the last one."""
    assert req.site is not None  # noqa: S101 -- routes only render pages of a found site
    teasers = req.state.reader.in_category(
        req.site,
        category=category.name,
        lang=req.lang,
        limit=CATEGORY_PAGE_SIZE + 1,
        offset=(page - 1) * CATEGORY_PAGE_SIZE,
    )
    if not teasers and page > 1:
        return None
    paths = {
        lang: (category_href(req, category.name, lang) or "")
        + (f"?page={page}" if page > 1 else "")
        for lang in SITE_LANGS
    }
    title = category.label
    if page > 1:
        title = req.t.gettext("%(section)s, page %(number)s") % {
            "section": category.label,
            "number": req.loc.format_number(page),
        }
    context = base_context(
        req,
        title=f"{title} — {req.site_name}",
        heading=category.label,
        current_category=category.name,
        teasers=teasers[:CATEGORY_PAGE_SIZE],
        page=page,
        newer=category_path(req.lang, category.slug, page=page - 1) if page > 1 else None,
        older=(
            category_path(req.lang, category.slug, page=page + 1)
            if len(teasers) > CATEGORY_PAGE_SIZE
            else None
        ),
        **_listing_context(req, paths),
    )
    context.update(_list_notices(req, teasers[:CATEGORY_PAGE_SIZE]))
    return render(req, "category.html", context)


def _translator_name(view: ArticleView) -> str | None:
    edition = view.edition
    if edition is None or edition.provenance is None:
        return None
    provenance = edition.provenance
    return f"{provenance.engine} ({', '.join(m.name for m in provenance.models)})"


def article_facts(req: PageRequest, view: ArticleView) -> seo.ArticleFacts:
    translation = view.is_translation
    modified = max(
        [view.article.updated_at]
        + [e.updated_at for e in view.editions.values() if e.updated_at and translation]
    )
    return seo.ArticleFacts(
        url=req.url(view.path(req.lang if translation else SOURCE_LANG)),
        lang=view.content_lang,
        headline=view.title,
        description=view.summary(),
        published=view.when,
        modified=modified,
        section=req.state.translators[view.content_lang].category(view.article.category)
        if view.article.category
        else None,
        author=view.article.author,
        publisher=req.site_name,
        home_url=req.url(front_path(view.content_lang)),
        original_url=req.url(view.path(SOURCE_LANG)) if translation else None,
        original_headline=view.revision.title if translation else None,
        translations={
            lang: req.url(view.path(lang))
            for lang in view.published_langs
            if lang is not SOURCE_LANG
        },
        translator=_translator_name(view) if translation else None,
    )


def article_page(req: PageRequest, view: ArticleView) -> bytes:
    published = view.published_langs
    facts = article_facts(req, view)
    pending = [lang for lang in SITE_LANGS if lang not in published]
    context = base_context(
        req,
        title=f"{view.title} — {req.site_name}",
        description=facts.description,
        canonical=facts.url,
        switch={lang: view.path(lang) for lang in SITE_LANGS},
        pending=pending,
        alternates=()
        if view.is_pending
        else seo.alternates({lang: req.url(view.path(lang)) for lang in published}),
        current_category=view.article.category,
        view=view,
        content_loc=LOCALES[view.content_lang],
        category_label=req.t.category(view.article.category) if view.article.category else None,
        original_href=view.path(SOURCE_LANG),
        doubt_title=req.t.gettext(DOUBT_TITLE),
    )
    test_model = made_by_test_model(view)
    context["test_model"] = test_model
    context["no_model"] = view.is_pending and no_model_installed(req)
    context["robots"] = "noindex, follow" if view.is_pending or test_model else None
    context["disclaimer_href"] = view.path(SOURCE_LANG) if view.is_translation else None
    context["jsonld"] = seo.json_ld(seo.news_article(facts))
    context["og"] = seo.open_graph(
        facts=facts,
        title=view.title,
        description=facts.description,
        url=facts.url,
        site_name=req.site_name,
        lang=view.content_lang,
        other_langs=() if view.is_pending else published,
    )
    return render(req, "article.html", context)


def error_page(req: PageRequest, *, status: int) -> bytes:
    paths = {lang: front_path(lang) for lang in SITE_LANGS}
    context = base_context(
        req,
        title=req.t.gettext("Page not found")
        if status == 404
        else req.t.gettext("Something went wrong"),
        canonical=req.url(front_path(req.lang)),
        switch=paths,
        status=status,
    )
    context["robots"] = "noindex"
    context["menu"] = []
    return render(req, "error.html", context)
