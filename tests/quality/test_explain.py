"""Quality flags in words: every flag the code raises has a sentence in Indonesian and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warta.languages import Lang
from warta.quality import explain as explain_module
from warta.quality.explain import FLAG_CODES, explain, explain_all, split_flag

SRC = Path(explain_module.__file__).resolve().parents[1]
RAISED = [
    re.compile(r'QualityIssue\(\s*"([a-z_]+)"'),  # quality checks
    re.compile(r'flags\.append\("([a-z_]+)"\)'),  # restore, model_io, pipeline
    re.compile(r'^(?:DROPPED_\w+|SOURCE_CHANGED\w*)\s*=\s*"([a-z_]+)"', re.MULTILINE),
]
NEWSROOM_FLAGS = {
    "source_changed_since_correction",
    "correction_dropped_link",
    "correction_dropped_number",
}


def raised_codes() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in RAISED:
            found.update(pattern.findall(text))
    return found


def test_every_flag_the_code_raises_is_explained() -> None:
    raised = raised_codes()
    assert {"number_mismatch", "placeholder_lost", "markup_lost", "truncated"} <= raised
    assert raised - FLAG_CODES == set()
    assert NEWSROOM_FLAGS <= FLAG_CODES


@pytest.mark.parametrize("code", sorted(FLAG_CODES))
def test_each_flag_has_its_own_sentence_in_both_languages(code: str) -> None:
    english, indonesian = explain(code, lang=Lang.EN), explain(code, lang=Lang.ID)
    assert english.endswith(".")
    assert indonesian.endswith(".")
    assert english != indonesian
    assert "_" not in english  # words, not the code


@pytest.mark.parametrize(
    ("flag", "lang", "expected"),
    [
        # the detail (the number) is named
        (
            "number_mismatch:1.200",
            Lang.EN,
            "The number 1.200 in the Indonesian sentence is missing from the translation.",
        ),
        (
            "number_mismatch:1.200",
            Lang.ID,
            "Angka 1.200 dalam kalimat Indonesia tidak ada dalam terjemahan.",
        ),
        # length_ratio's detail chooses the sentence
        (
            "length_ratio:short",
            Lang.EN,
            "The translation is much shorter than the Indonesian sentence: something may be "
            "missing.",
        ),
        # a flag without its usual detail still reads well
        (
            "number_mismatch",
            Lang.EN,
            "A number in the Indonesian sentence is missing from the translation.",
        ),
        # a flag with a detail where the sentence has no place for one drops it
        ("untranslated:x", Lang.ID, "Kalimat ini dibiarkan dalam bahasa Indonesia."),
        # a code added later is still explained, naming it
        (
            "brand_new_check:7",
            Lang.EN,
            "An automatic check doubted this sentence (brand_new_check:7).",
        ),
        # other languages fall back to English
        ("empty", Lang.FR, "The translation is empty."),
    ],
)
def test_explain(flag: str, lang: Lang, expected: str) -> None:
    assert explain(flag, lang=lang) == expected


def test_explain_all_keeps_order_and_drops_repeats() -> None:
    found = explain_all(["repetition", "number_added:5", "repetition"], lang=Lang.EN)
    assert [(e.code, e.detail) for e in found] == [("repetition", ""), ("number_added", "5")]
    assert found[1].text == (
        "The translation has the number 5, which the Indonesian sentence does not have."
    )


def test_split_flag() -> None:
    assert split_flag("url_missing:https://a.example/x:1") == (
        "url_missing",
        "https://a.example/x:1",
    )
    assert split_flag("empty") == ("empty", "")
