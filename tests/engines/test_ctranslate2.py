"""CTranslate2Engine on a real (tiny, random-weight) CTranslate2 model."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from warta.domain import ModelProvenance, RegisteredModel
from warta.engines.base import Decoding, Engine, Hypothesis
from warta.engines.ctranslate2 import CTranslate2Engine, resolve_compute_type
from warta.engines.models import MANIFEST_NAME
from warta.errors import (
    ConfigError,
    EngineError,
    ModelNotFoundError,
    UnsupportedLanguagePairError,
)
from warta.languages import Lang

Register = Callable[..., RegisteredModel]


def _assert_alignment_inside(hypothesis: Hypothesis, source: str) -> None:
    assert hypothesis.alignment is not None
    for token in hypothesis.alignment:
        assert 0 <= token.target_start < token.target_end <= len(hypothesis.text)
        assert 0 <= token.source_start < token.source_end <= len(source)
        assert hypothesis.text[token.target_start : token.target_end].strip()
        assert source[token.source_start : token.source_end].strip()


def test_engine_satisfies_the_protocol(register: Register, decoding: Decoding) -> None:
    assert isinstance(CTranslate2Engine([register()], decoding=decoding), Engine)


def test_translates_real_indonesian_sentences(
    register: Register, decoding: Decoding, flores_id: list[str]
) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)
    sources = flores_id[400:412]

    hypotheses = engine.translate(sources, source=Lang.ID, target=Lang.EN)

    assert len(hypotheses) == len(sources)
    for source, hypothesis in zip(sources, hypotheses, strict=True):
        assert hypothesis.text
        assert hypothesis.score is not None
        assert math.isfinite(hypothesis.score)
        assert hypothesis.score <= 0.0
        assert hypothesis.alignment
        _assert_alignment_inside(hypothesis, source)
    # Random weights still give input-dependent output that ends by itself.
    assert len({h.text for h in hypotheses}) > len(sources) // 2
    assert sum(h.truncated for h in hypotheses) < len(sources) // 2


def test_order_is_kept_across_token_batches(register: Register, flores_id: list[str]) -> None:
    # 40 sentences of different lengths, 64 tokens per batch: CTranslate2 sorts them by length
    # into many batches; each answer must come back at its own position.
    small_batches = Decoding(beam_size=2, max_decoding_length=32, batch_tokens=64)
    engine = CTranslate2Engine([register()], decoding=small_batches)
    sources = flores_id[200:240]

    batched = engine.translate(sources, source=Lang.ID, target=Lang.EN)
    one_by_one = [engine.translate([s], source=Lang.ID, target=Lang.EN)[0] for s in sources]

    assert len({h.text for h in one_by_one}) > 20  # distinct enough for order to show
    assert [h.text for h in batched] == [h.text for h in one_by_one]


def test_empty_inputs_come_back_empty_without_loading_a_model(
    register: Register, decoding: Decoding, tmp_path: Path
) -> None:
    # The registered directory does not exist: any model call would fail.
    engine = CTranslate2Engine([register(path=tmp_path / "absent")], decoding=decoding)

    hypotheses = engine.translate(["", "   ", "\n"], source=Lang.ID, target=Lang.EN)

    assert hypotheses == [Hypothesis(text="", score=0.0, alignment=(), truncated=False)] * 3


def test_empty_inputs_keep_their_place_among_real_ones(
    register: Register, decoding: Decoding, flores_id: list[str]
) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)
    alone = engine.translate([flores_id[5]], source=Lang.ID, target=Lang.EN)[0]

    mixed = engine.translate(["", flores_id[5], " "], source=Lang.ID, target=Lang.EN)

    assert [h.text for h in mixed] == ["", alone.text, ""]


def test_truncated_when_decoding_hits_the_length_limit(
    register: Register, flores_id: list[str]
) -> None:
    short = CTranslate2Engine([register()], decoding=Decoding(beam_size=1, max_decoding_length=3))
    roomy = CTranslate2Engine([register()], decoding=Decoding(beam_size=1, max_decoding_length=200))
    sources = flores_id[300:306]

    cut = short.translate(sources, source=Lang.ID, target=Lang.EN)
    full = roomy.translate(sources, source=Lang.ID, target=Lang.EN)

    assert all(h.truncated for h in cut)
    assert not any(h.truncated for h in full)
    assert all(len(c.text) < len(f.text) for c, f in zip(cut, full, strict=True))


def test_scores_are_per_token_whatever_the_length_penalty(
    register: Register, flores_id: list[str]
) -> None:
    # Greedy search picks the same output for any length penalty; CTranslate2 divides its score
    # by length ** penalty, the engine always reports the mean log-probability per token.
    sources = flores_id[10:14]
    scores = {}
    for penalty in (0.0, 1.0, 2.0):
        engine = CTranslate2Engine(
            [register()], decoding=Decoding(beam_size=1, length_penalty=penalty)
        )
        scores[penalty] = engine.translate(sources, source=Lang.ID, target=Lang.EN)
    for a, b, c in zip(scores[0.0], scores[1.0], scores[2.0], strict=True):
        assert a.text == b.text == c.text
        assert a.score == pytest.approx(b.score, rel=1e-4)
        assert c.score == pytest.approx(b.score, rel=1e-4)


def test_describe_names_the_model_device_and_decoding(
    register: Register, decoding: Decoding
) -> None:
    model = register()
    engine = CTranslate2Engine([model], decoding=decoding)

    info = engine.describe(source=Lang.ID, target=Lang.EN)

    assert info.engine == "ctranslate2"
    # The tiny model's manifest says its weights are random: its provenance records it.
    assert info.models == (
        ModelProvenance("tiny", model.checksum, Lang.ID, Lang.EN, random_weights=True),
    )
    assert info.decoding == decoding
    assert (info.device, info.compute_type) == ("cpu", "int8")  # no CUDA on the test machines


def test_a_model_whose_manifest_is_not_random_is_recorded_as_a_real_model(
    register: Register, tiny_model_dir: Path, tmp_path: Path, decoding: Decoding
) -> None:
    copy = Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))
    manifest = json.loads((copy / MANIFEST_NAME).read_text(encoding="utf-8"))
    (copy / MANIFEST_NAME).write_text(json.dumps({**manifest, "random_weights": False}), "utf-8")
    bare = Path(shutil.copytree(tiny_model_dir, tmp_path / "bare"))
    (bare / MANIFEST_NAME).unlink()  # converted by hand: no manifest at all

    for path in (copy, bare):
        engine = CTranslate2Engine([register(path=path)], decoding=decoding)
        (model,) = engine.describe(source=Lang.ID, target=Lang.EN).models
        assert not model.random_weights, path


def test_auto_compute_type_follows_the_device() -> None:
    assert resolve_compute_type("auto", device="cpu") == "int8"
    assert resolve_compute_type("auto", device="cuda") == "float16"
    assert resolve_compute_type("int8_float16", device="cuda") == "int8_float16"


def test_pivot_route_goes_through_english(
    register: Register, decoding: Decoding, flores_id: list[str]
) -> None:
    id_en, en_fr = (
        register(Lang.ID, Lang.EN, name="tiny-id-en"),
        register(Lang.EN, Lang.FR, name="tiny-en-fr"),
    )
    pivot = CTranslate2Engine([id_en, en_fr], decoding=decoding, routes={Lang.FR: "pivot"})
    first = CTranslate2Engine([id_en], decoding=decoding)
    second = CTranslate2Engine([en_fr], decoding=decoding)
    sources = flores_id[40:44]

    info = pivot.describe(source=Lang.ID, target=Lang.FR)
    result = pivot.translate(sources, source=Lang.ID, target=Lang.FR)
    english = first.translate(sources, source=Lang.ID, target=Lang.EN)
    french = second.translate([h.text for h in english], source=Lang.EN, target=Lang.FR)

    assert [(m.name, m.source, m.target) for m in info.models] == [
        ("tiny-id-en", Lang.ID, Lang.EN),
        ("tiny-en-fr", Lang.EN, Lang.FR),
    ]
    for source, got, en, fr in zip(sources, result, english, french, strict=True):
        assert got.text == fr.text
        assert got.score is not None
        assert en.score is not None
        assert fr.score is not None
        assert got.score == pytest.approx(en.score + fr.score, rel=1e-4, abs=1e-6)
        assert got.truncated == (en.truncated or fr.truncated)
        assert got.alignment
        _assert_alignment_inside(got, source)
        # Composed: each French token points where its English token pointed in the source.
        for token in got.alignment:
            via = [a for a in fr.alignment or () if a.target_start == token.target_start]
            assert via, "every composed token comes from a pivot→target token"
            back = [
                e
                for e in en.alignment or ()
                if e.target_start < via[0].source_end and via[0].source_start < e.target_end
            ]
            assert (token.source_start, token.source_end) in {
                (e.source_start, e.source_end) for e in back
            }


def test_direct_route_is_the_default(register: Register, decoding: Decoding) -> None:
    engine = CTranslate2Engine([register(Lang.EN, Lang.FR)], decoding=decoding)
    assert not engine.supports(source=Lang.ID, target=Lang.FR)
    with pytest.raises(ModelNotFoundError) as caught:
        engine.describe(source=Lang.ID, target=Lang.FR)
    assert caught.value.context["route"] == "direct"


def test_missing_model_names_the_pair_and_the_fix(register: Register, decoding: Decoding) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)

    assert not engine.supports(source=Lang.ID, target=Lang.JA)
    with pytest.raises(ModelNotFoundError) as caught:
        engine.translate(["Halo."], source=Lang.ID, target=Lang.JA)

    err = caught.value
    assert "Indonesian→Japanese" in err.message
    assert "warta models pull nllb-200-distilled-600M" in err.hint
    assert "--source id --target ja" in err.hint
    assert (err.context["source"], err.context["target"]) == ("id", "ja")


def test_missing_pivot_leg_says_it_is_needed_for_the_pivot(
    register: Register, decoding: Decoding
) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding, routes={Lang.ZH: "pivot"})

    assert not engine.supports(source=Lang.ID, target=Lang.ZH)
    with pytest.raises(ModelNotFoundError) as caught:
        engine.describe(source=Lang.ID, target=Lang.ZH)
    assert "English→Chinese" in caught.value.message
    assert "pivot id→en→zh" in caught.value.message
    assert "opus-mt-en-zh" in caught.value.hint


def test_registered_directory_without_weights_is_reported(
    register: Register, decoding: Decoding, tiny_model_dir: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "model.bin").unlink()
    engine = CTranslate2Engine([register(path=broken)], decoding=decoding)

    assert not engine.supports(source=Lang.ID, target=Lang.EN)
    with pytest.raises(ModelNotFoundError) as caught:
        engine.translate(["Halo dunia."], source=Lang.ID, target=Lang.EN)
    assert caught.value.context["missing"] == "model.bin"


def test_same_language_is_not_a_pair(register: Register, decoding: Decoding) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)
    assert not engine.supports(source=Lang.EN, target=Lang.EN)
    with pytest.raises(UnsupportedLanguagePairError):
        engine.translate(["Hello."], source=Lang.EN, target=Lang.EN)


def test_two_models_for_one_pair_are_refused(register: Register, decoding: Decoding) -> None:
    with pytest.raises(ConfigError, match="two models registered for id→en"):
        CTranslate2Engine([register(name="a"), register(name="b")], decoding=decoding)


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({Lang.FR: "relay"}, "unknown route"),  # a typo in settings
        ({Lang.EN: "pivot"}, "English cannot pivot"),  # en is the pivot itself
    ],
)
def test_bad_routes_are_refused(
    register: Register, decoding: Decoding, routes: dict[Lang, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        CTranslate2Engine([register()], decoding=decoding, routes=routes)


def test_a_directory_shared_by_two_pairs_is_loaded_once(
    register: Register, decoding: Decoding
) -> None:
    engine = CTranslate2Engine(
        [register(Lang.ID, Lang.EN), register(Lang.EN, Lang.FR)], decoding=decoding
    )
    engine.translate(["Selamat pagi."], source=Lang.ID, target=Lang.EN)
    engine.translate(["Good morning."], source=Lang.EN, target=Lang.FR)
    assert len(engine._translators) == 1


def test_marian_target_token_from_the_manifest_is_fed_to_the_model(
    register: Register,
    decoding: Decoding,
    tiny_model_dir: Path,
    tmp_path: Path,
    flores_id: list[str],
) -> None:
    tagged = tmp_path / "tagged"
    shutil.copytree(tiny_model_dir, tagged)
    manifest = json.loads((tagged / MANIFEST_NAME).read_text("utf-8"))
    manifest["target_tokens"] = {"en": "▁dan"}  # a real piece, so the input visibly changes
    (tagged / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")
    plain = CTranslate2Engine([register()], decoding=decoding)
    with_token = CTranslate2Engine([register(path=tagged)], decoding=decoding)
    sources = flores_id[60:65]

    a = plain.translate(sources, source=Lang.ID, target=Lang.EN)
    b = with_token.translate(sources, source=Lang.ID, target=Lang.EN)

    assert [h.text for h in a] != [h.text for h in b]
    for source, hypothesis in zip(sources, b, strict=True):
        _assert_alignment_inside(hypothesis, source)  # the token itself is never aligned


def test_input_longer_than_the_position_table_is_cut_and_flagged(
    register: Register,
    decoding: Decoding,
    tiny_model_dir: Path,
    tmp_path: Path,
    flores_id: list[str],
) -> None:
    short_table = tmp_path / "short-table"
    shutil.copytree(tiny_model_dir, short_table)
    manifest = json.loads((short_table / MANIFEST_NAME).read_text("utf-8"))
    manifest["max_positions"] = 64
    (short_table / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")
    engine = CTranslate2Engine([register(path=short_table)], decoding=decoding)
    long_text = " ".join(flores_id[:6])  # hundreds of pieces

    long, short = engine.translate([long_text, "Ya."], source=Lang.ID, target=Lang.EN)

    assert long.text
    assert long.truncated
    assert not short.truncated
    _assert_alignment_inside(long, long_text)
    assert max(a.source_end for a in long.alignment or ()) < len(long_text) // 2


def test_texts_that_need_no_alignment_get_none_and_the_same_translation(
    register: Register, decoding: Decoding, flores_id: list[str]
) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)
    sources = flores_id[420:426]
    wanted = [True, False, True, False, False, True]

    full = engine.translate(sources, source=Lang.ID, target=Lang.EN)
    some = engine.translate(sources, source=Lang.ID, target=Lang.EN, aligned=wanted)

    for source, a, b, needed in zip(sources, full, some, wanted, strict=True):
        assert b.text == a.text
        assert b.truncated == a.truncated
        if needed:
            assert b.alignment == a.alignment
            _assert_alignment_inside(b, source)
        else:
            assert b.alignment is None


def test_a_call_where_no_text_needs_alignment_still_translates(
    register: Register, decoding: Decoding, flores_id: list[str]
) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)
    sources = flores_id[430:434]

    full = engine.translate(sources, source=Lang.ID, target=Lang.EN)
    bare = engine.translate(sources, source=Lang.ID, target=Lang.EN, aligned=[False] * 4)

    assert [h.text for h in bare] == [h.text for h in full]
    assert all(h.alignment is None for h in bare)


def test_aligned_flags_must_match_the_texts(register: Register, decoding: Decoding) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)
    with pytest.raises(EngineError, match="1 aligned for 2 texts"):
        engine.translate(["Satu.", "Dua."], source=Lang.ID, target=Lang.EN, aligned=[True])


def test_tokenised_ahead_translates_as_tokenised_in_the_call(
    register: Register, decoding: Decoding, flores_id: list[str]
) -> None:
    sources = flores_id[440:450]
    plain = CTranslate2Engine([register()], decoding=decoding)
    ahead = CTranslate2Engine([register()], decoding=decoding)

    ahead.pretokenize([*sources, "  "], source=Lang.ID, target=Lang.EN)
    expected = plain.translate(sources, source=Lang.ID, target=Lang.EN)
    found = ahead.translate(sources, source=Lang.ID, target=Lang.EN)

    assert [h.text for h in found] == [h.text for h in expected]
    assert [h.alignment for h in found] == [h.alignment for h in expected]


def test_tokenising_ahead_for_a_pair_without_a_model_is_left_to_translate(
    register: Register, decoding: Decoding
) -> None:
    engine = CTranslate2Engine([register()], decoding=decoding)
    engine.pretokenize(["Satu."], source=Lang.ID, target=Lang.FR)  # no model: nothing done
    with pytest.raises(ModelNotFoundError):
        engine.translate(["Satu."], source=Lang.ID, target=Lang.FR)


@pytest.mark.parametrize(
    "pieces",
    [
        ["▁The", "▁govern", "ment", "▁raises", "▁fares", "."],  # the usual case
        ["▁", "▁Harga", "▁{0}", "▁persen", "▁"],  # spaces at both ends, a placeholder
        ["▁Tarif", "<unk>", "▁naik"],  # unknown piece
        ["▁caf", "<0xC3>", "<0xA9>", "▁open"],  # byte pieces
        [">>fra<<", "▁Bonjour", "</s>"],  # a language tag and the end token
        ["▁snake", "_", "case", "▁eng_Latn"],  # underscores: the slow path, same text
        [],
    ],
)
def test_plain_text_is_the_detokenised_text(pieces: list[str]) -> None:
    from warta.engines.ctranslate2 import plain_text
    from warta.engines.families import detokenize

    assert plain_text(pieces) == detokenize(pieces)[0]
