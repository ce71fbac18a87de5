"""Evaluating a translation engine on a test set, the way the field reports it.

BLEU and chrF++ with sacrebleu (signatures included, so the numbers can be compared and
reproduced), optionally COMET when a local COMET checkpoint is given, speed in sentences per
second, the engine's provenance, and how many outputs the quality estimator flags.

Tokenisation for BLEU: ``13a`` for en/fr/ar/id, ``zh`` for Chinese, ``ja-mecab`` for Japanese
when mecab-python3 and ipadic are installed (``pip install "sacrebleu[ja]"``), else ``char`` with a
note saying so (character BLEU is not comparable with published ja-mecab figures).
"""

from __future__ import annotations

import html
import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from warta.domain import Glossary
from warta.engines.base import Engine, Hypothesis
from warta.errors import FieldError, IngestError
from warta.languages import SOURCE_LANG, Lang
from warta.pipeline import provenance_for
from warta.quality.estimator import QualityEstimator
from warta.quality.flores import check_aligned, read_lines
from warta.quality.rerank import rerank_index
from warta.text.tags import TAG

__all__ = [
    "EvalResult",
    "bleu_tokenizer",
    "evaluate",
    "load_test_pair",
]


@dataclass(frozen=True, slots=True)
class EvalResult:
    source: Lang
    target: Lang
    sentences: int
    bleu: float
    chrf: float  # chrF++ (word n-grams up to 2)
    bleu_signature: str
    chrf_signature: str
    tokenize: str
    seconds: float  # wall time of the translation calls only
    provenance: dict[str, object]
    comet: float | None = None
    notes: tuple[str, ...] = ()
    flagged: int | None = None  # outputs the quality estimator flags; None if not run
    hypotheses: tuple[str, ...] = field(default=(), repr=False)

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self, *, with_hypotheses: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "pair": f"{self.source.value}-{self.target.value}",
            "sentences": self.sentences,
            "bleu": round(self.bleu, 2),
            "chrf++": round(self.chrf, 2),
            "comet": None if self.comet is None else round(self.comet, 4),
            "bleu_signature": self.bleu_signature,
            "chrf_signature": self.chrf_signature,
            "tokenize": self.tokenize,
            "seconds": round(self.seconds, 3),
            "sentences_per_second": round(self.sentences_per_second, 2),
            "qe_flagged": self.flagged,
            "provenance": self.provenance,
            "notes": list(self.notes),
        }
        if with_hypotheses:
            data["hypotheses"] = list(self.hypotheses)
        return data


def _mecab_available() -> bool:
    try:
        importlib.import_module("MeCab")
        importlib.import_module("ipadic")
    except ImportError:
        return False
    return True


def bleu_tokenizer(lang: Lang) -> tuple[str, str | None]:
    """The sacrebleu tokenizer for ``lang``, and a note when a fallback had to be used."""
    if lang is Lang.ZH:
        return "zh", None
    if lang is Lang.JA:
        if _mecab_available():
            return "ja-mecab", None
        return "char", (
            "ja: mecab-python3/ipadic not installed, BLEU uses character tokenisation "
            "(not comparable with ja-mecab figures; pip install 'sacrebleu[ja]')"
        )
    return "13a", None


def load_test_pair(src: Path, ref: Path) -> tuple[list[str], list[str]]:
    """Source and reference lines, checked (present, UTF-8, no empty line, same length)."""
    sources = read_lines(src)
    references = read_lines(ref)
    check_aligned(
        {
            src.name if src.name != ref.name else str(src): sources,
            ref.name if src.name != ref.name else str(ref): references,
        }
    )
    return sources, references


CometScorer = Callable[[Sequence[str], Sequence[str], Sequence[str]], float]


def comet_scorer(model_path: Path) -> CometScorer:
    """A COMET scorer from a local checkpoint (unbabel-comet must be installed)."""
    if not model_path.exists():
        raise IngestError(
            f"no COMET checkpoint at {model_path}",
            hint="set WARTA_COMET_MODEL to a downloaded checkpoint (…/checkpoints/model.ckpt)",
            path=str(model_path),
        )
    try:
        comet: Any = importlib.import_module("comet")
    except ImportError:
        raise IngestError(
            "COMET is not installed",
            hint="pip install unbabel-comet, or unset WARTA_COMET_MODEL to skip COMET",
        ) from None
    model = comet.load_from_checkpoint(str(model_path))

    def score(
        sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str]
    ) -> float:
        data = [
            {"src": s, "mt": h, "ref": r}
            for s, h, r in zip(sources, hypotheses, references, strict=True)
        ]
        output = model.predict(data, batch_size=16, gpus=0, progress_bar=False)
        return float(output.system_score)

    return score


