"""What each model family needs around SentencePiece: tokenizer files and language tokens.

Pure data and pure functions: no model is loaded here. The four families:

* ``marian`` — OPUS-MT (Helsinki-NLP): ``source.spm`` and ``target.spm``; source pieces + ``</s>``;
  multi-target models also need a ``>>id<<`` token in front (e.g. ``>>cmn_Hans<<``), which comes
  from the model's manifest or the catalogue, never guessed from the language code.
* ``nllb`` — NLLB-200: ``sentencepiece.bpe.model``; ``ind_Latn`` + pieces + ``</s>`` and the target
  language token (``eng_Latn``...) forced as the first output token.
* ``m2m100`` — M2M-100: ``sentencepiece.bpe.model``; ``__id__`` + pieces + ``</s>``, target
  ``__en__``... forced first.
* ``madlad`` — MADLAD-400 (T5): ``spiece.model``; ``<2en>`` + pieces + ``</s>``, no forced prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from warta.errors import EngineError, UnsupportedLanguagePairError
from warta.languages import Lang

FAMILIES: tuple[str, ...] = ("marian", "nllb", "m2m100", "madlad")
EOS = "</s>"

# Tokenizer files of each family: (source side, target side).
_SPM: Mapping[str, tuple[str, str]] = {
    "marian": ("source.spm", "target.spm"),
    "nllb": ("sentencepiece.bpe.model", "sentencepiece.bpe.model"),
    "m2m100": ("sentencepiece.bpe.model", "sentencepiece.bpe.model"),
    "madlad": ("spiece.model", "spiece.model"),
}

_LANG_TOKENS: Mapping[str, Mapping[Lang, str]] = {
    "nllb": {
        Lang.ID: "ind_Latn",
        Lang.EN: "eng_Latn",
        Lang.ZH: "zho_Hans",
        Lang.JA: "jpn_Jpan",
        Lang.AR: "arb_Arab",
        Lang.FR: "fra_Latn",
    },
    "m2m100": {lang: f"__{lang.value}__" for lang in Lang},
    "madlad": {lang: f"<2{lang.value}>" for lang in Lang},
}

# Tokens that are never text: end/start/padding, and any family's language tags.
_CONTROL = frozenset({EOS, "<s>", "<pad>"})
_TAG = re.compile(r">>\w+<<|__[a-z]{2,3}__|<2[\w-]+>|[a-z]{3}_[A-Z][a-z]{3}")
_BYTE = re.compile(r"<0x([0-9A-Fa-f]{2})>")
UNKNOWN_SURFACE = "⁇"  # what SentencePiece prints for <unk>; kept visible for quality checks


def check_family(family: str) -> str:
    if family not in FAMILIES:
        raise EngineError(
            f"unknown model family {family!r}",
            hint="use one of " + ", ".join(FAMILIES),
            family=family,
        )
    return family


def spm_files(family: str) -> tuple[str, ...]:
    """The tokenizer files a converted model directory of ``family`` must contain."""
    source, target = _SPM[check_family(family)]
    return (source,) if source == target else (source, target)


def spm_file(family: str, *, side: str) -> str:
    source, target = _SPM[check_family(family)]
    return source if side == "source" else target


@dataclass(frozen=True, slots=True)
class PairTokens:
    """Special tokens around the pieces of one pair: ``source_prefix + pieces + source_suffix``
    is fed to the encoder and ``target_prefix`` is forced at the start of the output."""

    source_prefix: tuple[str, ...]
    source_suffix: tuple[str, ...]
    target_prefix: tuple[str, ...]


def pair_tokens(
    family: str, *, source: Lang, target: Lang, marian_token: str | None = None
) -> PairTokens:
    """Raise UnsupportedLanguagePairError if the family has no token for a language."""
    check_family(family)
    if family == "marian":
        return PairTokens((marian_token,) if marian_token else (), (EOS,), ())
    tokens = _LANG_TOKENS[family]
    missing = [lang for lang in (source, target) if lang not in tokens]
    if missing:
        raise UnsupportedLanguagePairError(
            f"{family} models have no language token for {missing[0].english_name}",
            hint="register a model of another family for this pair",
            family=family,
            source=source.value,
            target=target.value,
        )
    if family == "madlad":
        return PairTokens((tokens[target],), (EOS,), ())
    return PairTokens((tokens[source],), (EOS,), (tokens[target],))


def is_special(token: str) -> bool:
    """Control tokens and language tags: never part of the translated text."""
    return token in _CONTROL or _TAG.fullmatch(token) is not None


def detokenize(pieces: list[str]) -> tuple[str, list[tuple[int, int] | None]]:
    """Join SentencePiece pieces into text, with each piece's character span in that text.

    Works on piece *strings*, so it also handles pieces that the target model does not know
    (CTranslate2 copies source pieces for unknown words): ``▁`` becomes a space, runs of byte
    pieces (``<0xE3>``...) are decoded as UTF-8, ``<unk>`` becomes ``⁇``, special tokens are
    dropped (span ``None``). Leading and trailing spaces are removed, as SentencePiece does.
    """
    surfaces: list[str | None] = []
    i = 0
    while i < len(pieces):
        match = _BYTE.fullmatch(pieces[i])
        if match:
            j = i
            raw = bytearray()
            while j < len(pieces) and (byte := _BYTE.fullmatch(pieces[j])):
                raw.append(int(byte.group(1), 16))
                j += 1
            text = raw.decode("utf-8", errors="replace")
            # The whole run shares one span: give it to the first piece, empty to the rest.
            surfaces.append(text)
            surfaces.extend("" for _ in range(j - i - 1))
            i = j
            continue
        piece = pieces[i]
        if piece == "<unk>":
            surfaces.append(UNKNOWN_SURFACE)
        elif is_special(piece):
            surfaces.append(None)
        else:
            surfaces.append(piece.replace("▁", " "))
        i += 1

    text = "".join(s for s in surfaces if s)
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    spans: list[tuple[int, int] | None] = []
    pos = 0
    for surface in surfaces:
        if surface is None:
            spans.append(None)
            continue
        start, end = pos, pos + len(surface)
        pos = end
        start = min(max(start - lead, 0), len(stripped))
        end = min(max(end - lead, 0), len(stripped))
        # Trim the piece's own leading space so a span covers visible characters.
        while start < end and stripped[start].isspace():
            start += 1
        spans.append((start, end) if start < end else None)
    return stripped, spans
