"""An HTML page to an :class:`~warta.domain.ArticleDraft`: pure, no I/O (parsing with lexbor).

Where each part comes from:

- ``external_id``: ``<meta name="warta:id" content="…">``, else the file name without its
  extension (the caller passes it as ``stem``).
- ``title``: the first ``<h1>`` inside the article container, else the first ``<h1>`` of the page,
  else ``<title>``. The ``<h1>`` used is removed from the body, so the headline is not repeated.
- ``lead``: the text of the first element with the class ``lead`` (removed from the body), else
  empty. Neither the ``<meta name="description">`` (often an SEO summary, truncated or rewritten)
  nor "the first bold paragraph" (in Indonesian news that is usually the dateline, e.g.
  ``<strong>JAKARTA, KOMPAS.com</strong> -``) is used: a lead is taken only when it is marked.
- ``body_html``: the inner HTML of the first ``<article>``, else ``<main>``, else ``<body>``, after
  removing ``nav``, ``header``, ``footer``, ``aside``, ``script``, ``style``, ``noscript``,
  ``template``, ``iframe`` and the form controls ``button``, ``input``, ``select`` and
  ``textarea``, each with its content.
- ``category``: ``<meta property="article:section">``; ``tags``: every
  ``<meta property="article:tag">``; ``author``: ``<meta name="author">``; ``published_at``:
  ``<meta property="article:published_time">`` (ISO 8601); ``source_url``:
  ``<link rel="canonical">``, else ``<meta property="og:url">``. All optional.

The body is then validated like any other (:class:`~warta.ingest.validate.Validator`); the
broken-HTML policy is applied by the source to the page as written, before this parser repairs it.
"""

from __future__ import annotations

from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from warta.domain import ArticleDraft
from warta.errors import FieldError, MarkupError

REMOVED = (
    "nav", "header", "footer", "aside", "script", "style", "noscript", "template", "iframe",
    "button", "input", "select", "textarea",
)  # fmt: skip


def draft_from_html(page: str, *, site: str, stem: str) -> ArticleDraft:
    """Extract a draft from the HTML ``page`` (see the module docstring)."""
    doc = LexborHTMLParser(page)
    container = doc.css_first("article") or doc.css_first("main") or doc.body
    if container is None:  # pragma: no cover -- lexbor always creates <body>
        raise MarkupError("the page has no <body>")
    h1 = container.css_first("h1") or doc.css_first("h1")
    title_node = h1 if h1 is not None else doc.css_first("title")
    title = _text(title_node)
    lead_node = doc.css_first(".lead")
    lead = _text(lead_node)
    for node in (h1, lead_node):
        if node is not None:
            node.decompose()
    container.strip_tags(list(REMOVED), recursive=True)
    return ArticleDraft(
        site=site,
        external_id=_meta(doc, 'meta[name="warta:id"]') or stem,
        title=title,
        lead=lead,
        body_html=container.inner_html or "",
        category=_meta(doc, 'meta[property="article:section"]'),
        tags=tuple(
            tag for node in doc.css('meta[property="article:tag"]') if (tag := _content(node))
        ),
        author=_meta(doc, 'meta[name="author"]'),
        published_at=_published_at(doc),
        source_url=_canonical(doc),
    )


def _text(node: LexborNode | None) -> str:
    return "" if node is None else " ".join(node.text(deep=True).split())


def _content(node: LexborNode) -> str | None:
    value = node.attributes.get("content")
    return value.strip() if value and value.strip() else None


def _meta(doc: LexborHTMLParser, selector: str) -> str | None:
    node = doc.css_first(selector)
    return None if node is None else _content(node)


def _canonical(doc: LexborHTMLParser) -> str | None:
    link = doc.css_first('link[rel="canonical"]')
    href = None if link is None else link.attributes.get("href")
    return href.strip() if href and href.strip() else _meta(doc, 'meta[property="og:url"]')


def _published_at(doc: LexborHTMLParser) -> datetime | None:
    selector = 'meta[property="article:published_time"]'
    value = _meta(doc, selector)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(
            f"{selector} {value[:40]!r} is not an ISO 8601 date-time",
            hint="write it like 2024-03-05T09:30:00+07:00",
            field="published_at",
        ) from None
