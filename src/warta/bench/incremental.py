"""Section 6: re-translating an article after a one-paragraph edit, against translating it whole.

Articles are translated once (the full cost), then one paragraph of each is edited (every
sentence in it changes) and submitted again: the new revision's jobs translate only the changed
sentences, the rest come from translation memory. Cost = worker time of the re-translation as a
fraction of the worker time of the full translation, same articles, same engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from warta.bench.model import BenchModel
from warta.bench.rig import (
    EngineSettings,
    ProgressFn,
    make_engine,
    make_estimator,
    rig,
    warm_up,
)
from warta.bench.timing import median, timed
from warta.domain import ArticleDraft
from warta.engines.base import Engine
from warta.languages import Lang
from warta.quality.estimator import QualityEstimator

_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_SENTENCE_END = re.compile(r"([^\s.])\.(\s|$)")


def edit_one_paragraph(draft: ArticleDraft) -> ArticleDraft:
    """Rewrite the middle paragraph: every sentence in it gains a word before its full stop."""
    paragraphs = list(_PARAGRAPH.finditer(draft.body_html))
    if not paragraphs:
        return replace(draft, body_html=draft.body_html + "<p>Berita ini diperbarui.</p>")
    target = paragraphs[len(paragraphs) // 2]
    edited, count = _SENTENCE_END.subn(r"\1 kemarin.\2", target.group(1))
    if not count:
        edited = target.group(1) + " Berita ini diperbarui."
    body = draft.body_html[: target.start(1)] + edited + draft.body_html[target.end(1) :]
    return replace(draft, body_html=body)


def incremental_retranslation(
    model: BenchModel,
    drafts: Sequence[ArticleDraft],
    settings: EngineSettings,
    *,
    rounds: int,
    progress: ProgressFn,
    tmp: Path | None = None,
) -> dict[str, object]:
    engine = make_engine([model.registered(Lang.EN, quantization=settings.compute_type)], settings)
    estimator = make_estimator()
    warm_up(engine, [Lang.EN], estimator=estimator)
    edited = [edit_one_paragraph(d) for d in drafts]
    runs: list[dict[str, float]] = []
    for r in range(rounds):
        progress(f"round {r + 1}/{rounds}: full translation, then the edit")
        runs.append(_one_round(engine, settings, drafts, edited, estimator=estimator, tmp=tmp))
    fractions = [run["edit_s"] / run["full_s"] for run in runs]
    first = runs[0]
    return {
        "articles": len(drafts),
        "target": "en",
        "settings": settings.to_dict(),
        "rounds": runs,
        "full_median_s": round(median([r["full_s"] for r in runs]), 3),
        "edit_median_s": round(median([r["edit_s"] for r in runs]), 3),
        "cost_fraction": round(median(fractions), 4),
        "segment_fraction": round(first["edit_segments_translated"] / first["full_segments"], 4),
        "segments_full": first["full_segments"],
        "segments_retranslated": first["edit_segments_translated"],
        "segments_reused": first["edit_segments_reused"],
    }


def _one_round(
    engine: Engine,
    settings: EngineSettings,
    drafts: Sequence[ArticleDraft],
    edited: Sequence[ArticleDraft],
    *,
    estimator: QualityEstimator,
    tmp: Path | None,
) -> dict[str, float]:
    with rig(targets=[Lang.EN], estimator=estimator, parent=tmp) as home:
        home.submit_all(drafts)
        full, full_time = timed(lambda: home.translate_all(engine, settings))
        home.submit_all(edited)
        again, edit_time = timed(lambda: home.translate_all(engine, settings))
    if again.segments_reused == 0 or again.editions != len(drafts):
        raise RuntimeError(
            "incremental section: the edited revisions reused no segment from memory "
            f"(translated {again.segments_translated}, reused {again.segments_reused})"
        )
    return {
        "full_s": full_time.wall,
        "edit_s": edit_time.wall,
        "full_segments": full.segments_translated,
        "edit_segments_translated": again.segments_translated,
        "edit_segments_reused": again.segments_reused,
    }
