from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warta.languages import Lang
from warta.web.locales import LOCALES, lang_from_path, negotiate

WHEN = datetime(2025, 3, 10, 20, 5, tzinfo=UTC)  # 11 March 03:05 in Jakarta


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, Lang.ID),
        ("", Lang.ID),
        ("en-US,en;q=0.9", Lang.EN),
        ("de-DE,de;q=0.9,fr;q=0.8,en;q=0.7", Lang.FR),  # German is not offered: next best
        ("zh-TW,zh;q=0.9", Lang.ZH),  # Traditional asked, Simplified is the nearest there is
        ("ja-JP", Lang.JA),
        ("ar-EG,ar;q=0.9,en;q=0.5", Lang.AR),
        ("en;q=0.5, ar;q=0.8", Lang.AR),  # quality, not order, decides
        ("fr;q=0.8, en;q=0.8", Lang.FR),  # equal quality: the first listed
        ("in-ID", Lang.ID),  # the old code for Indonesian
        ("en;q=0, ja", Lang.JA),  # q=0 means "not acceptable"
        ("en;q=abc, ja;q=0.1", Lang.JA),  # a malformed quality drops the entry
        ("de, es, *", Lang.ID),
        ("EN-gb", Lang.EN),
    ],
)
def test_accept_language_chooses_the_front_page(header: str | None, lang: Lang) -> None:
    assert negotiate(header) is lang


def test_only_exact_lower_case_codes_are_languages_in_paths() -> None:
    assert lang_from_path("ar") is Lang.AR
    assert lang_from_path("AR") is None
    assert lang_from_path("de") is None
    assert lang_from_path("") is None


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (Lang.ID, "11 Maret 2025"),
        (Lang.EN, "March 11, 2025"),
        (Lang.ZH, "2025年3月11日"),
        (Lang.JA, "2025年3月11日"),
        (Lang.AR, "11 مارس 2025"),
        (Lang.FR, "11 mars 2025"),
    ],
)
def test_dates_are_written_per_language_in_jakarta_time(lang: Lang, expected: str) -> None:
    assert LOCALES[lang].format_date(WHEN) == expected
    assert LOCALES[lang].format_datetime(WHEN).startswith(expected)


def test_arabic_times_use_arabic_punctuation_and_markers() -> None:
    text = LOCALES[Lang.AR].format_datetime(WHEN)
    assert "،" in text  # the Arabic comma
    assert "ص" in text  # "morning" (AM) in Arabic
    assert LOCALES[Lang.AR].dir == "rtl"
    assert {LOCALES[lang].dir for lang in Lang if lang is not Lang.AR} == {"ltr"}


def test_zone_is_named_in_the_language() -> None:
    assert LOCALES[Lang.EN].format_zone(WHEN) == "GMT+07:00"
    assert LOCALES[Lang.AR].format_zone(WHEN) != "GMT+07:00"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (Lang.ID, "12.345"),
        (Lang.EN, "12,345"),
        (Lang.FR, "12\u202f345"),
        (Lang.AR, "12,345"),  # CLDR's default digits for Arabic are Latin (as the pipeline writes)
        (Lang.ZH, "12,345"),
    ],
)
def test_numbers_are_grouped_per_language(lang: Lang, expected: str) -> None:
    assert LOCALES[lang].format_number(12345) == expected
