"""Calibrating the quality estimator: how often its flags are right, on sentences with known faults.

The labelled set is made from an aligned test set (FLORES-101 dev): for every line and target
language, the clean reference translation, and the reference broken in each of the ways of
:class:`~warta.quality.corruptions.Corruption` where that way applies. The estimator sees each
(source, translation) pair with no model score (references have none) and flags it or not.

Figures, per corruption type and language:

* **recall**: of the corrupted translations, the fraction flagged;
* **precision**: on a balanced set made of the corrupted translations *and the clean references
  of the same lines*, the fraction of flagged segments that are corrupted, ``TP / (TP + FP)``;
* **clean false-flag rate**: of all clean references of the split, the fraction flagged.

The checks were tuned on the first half of the set; :func:`calibrate` is meant to be run on the
second half (``ParallelCorpus.second_half()``), which the figures in ``data/calibration/`` are.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang
from warta.quality.corruptions import DESCRIPTIONS, Corruption, CorruptionInput, corrupt
from warta.quality.estimator import QualityEstimator, SegmentQuality
from warta.quality.flores import ParallelCorpus

__all__ = [
    "DEFAULT_SEED",
    "TARGETS",
    "CalibrationReport",
    "Cell",
    "LabelledSegment",
    "build_set",
    "calibrate",
    "render_markdown",
]

DEFAULT_SEED = 20240601

# The targets: recall on these corruptions, and precision for every type that has one.
TARGETS: Mapping[Corruption, float] = {
    Corruption.NUMBER: 0.95,
    Corruption.TRUNCATION: 0.95,
    Corruption.WRONG_LANGUAGE: 0.95,
    Corruption.UNTRANSLATED: 0.95,
}
PRECISION_TARGET = 0.9


@dataclass(frozen=True, slots=True)
class LabelledSegment:
    line: int  # 1-based line number in the test-set files
    lang: Lang
    corruption: Corruption | None  # None: the clean reference
    source: str
    target: str


def build_set(
    corpus: ParallelCorpus,
    *,
    langs: Sequence[Lang] = TARGET_LANGS,
    kinds: Sequence[Corruption] = tuple(Corruption),
    seed: int = DEFAULT_SEED,
) -> list[LabelledSegment]:
    """Clean references and their corruptions; the same seed always gives the same set."""
    sources = corpus.lines[SOURCE_LANG]
    out: list[LabelledSegment] = []
    n = len(corpus)
    for lang in langs:
        refs = corpus.lines[lang]
        for i in range(n):
            line = corpus.offset + i + 1
            out.append(LabelledSegment(line, lang, None, sources[i].strip(), refs[i].strip()))
            item = CorruptionInput(
                source=sources[i],
                reference=refs[i],
                lang=lang,
                others={o: corpus.lines[o][i] for o in langs if o is not lang},
                next_reference=refs[(i + 1) % n],
            )
            for kind in kinds:
                rng = random.Random(f"{seed}:{lang.value}:{kind.value}:{line}")  # noqa: S311 -- not crypto
                broken = corrupt(kind, item, rng)
                if broken is not None:
                    out.append(LabelledSegment(line, lang, kind, sources[i].strip(), broken))
    return out


@dataclass(frozen=True, slots=True)
class Cell:
    """Figures for one corruption type in one language (lang "all": pooled)."""

    kind: str
    lang: str
    corrupted: int
    detected: int
    clean_flagged: int  # clean references of the same lines that were flagged

    @property
    def recall(self) -> float:
        return self.detected / self.corrupted if self.corrupted else 0.0

    @property
    def precision(self) -> float:
        flagged = self.detected + self.clean_flagged
        return self.detected / flagged if flagged else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "lang": self.lang,
            "corrupted": self.corrupted,
            "detected": self.detected,
            "clean_flagged_same_lines": self.clean_flagged,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
        }


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    split: str
    first_line: int
    last_line: int
    seed: int
    cells: tuple[Cell, ...]
    clean: Mapping[str, tuple[int, int]]  # lang -> (references, flagged); "all" pooled
    clean_reasons: Mapping[str, Mapping[str, int]]  # lang -> reason code -> false flags
    missed: Mapping[str, tuple[tuple[int, str, str], ...]] = field(default_factory=dict)

    def cell(self, kind: Corruption | str, lang: Lang | str = "all") -> Cell:
        key = (str(kind), str(lang))
        for cell in self.cells:
            if (cell.kind, cell.lang) == key:
                return cell
        raise KeyError(key)

    def false_flag_rate(self, lang: Lang | str = "all") -> float:
        total, flagged = self.clean[str(lang)]
        return flagged / total if total else 0.0

    def meets_targets(self) -> dict[str, bool]:
        """Per target corruption type: recall and precision (pooled over languages) met."""
        return {
            str(kind): self.cell(kind).recall >= goal
            and self.cell(kind).precision >= PRECISION_TARGET
            for kind, goal in TARGETS.items()
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "split": self.split,
            "lines": [self.first_line, self.last_line],
            "seed": self.seed,
            "definitions": {
                "recall": "corrupted translations flagged / corrupted translations",
                "precision": "on a balanced set of the corrupted translations plus the clean "
                "references of the same lines: corrupted flagged / all flagged",
                "clean_false_flag_rate": "clean references flagged / clean references (all lines)",
            },
            "targets": {
                "recall": {str(k): v for k, v in TARGETS.items()},
                "precision": PRECISION_TARGET,
                "met": self.meets_targets(),
            },
            "cells": [c.to_dict() for c in self.cells],
            "clean": {
                lang: {
                    "references": total,
                    "flagged": flagged,
                    "false_flag_rate": round(flagged / total, 4) if total else 0.0,
                }
                for lang, (total, flagged) in self.clean.items()
            },
            "clean_false_flag_reasons": {k: dict(v) for k, v in self.clean_reasons.items()},
            "missed_examples": {
                k: [{"line": line, "lang": lang, "target": text} for line, lang, text in v]
                for k, v in self.missed.items()
            },
        }


def calibrate(
    corpus: ParallelCorpus,
    *,
    estimator: QualityEstimator,
    langs: Sequence[Lang] = TARGET_LANGS,
    seed: int = DEFAULT_SEED,
    split: str = "held-out second half",
) -> CalibrationReport:
    """Build the labelled set from ``corpus``, run ``estimator`` on it, and measure its flags."""
    labelled = build_set(corpus, langs=langs, seed=seed)
    results = [
        (seg, estimator.assess(source=seg.source, target=seg.target, lang=seg.lang))
        for seg in labelled
    ]
    return summarise_results(results, corpus=corpus, langs=langs, seed=seed, split=split)


def summarise_results(
    results: Iterable[tuple[LabelledSegment, SegmentQuality]],
    *,
    corpus: ParallelCorpus,
    langs: Sequence[Lang],
    seed: int,
    split: str,
) -> CalibrationReport:
    clean_flag: dict[tuple[Lang, int], bool] = {}
    clean_reasons: dict[str, Counter[str]] = {lang.value: Counter() for lang in langs}
    corrupted: list[tuple[LabelledSegment, SegmentQuality]] = []
    for seg, quality in results:
        if seg.corruption is None:
            clean_flag[(seg.lang, seg.line)] = quality.flagged
            if quality.flagged:
                clean_reasons[seg.lang.value].update(r.split(":")[0] for r in quality.reasons)
        else:
            corrupted.append((seg, quality))
    cells: list[Cell] = []
    missed: dict[str, list[tuple[int, str, str]]] = {}
    for kind in Corruption:
        pooled = [0, 0, 0]
        for lang in langs:
            mine = [(s, q) for s, q in corrupted if s.corruption is kind and s.lang is lang]
            detected = sum(1 for _, q in mine if q.flagged)
            fp = sum(1 for s, _ in mine if clean_flag[(lang, s.line)])
            cells.append(Cell(kind.value, lang.value, len(mine), detected, fp))
            pooled[0] += len(mine)
            pooled[1] += detected
            pooled[2] += fp
            for s, q in mine:
                if not q.flagged and len(missed.setdefault(kind.value, [])) < 5:
                    missed[kind.value].append((s.line, lang.value, s.target))
        cells.append(Cell(kind.value, "all", *pooled))
    clean: dict[str, tuple[int, int]] = {}
    for lang in langs:
        flags = [f for (lang_, _), f in clean_flag.items() if lang_ is lang]
        clean[lang.value] = (len(flags), sum(flags))
    clean["all"] = (len(clean_flag), sum(clean_flag.values()))
    all_reasons: Counter[str] = Counter()
    for counter in clean_reasons.values():
        all_reasons.update(counter)
    return CalibrationReport(
        split=split,
        first_line=corpus.offset + 1,
        last_line=corpus.offset + len(corpus),
        seed=seed,
        cells=tuple(cells),
        clean=clean,
        clean_reasons={
            **{k: dict(v.most_common()) for k, v in clean_reasons.items()},
            "all": dict(all_reasons.most_common()),
        },
        missed={k: tuple(v) for k, v in missed.items()},
    )


def render_markdown(report: CalibrationReport, *, source: str = "data/flores101-dev") -> str:
    """The report as Markdown (the table pasted into BENCHMARKS.md)."""
    langs = [lang for lang in report.clean if lang != "all"]
    lines = [
        "# Quality estimation: calibration",
        "",
        f"Labelled set built from `{source}`, lines {report.first_line}-{report.last_line} "
        f"({report.split}; the checks were tuned on the other half), seed {report.seed}, by "
        "`warta quality calibrate`. The estimator runs with no model score (references have none).",
        "",
        "- **recall**: corrupted translations flagged / corrupted translations.",
        "- **precision**: on a balanced set (the corrupted translations plus the clean references "
        "of the same lines), corrupted flagged / all flagged.",
        "- **clean false-flag rate**: clean references flagged / all clean references.",
        "",
        "Corruptions (each applied to the clean reference of every line where it applies):",
        "",
        *[f"- `{kind.value}`: {DESCRIPTIONS[kind]}." for kind in Corruption],
        "",
        "| corruption | " + " | ".join(langs) + " | all (n) | precision (all) | target |",
        "| --- | " + " | ".join("---" for _ in langs) + " | --- | --- | --- |",
    ]
    for kind in Corruption:
        row = [kind.value]
        for lang in langs:
            cell = report.cell(kind, lang)
            row.append(f"{cell.recall:.3f}" if cell.corrupted else "n/a")
        pooled = report.cell(kind)
        goal = TARGETS.get(kind)
        met = goal is not None and report.meets_targets()[kind.value]
        target = (
            f"recall ≥ {goal}, precision ≥ {PRECISION_TARGET}: {'met' if met else 'NOT met'}"
            if goal is not None
            else "report only"
        )
        row += [f"{pooled.recall:.3f} ({pooled.corrupted})", f"{pooled.precision:.3f}", target]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "Recall per language (columns) and pooled; precision pooled over languages.",
        "",
        "| clean references | " + " | ".join(langs) + " | all |",
        "| --- | " + " | ".join("---" for _ in langs) + " | --- |",
        "| false-flag rate | "
        + " | ".join(f"{report.false_flag_rate(lang):.3f}" for lang in [*langs, "all"])
        + " |",
        "| flagged / references | "
        + " | ".join(f"{report.clean[lang][1]}/{report.clean[lang][0]}" for lang in [*langs, "all"])
        + " |",
        "",
        "Why clean references were flagged (reason codes, all languages): "
        + ", ".join(f"{code} {n}" for code, n in report.clean_reasons["all"].items()),
        "",
        "Precision per corruption type and language:",
        "",
        "| corruption | " + " | ".join(langs) + " |",
        "| --- | " + " | ".join("---" for _ in langs) + " |",
    ]
    for kind in Corruption:
        cells = [report.cell(kind, lang) for lang in langs]
        lines.append(
            f"| {kind.value} | "
            + " | ".join(f"{c.precision:.3f}" if c.corrupted else "n/a" for c in cells)
            + " |"
        )
    return "\n".join(lines) + "\n"
