"""What in warta's output could run script in a reader's software, found with real parsers.

HTML is parsed with html5lib (the WHATWG parsing algorithm browsers implement, foreign content and
all), feeds with feedparser with its sanitiser off (what a reader that trusts the feed sees), XML
with lxml. Used by the hostile-input corpus tests (tests/ingest/data/xss.txt).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import html5lib
from lxml import etree
from tests.paths import ROOT

CORPUS = ROOT / "tests" / "ingest" / "data" / "xss.txt"

# Elements that execute, embed, restyle or submit: none may come from an article.
FORBIDDEN = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "style", "base", "form", "input", "button", "textarea", "select", "option", "template",
    "noscript", "xmp", "plaintext", "listing", "portal", "marquee", "video", "audio", "source",
    "track", "noembed", "noframes", "keygen", "isindex", "xml", "import", "set", "animate",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "background", "poster", "data",
    "lowsrc", "dynsrc", "ping", "longdesc", "codebase", "srcdoc", "srcset", "cite", "to",
    "values", "from", "by",
}  # fmt: skip
# A browser drops these from both ends of a URL, and tabs and newlines from anywhere in it.
C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha|jar|file):")
TEMPLATE_LINK_RELS = {"stylesheet", "canonical", "alternate"}
_ESCAPES = {"\\t": "\t", "\\x00": "\x00", "\\n": "\n"}


def vectors() -> list[str]:
    """The corpus, one vector per line; ``\\t``, ``\\x00``, ``\\n``: tab, NUL, line feed."""
    found = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for escape, char in _ESCAPES.items():
            line = line.replace(escape, char)
        found.append(line)
    return found


def bad_url(value: str) -> bool:
    url = re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE)).lower()
    return bool(BAD_SCHEME.match(url))


def _elements(html: str) -> Iterator[ET.Element]:
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    for node in tree.iter():
        if isinstance(node.tag, str):
            yield node


def _snippet(node: ET.Element) -> str:
    try:
        return ET.tostring(node, encoding="unicode")[:200]
    except (TypeError, ValueError):
        return f"<{node.tag}>"


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def executable_markup(html: str, *, page: bool = False) -> list[str]:
    """What in ``html`` could run script when a browser renders it (empty: nothing).

    ``page``: a whole page of the site, whose own ``<link>``s and JSON-LD blocks are allowed;
    a JSON-LD block must be JSON (a break-out would leave it broken) with no script URL in it.
    """
    found: list[str] = []
    for node in _elements(html):
        tag = _local(node.tag)
        attrs = {_local(k) if "}" not in k else "xlink:" + _local(k): v for k, v in node.items()}
        if page and tag == "script" and attrs.get("type") == "application/ld+json":
            found += _json_ld_problems(node.text or "")
            continue
        if tag in FORBIDDEN:
            found.append(f"<{tag}>: {_snippet(node)!r}")
        if tag == "link" and not (page and attrs.get("rel") in TEMPLATE_LINK_RELS):
            found.append(f"<link rel={attrs.get('rel')!r}>")
        if tag == "meta" and "http-equiv" in attrs:
            found.append(f"<meta http-equiv={attrs['http-equiv']!r}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if name == "style":
                found.append(f"<{tag} style={value[:60]!r}>")
            if name in URL_ATTRIBUTES and any(bad_url(v) for v in value.split(",")):
                found.append(f"<{tag} {name}={value[:60]!r}>")
    return found


def _json_ld_problems(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return [f"JSON-LD that is not JSON: {text[:200]!r}"]
    return [
        f"JSON-LD {key}={value[:60]!r}"
        for key, value in _strings(data)
        if key in {"url", "@id", "mainEntityOfPage", "image", "sameAs", "contentUrl"}
        and bad_url(value)
    ]


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


def feed_problems(body: bytes) -> list[str]:
    """Executable markup a feed reader with sanitising off would render from ``body``.

    What feedparser reads as HTML (``*_detail`` and ``content`` of type text/html or xhtml: RSS
    descriptions always, Atom constructs by their ``type``) is parsed as HTML and checked; every
    link is checked for a script URL. Plain-text constructs are shown as text by such a reader.
    """
    etree.fromstring(body)  # well-formed XML, or this raises
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    assert not parsed.bozo, parsed.get("bozo_exception")
    found: list[str] = []
    nodes: list[tuple[str, Any]] = [("feed", parsed.feed)]
    nodes += [(f"entry {n}", e) for n, e in enumerate(parsed.entries)]
    for where, node in nodes:
        constructs = [(k, v) for k, v in node.items() if k.endswith("_detail")]
        constructs += [("content", c) for c in node.get("content", [])]
        for key, detail in constructs:
            if "html" in str(detail.get("type", "")) and isinstance(detail.get("value"), str):
                found += [f"{where} {key}: {p}" for p in executable_markup(detail["value"])]
        for key, value in _strings(dict(node)):
            if key in {"href", "link", "id", "url"} and bad_url(value):
                found.append(f"{where} {key}={value[:60]!r}")
    return found


def xml_problems(body: bytes, *, namespaces: set[str]) -> list[str]:
    """Elements of ``body`` outside ``namespaces`` (no XHTML or SVG smuggled into a sitemap),
    and ``loc``/``href`` values that are not http(s) URLs."""
    found = []
    for node in etree.fromstring(body).iter():
        if not isinstance(node.tag, str):
            continue
        namespace = node.tag[1:].split("}", 1)[0] if node.tag.startswith("{") else ""
        if namespace not in namespaces:
            found.append(f"element {node.tag!r}")
        url = node.text if _local(node.tag) == "loc" else node.get("href")
        if url is not None and not url.startswith(("http://", "https://")):
            found.append(f"{_local(node.tag)} {url[:60]!r}")
    return found


def json_html_problems(value: Any, path: str = "") -> list[str]:
    """Executable markup in the HTML fields (``*_html``, ``before``, ``after``) of API JSON, and
    URL fields holding a script URL."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}"
            if isinstance(item, str):
                if key.endswith("_html") or key in {"before", "after"}:
                    found += [f"{where}: {p}" for p in executable_markup(item)]
                if key.endswith("url") and bad_url(item):
                    found.append(f"{where}={item[:60]!r}")
            else:
                found += json_html_problems(item, where)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += json_html_problems(item, f"{path}[{n}]")
    return found
