"""Each check catches its corruption of a real FLORES-101 dev reference and passes the reference."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from warta.domain import Glossary, GlossaryTerm
from warta.languages import TARGET_LANGS, Lang
from warta.quality import checks
from warta.quality.corruptions import Corruption, CorruptionInput, corrupt
from warta.quality.flores import ParallelCorpus
from warta.quality.issues import QualityIssue
from warta.quality.scripts import LanguageIdentifier

Check = Callable[..., list[QualityIssue]]


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


def _codes(issues: list[QualityIssue]) -> set[str]:
    return {i.code for i in issues}


def _item(
    flores: ParallelCorpus, line: int, lang: Lang, *, other: Lang | None = None
) -> CorruptionInput:
    i = line - 1
    others = {o: flores.lines[o][i] for o in TARGET_LANGS if o is not lang}
    if other is not None:
        others = {other: others[other]}
    return CorruptionInput(
        source=flores.lines[Lang.ID][i],
        reference=flores.lines[lang][i],
        lang=lang,
        others=others,
        next_reference=flores.lines[lang][i + 1],
    )


# (corruption, FLORES line (1-based), target language, the code the check must report)
CASES = [
    # line 3: "JAS 39C ... pukul 9.30 ... (0230 UTC)" -> 9:30, 9時30分, ٩:٣٠, 9 h 30; ٠٢٣٠
    *[(Corruption.NUMBER, 3, lang, "number_mismatch") for lang in TARGET_LANGS],
    # line 3: "JAS 39C Gripen jatuh ... (0230 UTC) dan meledak, ..." cut at 30-80%
    *[(Corruption.TRUNCATION, 3, lang, "unterminated") for lang in TARGET_LANGS],
    # line 4: the Indonesian sentence itself given as the translation
    *[(Corruption.UNTRANSLATED, 4, lang, "untranslated") for lang in TARGET_LANGS],
    # line 2: a phrase repeated in a loop or said again at the end
    *[(Corruption.REPETITION, 2, lang, "repetition") for lang in TARGET_LANGS],
    # line 86: "kondisi tidak akan membaik" -> wouldn't, ないだろう, ne ... pas
    *[(Corruption.NEGATION, 86, lang, "negation_missing") for lang in (Lang.EN, Lang.JA, Lang.FR)],
    # line 76: "... akan tidak ada etikanya ..." -> 不道德, غير أخلاقي (zh and ar say line 86
    # without a negation word: 要到下周才能改善; لن تتحسن حتى وقتٍ ما keeps ما)
    (Corruption.NEGATION, 76, Lang.ZH, "negation_missing"),
    (Corruption.NEGATION, 76, Lang.AR, "negation_missing"),
    # line 3 -> line 4's reference: none of JAS, Gripen, UTC in "The pilot was identified ..."
    (Corruption.SWAP, 3, Lang.EN, "names_missing"),
    (Corruption.SWAP, 3, Lang.FR, "names_missing"),
]

_CHECKS: dict[Corruption, str] = {
    Corruption.NUMBER: "check_numbers",
    Corruption.TRUNCATION: "check_truncation",
    Corruption.UNTRANSLATED: "check_untranslated",
    Corruption.REPETITION: "check_repetition",
    Corruption.NEGATION: "check_negation",
    Corruption.SWAP: "check_names",
}


@pytest.mark.parametrize(("kind", "line", "lang", "code"), CASES)
def test_check_catches_its_corruption_and_passes_the_reference(
    flores, identifier, kind, line, lang, code
):
    item = _item(flores, line, lang)
    broken = corrupt(kind, item, random.Random(7))  # noqa: S311 -- a seed, not crypto
    assert broken is not None
    check: Check = getattr(checks, _CHECKS[kind])
    extra = {"identifier": identifier} if kind is Corruption.UNTRANSLATED else {}
    assert code not in _codes(check(item.source, item.reference, target=lang, **extra))
    assert code in _codes(check(item.source, broken, target=lang, **extra)), broken


@pytest.mark.parametrize(
    ("lang", "other", "reason"),
    [
        # the same sentence (line 5) in another target language
        (Lang.EN, Lang.FR, "wrong_language:fr"),  # lingua, restricted to a few languages
        (Lang.FR, Lang.EN, "wrong_language:en"),
        (Lang.ZH, Lang.JA, "wrong_language:ja"),  # kana in Chinese
        (Lang.JA, Lang.ZH, "wrong_language:zh"),  # kanji without kana
        (Lang.AR, Lang.EN, "wrong_script:latin"),
        (Lang.ZH, Lang.AR, "wrong_script:arabic"),
        (Lang.EN, Lang.JA, "wrong_script:kana"),
    ],
)
def test_wrong_language_is_caught_and_the_reference_passes(flores, identifier, lang, other, reason):
    item = _item(flores, 5, lang, other=other)
    broken = corrupt(Corruption.WRONG_LANGUAGE, item, random.Random(0))  # noqa: S311 -- a seed, not crypto
    assert broken is not None
    assert broken == flores.lines[other][4].strip()
    assert (
        checks.check_language(item.source, item.reference, target=lang, identifier=identifier) == []
    )
    found = checks.check_language(item.source, broken, target=lang, identifier=identifier)
    assert [i.reason for i in found] == [reason]


def test_latin_names_in_a_chinese_reference_do_not_make_it_latin(flores, identifier):
    # line 4: "涉事飞行员是空军中队长迪罗里·帕塔维 (Dilokrit Pattavee)。"
    src, ref = flores.lines[Lang.ID][3], flores.lines[Lang.ZH][3]
    assert "Dilokrit Pattavee" in ref
    assert checks.check_language(src, ref, target=Lang.ZH, identifier=identifier) == []


def test_untranslated_indonesian_paraphrase_is_caught_by_language_identification(identifier):
    # not a copy of the source (few shared words), but Indonesian all the same
    src = "Pilot tersebut diidentifikasi sebagai Pemimpin Skuadron Dilokrit Pattavee."
    tgt = "Sang penerbang dikenali sebagai komandan regu bernama Dilokrit Pattavee."
    found = checks.check_untranslated(src, tgt, target=Lang.EN, identifier=identifier)
    assert [i.reason for i in found] == ["untranslated"]


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_output_much_longer_or_shorter_than_the_source_is_flagged(flores, lang):
    src, ref = flores.lines[Lang.ID][0], flores.lines[lang][0]
    assert checks.check_length_ratio(src, ref, target=lang) == []
    long = checks.check_length_ratio(src, " ".join([ref] * 3), target=lang)
    assert [i.reason for i in long] == ["length_ratio:long"]
    short = checks.check_length_ratio(src, ref[: len(ref) // 5], target=lang)
    assert [i.reason for i in short] == ["length_ratio:short"]


def test_low_model_log_probability_is_flagged_and_grows_more_severe():
    assert checks.check_logprob("a", "b", target=Lang.EN, logprob=-0.4) == []
    assert checks.check_logprob("a", "b", target=Lang.EN, logprob=None) == []
    mild = checks.check_logprob("a", "b", target=Lang.EN, logprob=-1.6)
    bad = checks.check_logprob("a", "b", target=Lang.EN, logprob=-3.0)
    assert [i.reason for i in mild] == ["low_logprob:-1.60"]
    assert bad[0].severity > mild[0].severity


def test_decoder_truncation_and_empty_output_are_flagged():
    src = "Pilot tersebut diidentifikasi sebagai Pemimpin Skuadron Dilokrit Pattavee."
    tgt = "The pilot was identified as Squadron Leader Dilokrit Pattavee."
    assert checks.check_truncation(src, tgt, target=Lang.EN) == []
    assert [i.code for i in checks.check_truncation(src, tgt, target=Lang.EN, truncated=True)] == [
        "truncated"
    ]
    assert [i.code for i in checks.check_truncation(src, "  ", target=Lang.EN)] == ["empty"]


@pytest.mark.parametrize(
    ("lang", "clean", "broken"),
    [
        # line 14: "Nadal mengantongi 88% poin bersih ..."
        (
            Lang.EN,
            "Nadal bagged 88% net points in the match",
            "Nadal bagged 88 net points in the match",
        ),
        (Lang.FR, "Nadal a amassé 88 % de points nets", "Nadal a amassé 88 points nets"),
        (Lang.JA, "88パーセントのネットポイントを獲得", "88のネットポイントを獲得"),
        (Lang.AR, "حصد نادال نقاط على الشبكة بنسبة 88٪", "حصد نادال 88 نقطة على الشبكة"),
    ],
)
def test_percentages_stay_percentages(lang, clean, broken):
    src = "Nadal mengantongi 88% poin bersih dalam laga ini."
    assert checks.check_amounts(src, clean, target=lang) == []
    assert [i.reason for i in checks.check_amounts(src, broken, target=lang)] == ["percent_missing"]


def test_rupiah_amounts_keep_their_currency():
    src = "Harga tiket naik menjadi Rp 50.000 per orang."
    assert checks.check_amounts(src, "Tickets now cost Rp 50,000 each.", target=Lang.EN) == []
    assert checks.check_amounts(src, "票价涨到每人 50,000 印尼盾。", target=Lang.ZH) == []
    found = checks.check_amounts(src, "Tickets now cost $50,000 each.", target=Lang.EN)
    assert [i.reason for i in found] == ["currency_missing:Rp"]


def test_urls_and_emails_must_be_kept_verbatim():
    src = "Informasi lengkap ada di https://bmkg.go.id/gempa atau kirim surel ke info@bmkg.go.id."
    good = "Details are at https://bmkg.go.id/gempa or write to info@bmkg.go.id."
    bad = "Details are at https://bmkg.go.id or write to info at bmkg.go.id."
    assert checks.check_urls(src, good, target=Lang.EN) == []
    assert [i.reason for i in checks.check_urls(src, bad, target=Lang.EN)] == [
        "url_missing:https://bmkg.go.id/gempa",
        "email_missing:info@bmkg.go.id",
    ]


def test_glossary_terms_are_rendered_as_the_glossary_says(flores):
    glossary = Glossary(
        version=3,
        terms=(
            GlossaryTerm(source="Stanford University", do_not_translate=True),
            GlossaryTerm(source="alat diagnostik", translations={Lang.FR: "outil de diagnostic"}),
        ),
    )
    src = flores.lines[Lang.ID][0]
    en, fr = flores.lines[Lang.EN][0], flores.lines[Lang.FR][0]
    # en keeps "Stanford University" (no fr rendering asked of it for the second term)
    assert checks.check_glossary(src, en, target=Lang.EN, glossary=glossary) == []
    # fr says "l'université de Stanford" but does use "outil de diagnostic"
    found = checks.check_glossary(src, fr, target=Lang.FR, glossary=glossary)
    assert [i.reason for i in found] == ["glossary_missing:Stanford University"]
    assert checks.check_glossary(src, fr, target=Lang.FR, glossary=None) == []


def test_names_are_looked_for_in_latin_targets_only_as_acronyms_elsewhere(flores):
    src = flores.lines[Lang.ID][2]  # JAS 39C Gripen ... (0230 UTC)
    assert checks.source_names(src) == ["JAS", "Gripen", "UTC"]
    assert checks.check_names(src, flores.lines[Lang.EN][2], target=Lang.EN) == []
    # Arabic transliterates: جاس-٣٩ غربين; the acronyms are weak doubts only
    found = checks.check_names(src, flores.lines[Lang.AR][2], target=Lang.AR)
    assert {i.reason for i in found} == {"name_missing:JAS", "name_missing:UTC"}
    assert all(i.severity < 0.5 for i in found)


def test_a_long_phrase_that_the_source_also_repeats_is_not_repetition():
    src = "Reading Rainbow memenangkan penghargaan, dan Reading Rainbow terus disiarkan."
    tgt = "Reading Rainbow won awards, and Reading Rainbow stayed on the air."
    assert checks.check_repetition(src, tgt, target=Lang.EN) == []


def test_reduplicated_words_are_not_a_loop():
    # いろいろ and 人々 are words, not a decoder stuck in a loop
    src = "Ada berbagai macam orang di sana."
    assert checks.check_repetition(src, "そこにはいろいろな人々がいます。", target=Lang.JA) == []
    assert [
        i.code
        for i in checks.check_repetition(
            src, "そこには人がいますがいますがいます。", target=Lang.JA
        )
    ] == ["repetition"]


def test_the_identifier_answers_a_repeated_text_from_memory_read_only(
    identifier: LanguageIdentifier,
) -> None:
    text = "The minister said the new rules will be announced next week."
    first = identifier.confidences(text)
    assert max(first, key=lambda code: first[code]) == "en"
    assert identifier.confidences(text) is first  # not computed again
    with pytest.raises(TypeError):
        first["en"] = 0.0  # type: ignore[index]  # shared answers cannot be changed by a caller
    for n in range(100):  # older texts make room for newer ones
        identifier.confidences(f"{text} {n}")
    assert identifier.confidences(text) is not first
    again = identifier.confidences(text)
    assert dict(again) == pytest.approx(dict(first))
