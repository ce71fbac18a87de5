"""The allowlist HTML sanitiser for article bodies and edited translations.

Everything warta stores or publishes as HTML goes through :func:`sanitize_html`. It is built on
`nh3 <https://nh3.readthedocs.io>`_ (the Rust ``ammonia`` sanitiser, which parses like a browser
with ``html5ever``) and keeps only what a news body needs:

- block structure: ``p``, ``h1``–``h6``, ``ul``/``ol``/``li``, ``blockquote``, ``figure`` and
  ``figcaption``, ``div``, ``hr``, ``br`` and tables (``table``, ``caption``, ``thead``,
  ``tbody``, ``tfoot``, ``tr``, ``th``, ``td``);
- inline markup: ``a``, ``b``, ``strong``, ``i``, ``em``, ``u``, ``s``, ``q``, ``sub``, ``sup``,
  ``code``, ``span``, ``small``, ``mark``, ``abbr``, ``cite``, ``time``;
- images: ``img`` with ``src``, ``alt``, ``width`` and ``height``.

Attributes are allowed per element (see :data:`ALLOWED_ATTRIBUTES`; ``lang`` on any element);
no ``style``, ``class``, ``id`` or event handler (``on*``) survives. URLs in ``href`` and ``src``
must be relative or use ``http``, ``https`` or ``mailto`` (so ``javascript:``, ``data:`` and
``vbscript:`` go, however they are spelled with entities, tabs or case). Every link gets
``rel="noopener noreferrer"``. Comments are dropped. Elements that can only execute, style or
embed (:data:`DROPPED_CONTENT`) are removed *with* their content; any other element not on the
list is unwrapped (its text stays).

``div`` is on the list although it carries no meaning of its own: unwrapping it would glue the
text of two adjacent ``div`` blocks into one run (``<div>a</div><div>b</div>`` -> ``ab``).

The output is well formed: unclosed ``<p>`` and ``<li>`` are closed, ``<``, ``>`` and ``&`` in
text and attribute values are escaped.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        # blocks
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "figure",
        "figcaption", "div", "hr", "br",
        # tables
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        # inline
        "a", "b", "strong", "i", "em", "u", "s", "q", "sub", "sup", "code", "span", "small",
        "mark", "abbr", "cite", "time",
        # media
        "img",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    # on any element: marks a quote in another language (and replaces nh3's default, lang + title)
    "*": frozenset({"lang"}),
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "abbr": frozenset({"title"}),
    "time": frozenset({"datetime"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "td": frozenset({"colspan", "rowspan"}),
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

LINK_REL = "noopener noreferrer"

# Removed together with everything inside them. Raw-text elements (script, style, textarea, title,
# xmp, iframe, noembed, noframes, noscript, plaintext) and foreign content (svg, math) cannot carry
# article text that a reader should see; embedding elements are never allowed.
DROPPED_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "template", "iframe", "object", "embed", "applet", "noscript",
        "noembed", "noframes", "svg", "math", "textarea", "select", "title", "xmp", "plaintext",
    }
)  # fmt: skip


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allowlist removed (see the module docstring).

    Pure and deterministic; safe on any input, including hostile input. The result is an HTML
    fragment whose text nodes are unchanged except for escaping.
    """
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
