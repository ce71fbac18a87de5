"""Tokenizer conventions per model family, and detokenisation with character spans."""

from __future__ import annotations

import pytest

from warta.engines.families import (
    FAMILIES,
    PairTokens,
    detokenize,
    is_special,
    pair_tokens,
    spm_files,
)
from warta.errors import EngineError
from warta.languages import Lang


@pytest.mark.parametrize(
    ("family", "source", "target", "expected"),
    [
        # OPUS-MT: pieces + </s>, nothing forced on the output.
        ("marian", Lang.ID, Lang.EN, PairTokens((), ("</s>",), ())),
        # NLLB: source language token first, target language token forced first.
        ("nllb", Lang.ID, Lang.ZH, PairTokens(("ind_Latn",), ("</s>",), ("zho_Hans",))),
        ("nllb", Lang.ID, Lang.AR, PairTokens(("ind_Latn",), ("</s>",), ("arb_Arab",))),
        ("nllb", Lang.EN, Lang.JA, PairTokens(("eng_Latn",), ("</s>",), ("jpn_Jpan",))),
        # M2M-100: __xx__ tokens in the same places.
        ("m2m100", Lang.ID, Lang.FR, PairTokens(("__id__",), ("</s>",), ("__fr__",))),
        # MADLAD-400: the target tag <2xx> leads the source; nothing forced.
        ("madlad", Lang.ID, Lang.EN, PairTokens(("<2en>",), ("</s>",), ())),
    ],
)
def test_pair_tokens(family: str, source: Lang, target: Lang, expected: PairTokens) -> None:
    assert pair_tokens(family, source=source, target=target) == expected


def test_marian_target_token_leads_the_source() -> None:
    tokens = pair_tokens("marian", source=Lang.EN, target=Lang.ZH, marian_token=">>cmn_Hans<<")  # noqa: S106 -- a language tag
    assert tokens == PairTokens((">>cmn_Hans<<",), ("</s>",), ())


def test_unknown_family_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="unknown model family 'fairseq'") as caught:
        spm_files("fairseq")
    assert all(family in caught.value.hint for family in FAMILIES)


@pytest.mark.parametrize(
    ("family", "files"),
    [
        ("marian", ("source.spm", "target.spm")),
        ("nllb", ("sentencepiece.bpe.model",)),
        ("m2m100", ("sentencepiece.bpe.model",)),
        ("madlad", ("spiece.model",)),
    ],
)
def test_tokenizer_files(family: str, files: tuple[str, ...]) -> None:
    assert spm_files(family) == files


@pytest.mark.parametrize(
    ("pieces", "text", "spans"),
    [
        # Word pieces: the leading space of the first word is dropped, spans cover letters only.
        (["▁The", "▁scien", "tists", "."], "The scientists.", [(0, 3), (4, 9), (9, 14), (14, 15)]),
        # Pieces the target tokenizer does not know (copied source words) still read as text.
        (["▁Jokowi", "▁said"], "Jokowi said", [(0, 6), (7, 11)]),
        # Chinese has no spaces.
        (["▁", "科学", "家", "。"], "科学家。", [None, (0, 2), (2, 3), (3, 4)]),
        # Byte fallback pieces are decoded together; the run's span goes to its first piece.
        (["▁a", "<0xE2>", "<0x82>", "<0xAC>"], "a€", [(0, 1), (1, 2), None, None]),
        # Language tags and control tokens are not text.
        (["eng_Latn", "▁Hi", "</s>"], "Hi", [None, (0, 2), None]),
        # <unk> stays visible for quality checks.
        (["▁a", "<unk>", "▁b"], "a⁇ b", [(0, 1), (1, 2), (3, 4)]),
        ([], "", []),
    ],
)
def test_detokenize(pieces: list[str], text: str, spans: list[tuple[int, int] | None]) -> None:
    assert detokenize(pieces) == (text, spans)


@pytest.mark.parametrize(
    ("token", "special"),
    [
        ("</s>", True),
        ("<pad>", True),
        (">>cmn_Hans<<", True),
        ("__en__", True),
        ("<2fr>", True),
        ("zho_Hans", True),
        ("▁Hello", False),
        ("__", False),
        ("<", False),
    ],
)
def test_is_special(token: str, special: bool) -> None:
    assert is_special(token) is special
