from __future__ import annotations

import pytest

from warta.languages import TARGET_LANGS, Lang
from warta.quality.norms import LENGTH_NORMS, LengthNorm, length_norms


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_shipped_length_norms_are_what_the_first_half_of_flores_gives(flores, lang):
    half = flores.first_half()
    assert (half.offset, len(half)) == (0, 498)
    assert length_norms(half.lines[Lang.ID], half.lines[lang]) == LENGTH_NORMS[lang]


def test_norms_order_the_languages_as_expected():
    # Chinese and Japanese need far fewer characters than Indonesian; French a few more.
    ratio = {lang: LENGTH_NORMS[lang].typical_ratio for lang in TARGET_LANGS}
    assert ratio[Lang.ZH] < ratio[Lang.JA] < ratio[Lang.AR] < ratio[Lang.EN] < ratio[Lang.FR]
    assert 1.0 < ratio[Lang.FR] < 1.2


def test_z_score_is_zero_at_the_typical_ratio():
    norm = LengthNorm(mean_log_ratio=0.0, sd_log_ratio=0.1, sentences=2)
    assert norm.z(source_chars=100, target_chars=100) == 0.0
    assert norm.z(source_chars=100, target_chars=200) == pytest.approx(6.931, abs=1e-3)


def test_norms_need_aligned_non_empty_pairs():
    with pytest.raises(ValueError, match="2 sources but 1 targets"):
        length_norms(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="at least two"):
        length_norms(["a", " "], ["b", "c"])
