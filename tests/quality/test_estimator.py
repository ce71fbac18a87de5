from __future__ import annotations

import pytest

from warta.domain import Glossary, GlossaryTerm
from warta.languages import TARGET_LANGS, Lang
from warta.quality.estimator import QualityEstimator
from warta.quality.issues import QualityIssue


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_clean_references_are_mostly_not_flagged(flores, estimator, lang):
    # 100 held-out lines (lines 500-599): professional translations, no model score
    part = flores.second_half().slice(1, 101)
    flagged = [
        (i, q.reasons)
        for i, (src, ref) in enumerate(zip(part.lines[Lang.ID], part.lines[lang], strict=True))
        if (q := estimator.assess(source=src, target=ref, lang=lang)).flagged
    ]
    assert len(flagged) <= 10, flagged


def test_a_clean_translation_scores_one_and_has_no_reasons(estimator):
    quality = estimator.assess(
        source="Pilot tersebut diidentifikasi sebagai Pemimpin Skuadron Dilokrit Pattavee.",
        target="The pilot was identified as Squadron Leader Dilokrit Pattavee.",
        lang=Lang.EN,
        logprob=-0.35,
    )
    assert (quality.score, quality.flagged, quality.reasons, quality.flags) == (1.0, False, (), ())


def test_signals_combine_into_a_score_and_a_flag_with_reasons(estimator):
    quality = estimator.assess(
        source="Batten memiliki kekayaan senilai 2,3 miliar dolar AS.",
        target="Batten had a fortune of $2.8 billion",
        lang=Lang.EN,
        logprob=-1.8,
    )
    assert quality.flagged
    # strongest first; equal severities in check order
    assert quality.reasons[:3] == ("low_logprob:-1.80", "unterminated", "number_mismatch:2,3")
    assert "number_added:2.8" in quality.reasons
    assert quality.flags == quality.reasons
    assert 0.0 <= quality.score < 0.1


def test_weak_doubts_alone_do_not_flag():
    estimator = QualityEstimator(identify_language=False)
    quality = estimator.combine([QualityIssue("name_missing", "Gripen", 0.1)], lang=Lang.EN)
    assert (quality.score, quality.flagged, quality.flags) == (0.9, False, ())
    assert quality.reasons == ("name_missing:Gripen",)


def test_thresholds_are_per_language():
    strict = QualityEstimator(thresholds={Lang.JA: 0.95}, identify_language=False)
    issue = [QualityIssue("name_missing", "X", 0.1)]
    assert strict.combine(issue, lang=Lang.JA).flagged
    assert not strict.combine(issue, lang=Lang.EN).flagged
    assert strict.threshold(Lang.FR) == 0.5
    with pytest.raises(ValueError, match="threshold for ja must be in"):
        QualityEstimator(thresholds={Lang.JA: 1.5})


def test_decoder_truncation_empty_output_and_glossary_are_reasons(estimator):
    src = "Ilmuwan dari Stanford University mengumumkan alat diagnostik baru."
    truncated = estimator.assess(
        source=src,
        target="Scientists from Stanford University announced a new",
        lang=Lang.EN,
        truncated=True,
    )
    assert truncated.flagged
    assert truncated.reasons[0] == "truncated"
    empty = estimator.assess(source=src, target="", lang=Lang.FR)
    assert (empty.score, empty.reasons) == (0.0, ("empty",))
    glossary = Glossary(
        version=1, terms=(GlossaryTerm("Stanford University", do_not_translate=True),)
    )
    fr = estimator.assess(
        source=src,
        target="Des scientifiques de l'université de Stanford ont annoncé un nouvel outil.",
        lang=Lang.FR,
        glossary=glossary,
    )
    assert fr.flagged
    assert "glossary_missing:Stanford University" in fr.reasons


def test_issue_severity_must_be_in_range():
    with pytest.raises(ValueError, match="severity"):
        QualityIssue("x", "", 0.0)
    assert QualityIssue("wrong_script", "latin", 0.9).reason == "wrong_script:latin"
    assert QualityIssue("untranslated", "", 0.9).reason == "untranslated"
