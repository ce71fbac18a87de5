"""What search engines and link previews read: hreflang alternates, JSON-LD, Open Graph.

- **Alternates**: a page lists itself and every language it is *published* in, plus
  ``x-default`` (the Indonesian page, the canonical language). Lists, categories and front pages
  exist in all six languages; an article only in Indonesian and its published editions.
- **Canonical**: a published page is its own canonical (each language is a page of its own, as
  hreflang requires); a page showing the Indonesian original because its edition is pending has
  the Indonesian page as canonical and is never listed as an alternate.
- **JSON-LD**: schema.org ``NewsArticle`` with ``inLanguage``; a translation carries
  ``translationOfWork`` and ``isBasedOn`` pointing at the Indonesian article, and names the
  machine translation as its ``translator``; the Indonesian article lists its ``workTranslation``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from warta.languages import SOURCE_LANG, Lang
from warta.web.locales import LOCALES

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@dataclass(frozen=True, slots=True)
class Link:
    hreflang: str
    url: str


def alternates(urls: Mapping[Lang, str]) -> tuple[Link, ...]:
    """``<link rel="alternate" hreflang>`` targets for the languages in ``urls`` + x-default."""
    links = [Link(LOCALES[lang].html_lang, url) for lang, url in urls.items()]
    if SOURCE_LANG in urls:
        links.append(Link("x-default", urls[SOURCE_LANG]))
    return tuple(links)


def json_ld(data: Mapping[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">``, safe against ``</script>`` in text."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return Markup(text)  # noqa: S704 -- JSON with every markup-significant character escaped


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What the JSON-LD and Open Graph of one article page say."""

    url: str
    lang: Lang  # the language of the content (Indonesian for a pending edition)
    headline: str
    description: str
    published: datetime
    modified: datetime
    section: str | None
    author: str | None
    publisher: str
    home_url: str
    original_url: str | None  # the Indonesian article, when this is a translation
    original_headline: str | None
    translations: Mapping[Lang, str]  # published editions (for the Indonesian page)
    translator: str | None  # the engine/model that made this translation


def news_article(facts: ArticleFacts) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": facts.url,
        "url": facts.url,
        "mainEntityOfPage": facts.url,
        "headline": facts.headline[:110],
        "description": facts.description,
        "inLanguage": LOCALES[facts.lang].html_lang,
        "datePublished": facts.published.isoformat(timespec="seconds"),
        "dateModified": facts.modified.isoformat(timespec="seconds"),
        "publisher": {"@type": "Organization", "name": facts.publisher, "url": facts.home_url},
    }
    if facts.section:
        data["articleSection"] = facts.section
    if facts.author:
        data["author"] = {"@type": "Person", "name": facts.author}
    else:
        data["author"] = {"@type": "Organization", "name": facts.publisher}
    if facts.original_url:
        original = {
            "@type": "NewsArticle",
            "@id": facts.original_url,
            "url": facts.original_url,
            "inLanguage": LOCALES[SOURCE_LANG].html_lang,
        }
        if facts.original_headline:
            original["headline"] = facts.original_headline[:110]
        data["translationOfWork"] = original
        data["isBasedOn"] = facts.original_url
        if facts.translator:
            data["translator"] = {"@type": "SoftwareApplication", "name": facts.translator}
    elif facts.translations:
        data["workTranslation"] = [
            {"@type": "NewsArticle", "@id": url, "url": url, "inLanguage": LOCALES[lang].html_lang}
            for lang, url in facts.translations.items()
        ]
    return data


def open_graph(
    *,
    facts: ArticleFacts | None,
    title: str,
    description: str,
    url: str,
    site_name: str,
    lang: Lang,
    other_langs: Sequence[Lang],
) -> tuple[tuple[str, str], ...]:
    """``(property, content)`` pairs for ``<meta property>``."""
    tags = [
        ("og:site_name", site_name),
        ("og:type", "article" if facts else "website"),
        ("og:title", title),
        ("og:url", url),
        ("og:locale", LOCALES[lang].og_locale),
    ]
    tags += [("og:locale:alternate", LOCALES[o].og_locale) for o in other_langs if o is not lang]
    if description:
        tags.append(("og:description", description))
    if facts is not None:
        tags.append(("article:published_time", facts.published.isoformat(timespec="seconds")))
        tags.append(("article:modified_time", facts.modified.isoformat(timespec="seconds")))
        if facts.section:
            tags.append(("article:section", facts.section))
    return tuple(tags)
