"""Document context: the previous sentence goes to models trained with it, and only to them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from warta.domain import RegisteredModel
from warta.engines.base import Decoding
from warta.engines.ctranslate2 import CTranslate2Engine
from warta.engines.models import inspect_model_dir, read_manifest
from warta.errors import EngineError
from warta.languages import Lang

SEP = "<sep>"
# CTranslate2's CPU kernels (AVX2, AVX-512, ...) and the shape of a batch change the last bits of
# a float score: the same input gives the same words but scores equal only to a tolerance.
REL, ABS = 1e-4, 1e-6
SENTENCE = "Kebijakan itu berlaku mulai Senin."
BEFORE_A = "Pemerintah menaikkan tarif ojek daring sebesar 2,5 persen."
BEFORE_B = "Para pengemudi menyambut baik keputusan tersebut di Jakarta."


@pytest.fixture(scope="module")
def context_model(tmp_path_factory: pytest.TempPathFactory, flores_id: list[str]) -> Path:
    from warta.engines.testing import build_tiny_model

    return build_tiny_model(
        tmp_path_factory.mktemp("ctx") / "model", corpus=flores_id[:400], context_separator=SEP
    )


def _model(path: Path) -> RegisteredModel:
    info = inspect_model_dir(path)
    return RegisteredModel(
        name=path.name,
        path=str(path),
        source=Lang.ID,
        target=Lang.EN,
        family=info.family,
        checksum=info.checksum,
    )


CONTEXT = Decoding(beam_size=1, max_decoding_length=24, batch_tokens=512, context_sentences=1)


def test_the_manifest_declares_the_separator(context_model: Path) -> None:
    manifest = read_manifest(context_model)
    assert manifest is not None
    assert manifest.context_separator == SEP


def test_with_context_a_translation_depends_on_the_sentence_before(context_model: Path) -> None:
    engine = CTranslate2Engine([_model(context_model)], decoding=CONTEXT)
    assert engine.describe(source=Lang.ID, target=Lang.EN).decoding.context_sentences == 1
    a, b, none = engine.translate(
        [SENTENCE, SENTENCE, SENTENCE],
        source=Lang.ID,
        target=Lang.EN,
        contexts=[BEFORE_A, BEFORE_B, None],
    )
    # The encoder saw different inputs: the scores (and, with random weights, the words) differ.
    assert a.text != b.text or a.score != pytest.approx(b.score, rel=REL, abs=ABS)
    # No context is the sentence alone, as without document context (a batch of one here, of
    # three above: equal to a tolerance).
    (alone,) = engine.translate([SENTENCE], source=Lang.ID, target=Lang.EN)
    assert none.text == alone.text
    assert none.score == pytest.approx(alone.score, rel=REL, abs=ABS)
    # The alignment only ever points into the sentence itself, never into its context.
    for hypothesis in (a, b):
        assert hypothesis.alignment is not None
        assert all(t.source_end <= len(SENTENCE) for t in hypothesis.alignment)


def test_a_sentence_level_model_gets_no_context_and_its_provenance_says_so(
    tiny_model_dir: Path,
) -> None:
    engine = CTranslate2Engine([_model(tiny_model_dir)], decoding=CONTEXT)
    info = engine.describe(source=Lang.ID, target=Lang.EN)
    assert info.decoding.context_sentences == 0
    assert ("context", 1) not in info.decoding.as_items()
    a, b = engine.translate(
        [SENTENCE, SENTENCE], source=Lang.ID, target=Lang.EN, contexts=[BEFORE_A, BEFORE_B]
    )
    assert a.text == b.text
    assert a.score == pytest.approx(b.score, rel=REL, abs=ABS)


def test_context_off_leaves_a_context_model_sentence_level(context_model: Path) -> None:
    engine = CTranslate2Engine(
        [_model(context_model)], decoding=replace(CONTEXT, context_sentences=0)
    )
    a, b = engine.translate(
        [SENTENCE, SENTENCE], source=Lang.ID, target=Lang.EN, contexts=[BEFORE_A, BEFORE_B]
    )
    assert a.text == b.text
    assert a.score == pytest.approx(b.score, rel=REL, abs=ABS)


def test_decoding_records_context_only_when_used() -> None:
    assert ("context", 1) in CONTEXT.as_items()
    assert all(name != "context" for name, _ in Decoding().as_items())


def test_one_context_per_text_is_required(context_model: Path) -> None:
    engine = CTranslate2Engine([_model(context_model)], decoding=CONTEXT)
    with pytest.raises(EngineError, match="2 contexts for 1 texts"):
        engine.translate([SENTENCE], source=Lang.ID, target=Lang.EN, contexts=[None, None])


def test_a_long_context_is_cut_from_its_start_to_fit_the_model(context_model: Path) -> None:
    engine = CTranslate2Engine([_model(context_model)], decoding=CONTEXT)
    long_context = " ".join([BEFORE_A] * 200)  # far beyond the 1024 positions
    (hypothesis,) = engine.translate(
        [SENTENCE], source=Lang.ID, target=Lang.EN, contexts=[long_context]
    )
    assert hypothesis.text


def test_context_fits_before_the_sentence_and_never_displaces_it() -> None:
    from warta.engines.ctranslate2 import _Encoded, _with_context

    sentence = _Encoded(tokens=[">>eng<<", "▁Ke", "bijakan", "</s>"],
                        spans=[None, (0, 2), (2, 9), None])  # fmt: skip
    context = [f"▁w{n}" for n in range(10)]
    fitted = _with_context(sentence, context, separator=SEP, n_prefix=1, limit=8)
    # The prefix token first, then the end of the context, the separator, the sentence.
    assert fitted.tokens == [">>eng<<", "▁w7", "▁w8", "▁w9", SEP, "▁Ke", "bijakan", "</s>"]
    assert fitted.spans == [None, None, None, None, None, (0, 2), (2, 9), None]
    # No room left: the sentence goes alone.
    assert _with_context(sentence, context, separator=SEP, n_prefix=1, limit=4) == sentence
