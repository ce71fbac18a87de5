"""Corrections as text: cleaning, warnings and the word-level diff (pure)."""

from __future__ import annotations

import pytest

from warta.corrections import (
    DROPPED_LINK,
    DROPPED_NUMBER,
    clean_correction,
    correction_warnings,
    word_diff,
)
from warta.errors import FieldError
from warta.languages import Lang

SOURCE = 'Sebanyak 1.200 warga mengungsi ke <a href="https://kabar.example/posko">posko</a>.'


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # the link and the number, in the target's own conventions: no warning
        ('As many as 1,200 fled to the <a href="https://kabar.example/posko">shelter</a>.', ()),
        # the number written out as a scaled figure is still the number
        ('Some 1.2 thousand fled to the <a href="https://kabar.example/posko">shelter</a>.', ()),
        # the link is gone
        ("As many as 1,200 fled to the shelter.", (DROPPED_LINK,)),
        # a link, but to somewhere else
        ('1,200 fled to the <a href="https://elsewhere.example/">shelter</a>.', (DROPPED_LINK,)),
        # the number is gone
        ('Many fled to the <a href="https://kabar.example/posko">shelter</a>.', (DROPPED_NUMBER,)),
        # both
        ("Many fled.", (DROPPED_LINK, DROPPED_NUMBER)),
    ],
)
def test_a_correction_dropping_a_link_or_a_number_is_flagged(
    target: str, expected: tuple[str, ...]
) -> None:
    assert correction_warnings(source_html=SOURCE, target_html=target, lang=Lang.EN) == expected


def test_a_correction_is_sanitised_and_an_empty_one_refused() -> None:
    assert clean_correction(' <b onclick="x()">Rain</b><script>x()</script> ') == "<b>Rain</b>"
    for empty in ("", "  ", "<i> </i>", "<script>alert(1)</script>"):
        with pytest.raises(FieldError):
            clean_correction(empty)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # a replaced word
        ("Heavy rain.", "Light rain.", "<del>Heavy</del><ins>Light</ins> rain."),
        # markup is text's shape, not its words: only the text is compared, then escaped
        (
            "<b>Tom</b> &amp; Jerry",
            "Tom & <i>Spike</i>",
            "Tom &amp; <del>Jerry</del><ins>Spike</ins>",
        ),
        # text that looks like markup stays text
        ("a", "a &lt;img&gt;", "a<ins> &lt;img&gt;</ins>"),
        # CJK is compared character by character
        ("大雨が降った", "小雨が降った", "<del>大</del><ins>小</ins>雨が降った"),
        # nothing before: all inserted
        ("", "New.", "<ins>New.</ins>"),
    ],
)
def test_word_diff_marks_insertions_and_deletions_and_escapes_everything(
    before: str, after: str, expected: str
) -> None:
    assert word_diff(before, after) == expected
