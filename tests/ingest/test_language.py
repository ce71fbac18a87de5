from __future__ import annotations

from collections.abc import Callable

import pytest

from warta.errors import NotIndonesianError
from warta.ingest.language import IndonesianCheck

# Written for this test in Malaysian Malay (bahawa, kerajaan, peratus, beliau berkata, percuma,
# dalam talian): lingua scores every sentence Malay.
MALAY = (
    "Kerajaan Malaysia hari ini mengumumkan bahawa kadar pengangguran negara telah menurun kepada "
    "3.4 peratus. Menteri Kewangan berkata langkah-langkah yang diambil oleh kerajaan sejak tahun "
    "lepas telah membantu syarikat tempatan mengambil lebih ramai pekerja. Beliau berkata demikian "
    "kepada pemberita selepas merasmikan sebuah kilang baharu di Shah Alam, Selangor. Menurut "
    "beliau, kerajaan akan terus memberi bantuan kewangan kepada perniagaan kecil dan sederhana "
    "kerana sektor itu merupakan tulang belakang ekonomi negara. Orang ramai juga boleh memohon "
    "bantuan tersebut secara dalam talian mulai minggu hadapan."
)


@pytest.fixture(scope="module")
def check() -> IndonesianCheck:
    return IndonesianCheck(min_confidence=0.5)


def test_warm_up_makes_the_detector_ready(check: IndonesianCheck) -> None:
    check.warm_up()
    assert check.judge("Gempa mengguncang Lombok pada Minggu pagi.").language in ("id", "ms")


def test_indonesian_passage_is_accepted(check: IndonesianCheck, flores: Callable[..., str]) -> None:
    verdict = check.check(flores("id"))
    assert verdict.accepted
    assert verdict.language == "id"
    assert verdict.confidence >= 0.5


@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "English"), ("fr", "French"), ("ar", "Arabic"), ("zh", "Chinese"), ("ja", "Japanese")],
)
def test_other_languages_are_refused_naming_the_language(
    check: IndonesianCheck, flores: Callable[..., str], lang: str, name: str
) -> None:
    with pytest.raises(NotIndonesianError) as info:
        check.check(flores(lang))
    err = info.value
    assert err.context["detected"] == lang
    assert err.context["confidence"] > 0.9
    assert name in err.message
    assert "Indonesian" in err.hint


def test_malaysian_malay_is_refused(check: IndonesianCheck) -> None:
    with pytest.raises(NotIndonesianError) as info:
        check.check(MALAY)
    assert info.value.context["detected"] == "ms"
    assert "Malay" in info.value.message


def test_short_indonesian_scored_as_malay_is_accepted(
    check: IndonesianCheck, flores: Callable[..., str]
) -> None:
    # FLORES dev sentence 23 alone scores Malay; one sentence is too little to tell them apart
    verdict = check.check(flores("id", 23, 24))
    assert (verdict.accepted, verdict.language) == (True, "ms")
    assert "too short" in verdict.reason


def test_malay_scored_indonesian_passage_passes_on_the_sentence_vote(
    check: IndonesianCheck, flores: Callable[..., str]
) -> None:
    # sentences 21-23 together score Malay, but one of the three reads as Indonesian
    verdict = check.check(flores("id", 21, 24))
    assert (verdict.accepted, verdict.language) == (True, "ms")
    assert "1 of 3 sentences Indonesian" in verdict.reason


def test_text_under_twenty_characters_is_not_checked(check: IndonesianCheck) -> None:
    verdict = check.check("Breaking news here")  # 16 non-space characters
    assert verdict.accepted
    assert verdict.language == ""


def test_text_of_twenty_characters_is_checked(check: IndonesianCheck) -> None:
    with pytest.raises(NotIndonesianError):
        check.check("Breaking news here, now")  # exactly 20 non-space characters


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_confidence_outside_zero_to_one_is_a_programming_error(bad: float) -> None:
    with pytest.raises(ValueError, match="min_confidence"):
        IndonesianCheck(min_confidence=bad)


def test_too_little_indonesian_confidence_is_refused_naming_the_next_language(
    flores: Callable[..., str],
) -> None:
    # FLORES dev sentence 23 alone: Indonesian + Malay together score about 0.61
    strict = IndonesianCheck(min_confidence=0.9)
    with pytest.raises(NotIndonesianError) as info:
        strict.check(flores("id", 23, 24))
    err = info.value
    assert "not clearly Indonesian" in err.message
    assert "0.90 needed" in err.message
    assert err.context["detected"] not in ("id", "ms")
    assert 0.0 < err.context["confidence"] < 0.5
    assert strict.min_confidence == 0.9
