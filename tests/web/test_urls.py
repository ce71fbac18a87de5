from __future__ import annotations

import pytest

from warta.languages import Lang
from warta.web.urls import (
    MAX_SLUG_CHARS,
    article_path,
    article_slug,
    category_slug,
    is_category_segment,
    parse_article_segment,
    slugify,
)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        # Indonesian: plain Latin, punctuation and case dropped
        (
            "Banjir melanda Jakarta, ribuan warga mengungsi!",
            "banjir-melanda-jakarta-ribuan-warga-mengungsi",
        ),
        # French: accents folded, ligatures spelt out, apostrophes split words
        (
            "Élections à Jakarta : l'œuvre « oui » l'emporte",
            "elections-a-jakarta-l-oeuvre-oui-l-emporte",
        ),
        # Chinese, Japanese, Arabic: no Latin letters at all
        ("雅加达发生洪水", ""),
        ("ジャカルタで洪水", ""),
        ("فيضانات في جاكرتا", ""),
        # mixed scripts keep the Latin part and the digits
        ("G20 峰会在巴厘岛 Bali 2022", "g20-bali-2022"),
    ],
)
def test_slugify_keeps_readable_latin_words(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_cuts_long_titles_at_a_word_boundary() -> None:
    title = (
        "Ketua MPR Zulkifli Hasan menyesalkan kisruh yang terjadi antara pelaku sarana transportasi"
    )
    slug = slugify(title)
    assert len(slug) <= MAX_SLUG_CHARS
    assert title.lower().replace(" ", "-").startswith(slug)
    assert not slug.endswith("-")


@pytest.mark.parametrize(
    ("lang", "edition_title", "expected"),
    [
        (Lang.ID, "ignored for Indonesian", "banjir-melanda-jakarta"),
        (Lang.EN, "Floods hit Jakarta", "floods-hit-jakarta"),
        (Lang.FR, "Inondations à Jakarta", "inondations-a-jakarta"),
        # no Latin slug in these scripts: the Indonesian slug is the stable fallback
        (Lang.ZH, "雅加达发生洪水", "banjir-melanda-jakarta"),
        (Lang.JA, "ジャカルタで洪水", "banjir-melanda-jakarta"),
        (Lang.AR, "فيضانات في جاكرتا", "banjir-melanda-jakarta"),
        # not translated yet: the Indonesian slug, also in English
        (Lang.EN, None, "banjir-melanda-jakarta"),
        # a translated title with nothing Latin in it falls back too
        (Lang.EN, "¿¡…!?", "banjir-melanda-jakarta"),
    ],
)
def test_article_slug_per_language(lang: Lang, edition_title: str | None, expected: str) -> None:
    slug = article_slug(lang, source_title="Banjir melanda Jakarta", edition_title=edition_title)
    assert slug == expected


def test_article_paths_round_trip() -> None:
    path = article_path(Lang.FR, 42, "inondations-a-jakarta")
    assert path == "/fr/42-inondations-a-jakarta"
    assert parse_article_segment(path.rsplit("/", 1)[1]) == (42, "inondations-a-jakarta")
    assert article_path(Lang.ZH, 7, "") == "/zh/7"
    assert parse_article_segment("7") == (7, "")


@pytest.mark.parametrize(
    "segment",
    [
        "olahraga",  # a category, not an article
        "0-zero",  # ids start at 1
        "12a-slug",  # digits must be followed by "-" or nothing
        "1" * 19,  # longer than any row id (and than a BIGINT)
        "",
        "-12",
    ],
)
def test_segments_that_name_no_article(segment: str) -> None:
    assert parse_article_segment(segment) is None


@pytest.mark.parametrize(
    ("lang", "name", "label", "slug"),
    [
        (Lang.ID, "tajuk utama", "Tajuk Utama", "tajuk-utama"),
        (Lang.EN, "olahraga", "Sports", "sports"),
        (Lang.FR, "tajuk utama", "À la une", "a-la-une"),
        (Lang.ZH, "olahraga", "体育", "olahraga"),
        (Lang.AR, "teknologi", "تكنولوجيا", "teknologi"),
        # a category name starting with a digit cannot pass for an article id
        (Lang.ID, "2024 pemilu", "2024 pemilu", "k-2024-pemilu"),
        # nothing Latin in the newsroom's own name either: a stable hex key
        (Lang.ZH, "体育", "体育", "k-e4bd93e882b2"),
    ],
)
def test_category_slugs(lang: Lang, name: str, label: str, slug: str) -> None:
    result = category_slug(lang, name=name, label=label)
    assert result == slug
    assert is_category_segment(result)
    assert parse_article_segment(result) is None
