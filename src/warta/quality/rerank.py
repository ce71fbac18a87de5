"""Choosing among n-best hypotheses with the quality estimator instead of the model score alone."""

from __future__ import annotations

import math
from collections.abc import Sequence

from warta.domain import Glossary
from warta.engines.base import Hypothesis
from warta.languages import Lang
from warta.quality.estimator import QualityEstimator

__all__ = ["rerank", "rerank_index"]


def rerank_index(
    candidates: Sequence[Hypothesis],
    *,
    source: str,
    lang: Lang,
    estimator: QualityEstimator,
    glossary: Glossary | None = None,
) -> int:
    """The position of the candidate the estimator trusts most (see :func:`rerank`)."""
    if not candidates:
        raise ValueError("rerank needs at least one candidate")
    best = 0
    best_key: tuple[bool, float, float] | None = None
    for position, candidate in enumerate(candidates):
        quality = estimator.assess(
            source=source,
            target=candidate.text,
            lang=lang,
            logprob=candidate.score,
            truncated=candidate.truncated,
            glossary=glossary,
        )
        key = (
            not quality.flagged,
            quality.score,
            candidate.score if candidate.score is not None else -math.inf,
        )
        if best_key is None or key > best_key:
            best, best_key = position, key
    return best


def rerank(
    candidates: Sequence[Hypothesis],
    *,
    source: str,
    lang: Lang,
    estimator: QualityEstimator,
    glossary: Glossary | None = None,
) -> Hypothesis:
    """The candidate the estimator trusts most.

    Ordered by: not flagged, then the estimated quality (which includes the model's
    log-probability), then the log-probability itself; ties keep the engine's order (beam rank),
    so with no doubts anywhere the engine's best hypothesis is returned unchanged.

    ``source`` and the candidates' texts are plain text as a reader sees them: rerank finished
    (placeholders restored) translations, not the model's raw output.
    """
    index = rerank_index(
        candidates, source=source, lang=lang, estimator=estimator, glossary=glossary
    )
    return candidates[index]
