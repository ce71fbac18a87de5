"""Models that ``warta models pull`` knows how to fetch and convert.

Each entry names the Hugging Face repository, the family (how to tokenise for it), the language
pairs it serves in warta, the tokenizer files kept next to the converted weights, and — for
multi-target OPUS-MT models — the ``>>id<<`` token that selects the target language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from warta.languages import TARGET_LANGS, Lang

Pair = tuple[Lang, Lang]

# Every pair warta uses: Indonesian into each edition, and English into the others (pivots).
_ALL_PAIRS: tuple[Pair, ...] = tuple((Lang.ID, t) for t in TARGET_LANGS) + tuple(
    (Lang.EN, t) for t in TARGET_LANGS if t is not Lang.EN
)
_MARIAN_FILES = ("source.spm", "target.spm")


@dataclass(frozen=True, slots=True)
class KnownModel:
    name: str
    repo_id: str
    family: str
    pairs: tuple[Pair, ...]
    copy_files: tuple[str, ...]  # tokenizer files copied into the converted directory
    target_tokens: Mapping[Lang, str] = field(default_factory=dict)  # Marian ">>id<<" per target
    license: str = ""  # empty: see the model card
    note: str = ""
    warning: str = ""  # a reason not to publish its output without review

    def serves(self, source: Lang, target: Lang) -> bool:
        return (source, target) in self.pairs


def _opus(
    src: str,
    tgt: str,
    pair: Pair,
    *,
    note: str,
    target_tokens: Mapping[Lang, str] | None = None,
    warning: str = "",
) -> KnownModel:
    return KnownModel(
        name=f"opus-mt-{src}-{tgt}",
        repo_id=f"Helsinki-NLP/opus-mt-{src}-{tgt}",
        family="marian",
        pairs=(pair,),
        copy_files=_MARIAN_FILES,
        target_tokens=dict(target_tokens or {}),
        note=note,
        warning=warning,
    )


KNOWN_MODELS: Mapping[str, KnownModel] = {
    m.name: m
    for m in (
        _opus("id", "en", (Lang.ID, Lang.EN), note="OPUS-MT Indonesian→English, ~300 MB"),
        _opus("id", "fr", (Lang.ID, Lang.FR), note="OPUS-MT Indonesian→French, ~300 MB"),
        _opus(
            "en",
            "zh",
            (Lang.EN, Lang.ZH),
            target_tokens={Lang.ZH: ">>cmn_Hans<<"},
            note="pivot leg en→zh; multi-target: >>cmn_Hans<< selects Simplified Chinese",
        ),
        _opus(
            "en",
            "jap",
            (Lang.EN, Lang.JA),
            note="pivot leg en→ja",
            warning=(
                "'jap' is not the ISO code for Japanese: the OPUS-MT maintainers say it is not "
                "the same as 'ja' and advise against relying on this model "
                "(github.com/Helsinki-NLP/Opus-MT/issues/52); its outputs are Bible-style, "
                "word-segmented text. Use nllb-200-distilled-600M for Japanese."
            ),
        ),
        _opus(
            "en",
            "ar",
            (Lang.EN, Lang.AR),
            target_tokens={Lang.AR: ">>ara<<"},
            note="pivot leg en→ar; multi-dialect: >>ara<< selects Modern Standard Arabic",
        ),
        _opus("en", "fr", (Lang.EN, Lang.FR), note="pivot leg en→fr, ~300 MB"),
        KnownModel(
            name="nllb-200-distilled-600M",
            repo_id="facebook/nllb-200-distilled-600M",
            family="nllb",
            pairs=_ALL_PAIRS,
            copy_files=("sentencepiece.bpe.model",),
            license="cc-by-nc-4.0",
            note="one model for every pair, ~2.5 GB download; non-commercial licence",
        ),
        KnownModel(
            name="m2m100_418M",
            repo_id="facebook/m2m100_418M",
            family="m2m100",
            pairs=_ALL_PAIRS,
            copy_files=("sentencepiece.bpe.model",),
            license="mit",
            note="one model for every pair, ~2 GB download",
        ),
        KnownModel(
            name="madlad400-3b-mt",
            repo_id="google/madlad400-3b-mt",
            family="madlad",
            pairs=_ALL_PAIRS,
            copy_files=("spiece.model",),
            license="apache-2.0",
            note="3B parameters, ~12 GB download; converting needs about as much RAM",
        ),
    )
}


def models_for(source: Lang, target: Lang) -> tuple[str, ...]:
    """Names of known models that serve the pair, those without a warning first."""
    serving = [m for m in KNOWN_MODELS.values() if m.serves(source, target)]
    return tuple(m.name for m in sorted(serving, key=lambda m: bool(m.warning)))