def evaluate(
    engine: Engine,
    sources: Sequence[str],
    references: Sequence[str],
    *,
    target: Lang,
    source: Lang = SOURCE_LANG,
    comet: CometScorer | None = None,
    estimator: QualityEstimator | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> EvalResult:
    """Translate ``sources`` with ``engine`` and score the output against ``references``.

    Raises before translating anything if the inputs are not aligned or contain empty lines,
    and (ModelNotFoundError) if the engine has no model for the pair.
    """
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF

    if len(sources) != len(references):
        raise FieldError(
            f"{len(sources)} source lines but {len(references)} reference lines",
            hint="line i of both files must be the same sentence",
        )
    if not sources:
        raise FieldError("the test set is empty", hint="give at least one sentence")
    for name, lines in (("source", sources), ("reference", references)):
        empty = [i + 1 for i, line in enumerate(lines) if not line.strip()]
        if empty:
            raise FieldError(
                f"{len(empty)} empty {name} line(s), first at line {empty[0]}",
                hint="remove empty lines from both files, keeping them aligned",
                lines=empty[:20],
            )
    info = engine.describe(source=source, target=target)  # ModelNotFoundError before any work
    provenance = provenance_for(info, glossary=Glossary.empty()).to_dict()
    tokenize, note = bleu_tokenizer(target)
    notes = [note] if note else []
    texts = [s.strip() for s in sources]
    refs = [r.strip() for r in references]
    contexts: list[str | None] | None = None
    if info.decoding.context_sentences:
        # FLORES keeps each document's sentences on consecutive lines: the line before is the
        # sentence before (across a document boundary it is only unrelated context).
        contexts = [None, *texts[:-1]]
        notes.append("document context: each line was given the line before it")
    sent = texts
    if info.markup == "tags":  # the engine reads tagged text: plain text goes escaped
        sent = [html.escape(t, quote=False) for t in texts]
        notes.append(f"engine {info.engine}: tagged text (HTML-escaped), tags dropped from output")
    started = clock()
    hypotheses = (
        engine.translate(sent, source=source, target=target, contexts=contexts)
        if contexts is not None
        else engine.translate(sent, source=source, target=target)
    )
    if info.markup == "tags":
        hypotheses = [
            replace(h, text=html.unescape(TAG.sub("", h.text)).strip()) for h in hypotheses
        ]
    if estimator is not None and any(h.alternatives for h in hypotheses):
        # n-best reranking by quality estimation, as the pipeline does it.
        hypotheses = [_reranked(text, h, lang=target, estimator=estimator)
                      for text, h in zip(texts, hypotheses, strict=True)]  # fmt: skip
        notes.append(f"n-best reranked by quality estimation ({info.decoding.num_hypotheses})")
    seconds = clock() - started
    outputs = [h.text for h in hypotheses]
    bleu = BLEU(tokenize=tokenize)
    chrf = CHRF(word_order=2)
    bleu_score = bleu.corpus_score(outputs, [refs])
    chrf_score = chrf.corpus_score(outputs, [refs])
    comet_value: float | None = None
    if comet is not None:
        comet_value = comet(texts, outputs, refs)
    else:
        notes.append("COMET skipped: no local COMET model (set WARTA_COMET_MODEL)")
    flagged: int | None = None
    if estimator is not None:
        flagged = sum(
            1
            for text, hyp in zip(texts, hypotheses, strict=True)
            if estimator.assess(
                source=text,
                target=hyp.text,
                lang=target,
                logprob=hyp.score,
                truncated=hyp.truncated,
            ).flagged
        )
    return EvalResult(
        source=source,
        target=target,
        sentences=len(texts),
        bleu=float(bleu_score.score),
        chrf=float(chrf_score.score),
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
        tokenize=tokenize,
        seconds=seconds,
        provenance=provenance,
        comet=comet_value,
        notes=tuple(notes),
        flagged=flagged,
        hypotheses=tuple(outputs),
    )


def _reranked(
    source: str, hypothesis: Hypothesis, *, lang: Lang, estimator: QualityEstimator
) -> Hypothesis:
    candidates = [hypothesis, *hypothesis.alternatives]
    index = rerank_index(candidates, source=source, lang=lang, estimator=estimator)
    return candidates[index]
