"""RSS 2.0 and Atom (RFC 4287) feeds of one language edition; pure builders, bytes out.

A feed of a translated language lists only published translations (``translated`` or
``needs_review``), never an Indonesian original standing in for one; each entry's content starts
with the AI disclaimer in the feed's language and links the Indonesian original
(``rel="related" hreflang="id"`` in Atom). The Indonesian feed lists every article.
Text never becomes markup: an RSS description is the escaped plain-text summary (see
:func:`_description`), an Atom summary is ``type="text"``, an Atom content the sanitised body.
Built with :mod:`xml.etree.ElementTree`, so the output is well-formed whatever the text holds;
prefixed names (``atom:link``, ``dc:creator``) are written as such with their namespaces declared
on the root, which keeps ElementTree's process-wide prefix registry out of it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (C0 controls but tab/newline/CR)."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id_url: str  # stable: the article's URL without slug
    url: str
    title: str
    summary: str
    body_html: str  # sanitised by the store
    published: datetime
    updated: datetime
    category: str | None  # the label in the feed's language
    category_term: str | None  # the newsroom's own name of the category
    author: str | None
    original_url: str | None  # the Indonesian article, for translations


@dataclass(frozen=True, slots=True)
class FeedMeta:
    title: str
    description: str
    home_url: str
    self_url: str
    html_lang: str  # xml:lang of an Atom feed (BCP 47)
    rss_lang: str  # <language> of an RSS channel
    publisher: str
    updated: datetime
    disclaimer: str  # plain text; "" for the Indonesian feed
    original_label: str  # the link text to the Indonesian original


def _content(meta: FeedMeta, entry: FeedEntry) -> str:
    if not meta.disclaimer:
        return entry.body_html
    note = html.escape(meta.disclaimer)
    if entry.original_url:
        link = html.escape(entry.original_url, quote=True)
        note += f' <a href="{link}" hreflang="id">{html.escape(meta.original_label)}</a>'
    return f"<p><em>{note}</em></p>\n{entry.body_html}"


def _description(meta: FeedMeta, entry: FeedEntry) -> str:
    """An RSS item's description: HTML holding the plain-text summary (and the disclaimer).

    RSS 2.0 has no type attribute: readers take ``<description>`` as entity-encoded HTML and
    render it. So the plain text is HTML-escaped into ``<p>`` elements here, and ElementTree
    escapes that HTML once more as XML: a lead reading ``<img src=x onerror=…>`` reaches the
    reader as the text it is, never as an element. Escaping plain text, rather than carrying the
    body's sanitised HTML in CDATA, leaves nothing for a reader's HTML parser to re-interpret
    (no mutation XSS, no ``]]>`` break-out, no allowlist to keep in step with the pages').
    """
    paragraphs = (entry.summary, meta.disclaimer) if meta.disclaimer else (entry.summary,)
    return "".join(f"<p>{_escaped(p)}</p>" for p in paragraphs if p)


def _escaped(text: str) -> str:
    """Plain text as HTML, for the RSS elements readers may render as HTML.

    RSS titles have no type either, and readers guess (feedparser takes a title holding a
    closing tag or an entity for HTML): escaped, a title shows as written in both readings
    wherever it holds no ``&`` or ``<``, and as written in every HTML-reading reader otherwise.
    """
    return html.escape(text, quote=False)


def _text(parent: ET.Element, tag: str, text: str, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrib.items()})
    element.text = xml_text(text)
    return element


def rss(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS})
    channel = ET.SubElement(root, "channel")
    _text(channel, "title", _escaped(meta.title))
    _text(channel, "link", meta.home_url)
    _text(channel, "description", _escaped(meta.description))
    _text(channel, "language", meta.rss_lang)
    _text(channel, "lastBuildDate", format_datetime(meta.updated, usegmt=True))
    ET.SubElement(
        channel, "atom:link", {"href": meta.self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for entry in entries:
        item = ET.SubElement(channel, "item")
        _text(item, "title", _escaped(entry.title))
        _text(item, "link", entry.url)
        _text(item, "guid", entry.id_url, isPermaLink="true")
        _text(item, "pubDate", format_datetime(entry.published, usegmt=True))
        if entry.category:
            _text(item, "category", entry.category)
        if entry.author:
            _text(item, "dc:creator", entry.author)
        _text(item, "description", _description(meta, entry))
    return _serialise(root)


def atom(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": meta.html_lang})
    _text(root, "id", meta.home_url)
    _text(root, "title", meta.title)
    _text(root, "subtitle", meta.description)
    _text(root, "updated", meta.updated.isoformat(timespec="seconds"))
    ET.SubElement(
        root, "link", {"rel": "self", "type": "application/atom+xml", "href": meta.self_url}
    )
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": meta.home_url})
    author = ET.SubElement(root, "author")
    _text(author, "name", meta.publisher)
    for entry in entries:
        node = ET.SubElement(root, "entry")
        _text(node, "id", entry.id_url)
        _text(node, "title", entry.title)
        _text(node, "published", entry.published.isoformat(timespec="seconds"))
        _text(node, "updated", entry.updated.isoformat(timespec="seconds"))
        ET.SubElement(
            node,
            "link",
            {
                "rel": "alternate",
                "type": "text/html",
                "hreflang": meta.html_lang,
                "href": entry.url,
            },
        )
        if entry.original_url:
            ET.SubElement(
                node,
                "link",
                {
                    "rel": "related",
                    "type": "text/html",
                    "hreflang": "id",
                    "href": entry.original_url,
                    "title": xml_text(meta.original_label),
                },
            )
        if entry.author:
            _text(ET.SubElement(node, "author"), "name", entry.author)
        if entry.category and entry.category_term:
            ET.SubElement(
                node,
                "category",
                {"term": xml_text(entry.category_term), "label": xml_text(entry.category)},
            )
        _text(node, "summary", entry.summary, type="text")
        _text(node, "content", _content(meta, entry), type="html")
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
