"""Section 2: against the usual way, on the same weights, segments and pinned decoding.

* **transformers**: ``MarianMTModel.generate`` in float32 on batches of ``hf_batch`` sentences in
  their article order (tokenise with padding, generate, decode), what most portals' scripts do.
* **per-item loop**: LibreTranslate answers a batch request (``q`` as a list) with
  ``for text in q: translator.translate(text)``, and argos-translate makes one
  ``translate_batch`` call per item (``max_batch_size=32``, ``replace_unknowns=True``,
  ``return_scores=True``). Here every segment is one item, tokenised and decoded per call (with
  the SentencePiece model loaded once, which is kinder than argos, which loads it per call).
* **raw engine** and **warta pipeline** as in section 1, in the same interleaved rounds.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from warta.bench.corpus import Corpus, tokenize
from warta.bench.model import BenchModel, quiet_transformers
from warta.bench.rig import (
    EngineSettings,
    ProgressFn,
    check_no_reuse,
    make_engine,
    make_estimator,
    raw_translate,
    raw_translator,
    rig,
    warm_up,
)
from warta.bench.timing import Sample, clocked, interleaved, median, paired_ratios, timed
from warta.languages import Lang

ARGOS_MAX_BATCH_SIZE = 32


def against_usual_way(
    model: BenchModel,
    corpus: Corpus,
    settings: EngineSettings,
    *,
    rounds: int,
    hf_batch: int,
    progress: ProgressFn,
    tmp: Path | None = None,
) -> dict[str, object]:
    import sentencepiece as spm

    quantization = settings.compute_type
    model_dir = model.ct2_dir(quantization)
    segments = list(corpus.segments)
    tokens = tokenize(segments, spm_path=model_dir / "source.spm")
    translator = raw_translator(model_dir, settings)
    engine = make_engine([model.registered(Lang.EN, quantization=quantization)], settings)
    estimator = make_estimator()
    warm_up(engine, [Lang.EN], estimator=estimator)
    source_sp = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
    target_sp = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
    hf = _HuggingFace(model.hf_dir, threads=settings.threads)
    hf.generate(segments[:2], beam=settings.beam, length=settings.length)  # warm-up
    generated: dict[str, int] = {}

    def engine_side() -> None:
        generated["raw engine"] = raw_translate(translator, tokens, settings)

    def pipeline_side() -> Sample:
        with rig(targets=[Lang.EN], estimator=estimator, parent=tmp) as r:
            r.submit_all(corpus.drafts)
            summary, sample = timed(lambda: r.translate_all(engine, settings))
        check_no_reuse(summary, expected=len(segments), what="usual-way section")
        return sample

    def hf_side() -> None:
        made = 0
        for start in range(0, len(segments), hf_batch):
            made += hf.generate(
                segments[start : start + hf_batch], beam=settings.beam, length=settings.length
            )
        generated["transformers"] = made

    def loop_side() -> None:
        made = 0
        for text in segments:  # LibreTranslate: for text in q: translator.translate(text)
            pieces = [*source_sp.encode(text, out_type=str), "</s>"]
            result = translator.translate_batch(
                [pieces],
                replace_unknowns=True,
                max_batch_size=ARGOS_MAX_BATCH_SIZE,
                beam_size=settings.beam,
                min_decoding_length=settings.length,
                max_decoding_length=settings.length,
                return_scores=True,
            )
            output = result[0].hypotheses[0]
            target_sp.decode(output)
            made += len(output)
        generated["per-item loop"] = made

    series = interleaved(
        {
            "raw engine": clocked(engine_side),
            "warta pipeline": pipeline_side,
            "transformers generate": clocked(hf_side),
            "per-item loop": clocked(loop_side),
        },
        rounds=rounds,
        progress=progress,
    )
    n = len(segments)
    eng, pipe = series["raw engine"], series["warta pipeline"]
    hf_s, loop = series["transformers generate"], series["per-item loop"]

    def ratio(fast_name: str, slow_name: str) -> dict[str, float]:
        fast, slow = series[fast_name], series[slow_name]
        pairs = paired_ratios(fast, slow)
        return {
            "ratio": round(slow.median_wall() / fast.median_wall(), 4),
            "ratio_median_of_pairs": round(median(pairs), 4),
            "ratio_cpu": round(slow.median_cpu() / fast.median_cpu(), 4),
        }

    return {
        "corpus": corpus.describe(),
        "settings": {**settings.to_dict(), "hf_batch": hf_batch, "hf_dtype": "float32"},
        "rounds": rounds,
        "torch_threads": hf.threads,
        "tokens_generated_per_run": generated,
        "expected_tokens_per_run": n * settings.length,
        "sides": {name: s.to_dict(units=n) for name, s in series.items()},
        "engine/transformers": ratio("raw engine", "transformers generate"),
        "engine/per-item loop": ratio("raw engine", "per-item loop"),
        "pipeline/transformers": ratio("warta pipeline", "transformers generate"),
        "pipeline/per-item loop": ratio("warta pipeline", "per-item loop"),
        "pipeline/engine": {
            "ratio": round(eng.median_wall() / pipe.median_wall(), 4),
        },
        "transformers_vs_loop": round(loop.median_wall() / hf_s.median_wall(), 4),
    }


class _HuggingFace:
    """MarianMTModel + MarianTokenizer in float32 on the CPU, as a portal's script loads them."""

    def __init__(self, hf_dir: Path, *, threads: int) -> None:
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        quiet_transformers()
        self.threads = threads or os.cpu_count() or 1
        torch.set_num_threads(self.threads)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.tokenizer: Any = MarianTokenizer.from_pretrained(str(hf_dir))
            model: Any = MarianMTModel.from_pretrained(str(hf_dir), dtype=torch.float32)
        model.eval()
        self.model = model
        self._torch = torch

    def generate(self, texts: list[str], *, beam: int, length: int) -> int:
        """Translate ``texts`` in one batch; returns the number of tokens generated."""
        with self._torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            batch = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True)
            output = self.model.generate(
                **batch,
                num_beams=beam,
                do_sample=False,
                min_new_tokens=length,
                max_new_tokens=length,
            )
            self.tokenizer.batch_decode(output, skip_special_tokens=True)
        return int(output.shape[0]) * (int(output.shape[1]) - 1)  # minus the start token
