"""Indonesian numbers rewritten in each target language's CLDR conventions."""

from __future__ import annotations

import pytest
from babel.numbers import get_group_symbol

from warta.languages import Lang
from warta.text.numbers import NUMBER, localise

NNBSP = get_group_symbol("fr")  # CLDR's French group separator (U+202F narrow no-break space)

CASES = [
    # Thousands grouped with dots (sample: "36.000 kepengurusan").
    (
        "270.000",
        {
            Lang.EN: "270,000",
            Lang.FR: f"270{NNBSP}000",
            Lang.ZH: "270,000",
            Lang.AR: "270,000",
            Lang.ID: "270.000",
        },
    ),
    # Decimal comma (sample: "4,7 Skala Richter").
    ("2,5", {Lang.EN: "2.5", Lang.FR: "2,5", Lang.JA: "2.5", Lang.ID: "2,5"}),
    # Both (sample: "5.999,25 kg"); fraction digits are kept as written.
    ("5.999,25", {Lang.EN: "5,999.25", Lang.FR: f"5{NNBSP}999,25"}),
    ("1,50", {Lang.EN: "1.50"}),
    # Years and other plain integers, with leading zeros too (sample: "agen 007").
    ("2017", {Lang.EN: "2017", Lang.FR: "2017"}),
    ("007", {Lang.EN: "007"}),
    # Dates, times, scores, ranges whose parts are plain (sample: "27/5/2017", "20.36 WIB",
    # "19:41 WIB", "3-0", "2016-17").
    ("27/3/2017", {Lang.EN: "27/3/2017", Lang.FR: "27/3/2017"}),
    ("10.30", {Lang.EN: "10.30"}),
    ("19:41", {Lang.EN: "19:41"}),
    ("3-0", {Lang.EN: "3-0"}),
    # A range of decimals: each part in the target's conventions.
    ("2,5-3,5", {Lang.EN: "2.5-3.5"}),
    # Dotted strings that are not thousands groups stay.
    ("1.5", {Lang.EN: "1.5"}),
    ("192.168.1.1", {Lang.EN: "192.168.1.1"}),
]


@pytest.mark.parametrize(("number", "expected"), CASES)
def test_localises_numbers(number: str, expected: dict[Lang, str]) -> None:
    assert NUMBER.fullmatch(number)
    for lang, rendering in expected.items():
        assert localise(number, target=lang) == rendering, lang


def test_finds_numbers_but_not_digits_inside_words() -> None:
    text = "Rp5.000, B737, COVID-19, ke-25, 5G, 4,7 SR, skor 3-0. Tahun 2017."
    assert [m[0] for m in NUMBER.finditer(text)] == ["5.000", "4,7", "3-0", "2017"]
