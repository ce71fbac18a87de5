"""XML sitemaps (sitemaps.org 0.9) with hreflang alternates, and a Google News sitemap.

Every URL of a page that exists in several languages lists all of them as
``<xhtml:link rel="alternate" hreflang=...>``, itself included, plus ``x-default`` (the
Indonesian page). Only published editions are listed: a page showing the Indonesian original
while its translation is pending is not a page of its own (its canonical URL is the Indonesian
one). Pure builders: records in, bytes out. Elements are written with their conventional
prefixes (``xhtml:link``, ``news:news``) and the namespaces declared on the root, which keeps
ElementTree's process-wide prefix registry out of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

from warta.web.feeds import xml_text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@dataclass(frozen=True, slots=True)
class Alternate:
    hreflang: str  # BCP 47 code or "x-default"
    url: str


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    url: str
    lastmod: datetime | None
    alternates: tuple[Alternate, ...] = ()


@dataclass(frozen=True, slots=True)
class NewsUrl:
    url: str
    publication: str
    language: str  # Google News code: "id", "en", "zh-cn", ...
    published: datetime
    title: str


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrib.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def urlset(urls: Sequence[SitemapUrl]) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
    for item in urls:
        node = _sub(root, "url")
        _sub(node, "loc", item.url)
        if item.lastmod is not None:
            _sub(node, "lastmod", item.lastmod.isoformat(timespec="seconds"))
        for alt in item.alternates:
            _sub(node, "xhtml:link", rel="alternate", hreflang=alt.hreflang, href=alt.url)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def news_urlset(urls: Sequence[NewsUrl]) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for item in urls:
        node = _sub(root, "url")
        _sub(node, "loc", item.url)
        news = _sub(node, "news:news")
        publication = _sub(news, "news:publication")
        _sub(publication, "news:name", item.publication)
        _sub(publication, "news:language", item.language)
        _sub(news, "news:publication_date", item.published.isoformat(timespec="seconds"))
        _sub(news, "news:title", item.title)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
