"""The site's URLs: one scheme, built and read here only.

::

    /                              chooses a language by Accept-Language (302, Vary)
    /{lang}/                       front page: latest articles, by category
    /{lang}/{category-slug}/       a category, newest first (?page=2 ...)
    /{lang}/{id}-{slug}            an article; the id decides, a wrong or missing slug -> 301
    /{lang}/rss.xml  /{lang}/atom.xml   feeds of the edition
    /sitemap.xml  /news-sitemap.xml  /robots.txt

Indonesian (``/id/``) is the canonical language. Slugs are read by people, never by the router:

- ``id``: from the Indonesian title;
- ``en``, ``fr``: from the translated title (Latin script; French accents are folded, é -> e),
  and from the Indonesian title while the edition is not translated;
- ``zh``, ``ja``, ``ar``: the Indonesian slug. These scripts have no Latin slug without a
  transliteration model of their own (pinyin tone-less romanisation is ambiguous, Japanese needs
  a dictionary for kanji readings, Arabic vowels are not written), and percent-encoded native
  script makes long, fragile links when shared. The Indonesian slug is stable (it changes only
  with the Indonesian title), readable by the newsroom, and names the article the page translates.

Because the id decides, a slug that changes (the title was edited, a translation arrived) costs a
301 redirect, never a broken link. A category's slug is the slug of its label in the language
(``olahraga`` -> ``/en/sports/``, ``/fr/sport/``; Indonesian slugs elsewhere); a category slug
never starts with a digit, so it cannot be read as an article.
"""

from __future__ import annotations

import re
import unicodedata

from warta.languages import Lang

LATIN_SLUG_LANGS = frozenset({Lang.EN, Lang.FR})
MAX_SLUG_CHARS = 72
MAX_ARTICLE_ID_DIGITS = 18  # anything longer is no row id (and would overflow a BIGINT)

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_ARTICLE_SEGMENT = re.compile(r"^(?P<id>[0-9]+)(?:-(?P<slug>.*))?$", re.DOTALL)
_CATEGORY_SEGMENT = re.compile(r"^[a-z][a-z0-9-]*$")
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})


def slugify(text: str, *, max_chars: int = MAX_SLUG_CHARS) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary; "" if none are Latin.

    >>> slugify("Élections à Jakarta : le « oui » l'emporte")
    'elections-a-jakarta-le-oui-l-emporte'
    """
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).encode(
        "ascii", "ignore"
    )
    slug = _NON_SLUG.sub("-", ascii_text.decode("ascii")).strip("-")
    if len(slug) <= max_chars:
        return slug
    cut = slug[: max_chars + 1]
    return cut[: cut.rfind("-")] if "-" in cut else slug[:max_chars]


def article_slug(lang: Lang, *, source_title: str, edition_title: str | None) -> str:
    """The slug of an article in ``lang`` (see the module docstring for why it differs)."""
    if lang in LATIN_SLUG_LANGS and edition_title:
        slug = slugify(edition_title)
        if slug:
            return slug
    return slugify(source_title)


def category_slug(lang: Lang, *, name: str, label: str) -> str:
    """The URL segment of a category: its label in ``lang`` for en/fr, else the Indonesian name."""
    slug = slugify(label) if lang in LATIN_SLUG_LANGS else ""
    slug = slug or slugify(name)
    if not slug:
        return "k-" + name.encode("utf-8").hex()[:24]
    return slug if slug[0].isalpha() else "k-" + slug


def front_path(lang: Lang) -> str:
    return f"/{lang.value}/"


def article_path(lang: Lang, article_id: int, slug: str) -> str:
    return f"/{lang.value}/{article_id}-{slug}" if slug else f"/{lang.value}/{article_id}"


def category_path(lang: Lang, slug: str, *, page: int = 1) -> str:
    path = f"/{lang.value}/{slug}/"
    return path if page <= 1 else f"{path}?page={page}"


def feed_path(lang: Lang, kind: str) -> str:
    return f"/{lang.value}/{kind}.xml"


def parse_article_segment(segment: str) -> tuple[int, str] | None:
    """``"123-some-slug"`` -> ``(123, "some-slug")``; None if the segment names no article."""
    match = _ARTICLE_SEGMENT.match(segment)
    if match is None or len(match["id"]) > MAX_ARTICLE_ID_DIGITS:
        return None
    article_id = int(match["id"])
    return (article_id, match["slug"] or "") if article_id > 0 else None


def is_category_segment(segment: str) -> bool:
    return bool(_CATEGORY_SEGMENT.match(segment))
