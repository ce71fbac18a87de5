from __future__ import annotations

from decimal import Decimal

import pytest

from warta.languages import Lang
from warta.quality.numbers import find_numbers, missing_numbers, number_pool

D = Decimal


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Indonesian: dot groups thousands, comma is the decimal mark
        ("sekitar 270.000 orang", Lang.ID, {D(270000)}),
        ("naik 2,5 persen", Lang.ID, {D("2.5")}),
        # an English-style decimal in Indonesian text is still read (no valid id reading)
        ("sekitar 2.5 km", Lang.ID, {D("2.5")}),
        # scale words multiply: 2,5 juta = 2.5 million
        ("Rp 2,5 juta", Lang.ID, {D("2.5"), D(2500000)}),
        ("$2.3 billion", Lang.EN, {D("2.3"), D(2300000000)}),
        ("270,000 people", Lang.EN, {D(270000)}),
        # English read as English: "270.000" is 270 (a localisation error shows up as a mismatch)
        ("270.000 people", Lang.EN, {D(270)}),
        # French: (narrow) no-break space groups thousands
        ("270\u202f000 personnes et 2,5 %", Lang.FR, {D(270000), D("2.5")}),
        ("2,3 milliards de dollars", Lang.FR, {D("2.3"), D(2300000000)}),
        # Chinese and Japanese scales
        ("23 亿美元", Lang.ZH, {D(23), D(2300000000)}),
        ("250万人", Lang.JA, {D(250), D(2500000)}),
        # Arabic-Indic digits and separators
        ("٢٧٠٬٠٠٠ و ٢٫٥", Lang.AR, {D(270000), D("2.5")}),
        ("2.3 مليار دولار", Lang.AR, {D("2.3"), D(2300000000)}),
        # full-width digits
        ("２０１６年", Lang.JA, {D(2016)}),
    ],
)
def test_numbers_are_read_under_each_languages_conventions(text, lang, expected):
    values: set[Decimal] = set()
    for mention in find_numbers(text, lang):
        values |= mention.values
    assert values == expected


def test_units_glued_to_letters_are_not_numbers():
    # "km2" is square kilometres, not the number 2
    assert [m.text for m in find_numbers("seluas 2,2 juta km2", Lang.ID)] == ["2,2"]


def test_a_range_shares_its_scale():
    # "200～300万年前": both ends are in 万
    pool = number_pool("200～300万年前の化石", Lang.JA)
    assert D(2000000) in pool
    assert D(3000000) in pool


@pytest.mark.parametrize(
    ("source", "target", "lang"),
    # Real FLORES-101 dev pairs whose numbers are written differently but say the same thing.
    [
        # 9.30 (time) vs 9:30, 9時30分, ٩:٣٠, 9 h 30; 0230 vs ٠٢٣٠
        (
            "sekitar pukul 9.30 waktu setempat (0230 UTC)",
            "at around 9:30 am local time (0230 UTC)",
            Lang.EN,
        ),
        (
            "sekitar pukul 9.30 waktu setempat (0230 UTC)",
            "現地時間の午前9時30分頃（UTC 0230）",
            Lang.JA,
        ),
        (
            "sekitar pukul 9.30 waktu setempat (0230 UTC)",
            "حوالي الساعة ٩:٣٠ صباحاً بالتوقيت المحلي (٠٢٣٠ التوقيت العالمي الموحّد)",
            Lang.AR,
        ),
        (
            "sekitar pukul 9.30 waktu setempat (0230 UTC)",
            "autour de 9 h 30 heure locale (0230 UTC)",
            Lang.FR,
        ),
        # 2,3 miliar dolar AS = $2.3 billion = 23 亿美元 = 23億ドル
        ("senilai 2,3 miliar dolar AS", "an estimated fortune of $2.3 billion", Lang.EN),
        ("senilai 2,3 miliar dolar AS", "预计其财富达到约 23 亿美元", Lang.ZH),
        ("senilai 2,3 miliar dolar AS", "推定資産額は23億ドルでした", Lang.JA),
        # 1.200 (Indonesian thousands) = 1200
        (
            "sepertiga dari 1.200 perusahaan cangkang",
            "a third of the 1200 shell companies",
            Lang.EN,
        ),
        # 1995-96 = 1995～1996
        ("sejak 1995-96", "1995～1996年の", Lang.JA),
        # a digit written as a word: 3 → three / trois / 三 / ثلاثة
        ("bergabung 3 musim yang lalu", "joined three seasons ago", Lang.EN),
        ("bergabung 3 musim yang lalu", "a rejoint il y a trois saisons", Lang.FR),
        ("bergabung 3 musim yang lalu", "三个赛季前", Lang.ZH),
        ("bergabung 3 musim yang lalu", "قبل ثلاثة مواسم", Lang.AR),
        # centuries: abad ke-16 = XVIe siècle = القرن السادس عشر
        ("pada abad ke-16", "au XVIe siècle", Lang.FR),
        ("pada abad ke-16", "في القرن السادس عشر", Lang.AR),
        # decades: 1930-an = 20 世纪 30 年代 = les années 30
        ("pada tahun 1930-an", "于 20 世纪 30 年代发现的", Lang.ZH),
        ("pada tahun 1930-an", "dans les années 30", Lang.FR),
        # 54 juta = 5千4百万
        ("dengan 54 juta profil", "現在5千4百万人のプロフィール", Lang.JA),
    ],
)
def test_equivalent_numbers_match(source, target, lang):
    assert missing_numbers(source, target, source_lang=Lang.ID, target_lang=lang) == []


@pytest.mark.parametrize(
    ("source", "target", "lang", "missing"),
    [
        ("senilai 2,3 miliar dolar AS", "an estimated fortune of $2.8 billion", Lang.EN, ["2,3"]),
        ("senilai 2,3 miliar dolar AS", "预计其财富达到约 28 亿美元", Lang.ZH, ["2,3"]),
        ("bermain di 49 laga", "a joué matchs pour le club", Lang.FR, ["49"]),
        ("sekitar 270.000 orang", "about 270.000 people", Lang.EN, ["270.000"]),  # read as 270
        ("pada tahun 1930-an", "于 20 世纪 70 年代发现的", Lang.ZH, ["1930"]),
        ("sekitar pukul 9.30", "vers 9 h 45", Lang.FR, ["9.30"]),
    ],
)
def test_changed_or_dropped_numbers_are_missing(source, target, lang, missing):
    found = missing_numbers(source, target, source_lang=Lang.ID, target_lang=lang)
    assert [m.text for m in found] == missing
