"""Back-translation: translate the output back into Indonesian and compare it with the source.

Only where the engine has a reverse model (``engine.supports(source=lang, target=Lang.ID)``);
otherwise the check is skipped (None). The comparison is sentence-level chrF (sacrebleu), which
is robust to the paraphrase a round trip makes; well below ``DEFAULT_MIN_CHRF`` the round trip lost
the meaning (a hallucination, a dropped clause, the wrong sentence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warta.engines.base import Engine
from warta.errors import FieldError
from warta.languages import SOURCE_LANG, Lang

__all__ = ["DEFAULT_MIN_CHRF", "BackTranslation", "back_translation_check"]

DEFAULT_MIN_CHRF = 30.0


@dataclass(frozen=True, slots=True)
class BackTranslation:
    text: str  # the output translated back into Indonesian
    chrf: float  # sentence chrF of ``text`` against the source, 0-100
    flagged: bool  # chrf below the threshold


def back_translation_check(
    engine: Engine,
    sources: Sequence[str],
    targets: Sequence[str],
    *,
    lang: Lang,
    min_chrf: float = DEFAULT_MIN_CHRF,
) -> list[BackTranslation] | None:
    """One result per (source, target) pair, or None when there is no ``lang`` -> id model."""
    if len(sources) != len(targets):
        raise FieldError(
            f"{len(sources)} sources but {len(targets)} translations",
            hint="pass one translation per source sentence",
        )
    if not engine.supports(source=lang, target=SOURCE_LANG):
        return None
    if not sources:
        return []
    from sacrebleu.metrics.chrf import CHRF

    chrf = CHRF()
    back = engine.translate(list(targets), source=lang, target=SOURCE_LANG)
    results: list[BackTranslation] = []
    for source, hypothesis in zip(sources, back, strict=True):
        score = float(chrf.sentence_score(hypothesis.text, [source]).score)
        results.append(
            BackTranslation(text=hypothesis.text, chrf=round(score, 2), flagged=score < min_chrf)
        )
    return results
