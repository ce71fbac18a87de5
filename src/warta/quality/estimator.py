"""Quality estimation of one translated segment: every check, combined into a score and a flag.

The score is the product of ``1 - severity`` over the issues the checks found (1.0 when none),
so independent doubts compound; a segment is flagged when its score falls below its target
language's threshold (0.5 unless told otherwise: one strong issue, or several weak ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from warta.domain import Glossary
from warta.languages import Lang
from warta.quality import checks
from warta.quality.issues import QualityIssue
from warta.quality.scripts import LanguageIdentifier

__all__ = ["DEFAULT_THRESHOLD", "QualityEstimator", "SegmentQuality"]

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class SegmentQuality:
    """The estimate for one segment.

    ``reasons`` are the stable reason strings of every issue found (``"number_mismatch:270.000"``,
    ``"wrong_script:latin"``, ``"untranslated"``...), strongest first; a segment can have reasons
    and still not be flagged (weak doubts only). ``flagged`` decides review.
    """

    score: float
    flagged: bool
    reasons: tuple[str, ...]
    issues: tuple[QualityIssue, ...] = ()

    @property
    def flags(self) -> tuple[str, ...]:
        """What to store in ``SegmentTranslation.flags``: the reasons if flagged, else none."""
        return self.reasons if self.flagged else ()


class QualityEstimator:
    """Runs every check on a segment and combines them.

    ``thresholds`` overrides the flagging threshold per target language (score below it =
    flagged). ``min_logprob`` is the model log-probability (mean per token) below which a
    segment is doubtful. ``identify_language=False`` skips lingua (script checks still run).
    The lingua detector is built on the first assessment of an en/fr segment and then reused;
    share one estimator per process.
    """

    def __init__(
        self,
        *,
        thresholds: Mapping[Lang, float] | None = None,
        min_logprob: float = checks.DEFAULT_MIN_LOGPROB,
        identify_language: bool = True,
    ) -> None:
        for lang, value in (thresholds or {}).items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold for {lang} must be in [0, 1], got {value}")
        self._thresholds = dict(thresholds or {})
        self._min_logprob = min_logprob
        self._identifier = LanguageIdentifier() if identify_language else None

    def threshold(self, lang: Lang) -> float:
        return self._thresholds.get(lang, DEFAULT_THRESHOLD)

    def issues(
        self,
        *,
        source: str,
        target: str,
        lang: Lang,
        logprob: float | None = None,
        truncated: bool = False,
        glossary: Glossary | None = None,
    ) -> list[QualityIssue]:
        """Every issue every check finds, in check order."""
        found = checks.check_truncation(source, target, target=lang, truncated=truncated)
        if any(i.code == "empty" for i in found):
            return found
        found += checks.check_logprob(
            source, target, target=lang, logprob=logprob, threshold=self._min_logprob
        )
        found += checks.check_untranslated(source, target, target=lang, identifier=self._identifier)
        if not any(i.code == "untranslated" for i in found):
            found += checks.check_language(source, target, target=lang, identifier=self._identifier)
        found += checks.check_length_ratio(source, target, target=lang)
        found += checks.check_numbers(source, target, target=lang)
        found += checks.check_amounts(source, target, target=lang)
        found += checks.check_urls(source, target, target=lang)
        found += checks.check_glossary(source, target, target=lang, glossary=glossary)
        found += checks.check_names(source, target, target=lang)
        found += checks.check_repetition(source, target, target=lang)
        found += checks.check_negation(source, target, target=lang)
        return found

    def assess(
        self,
        *,
        source: str,
        target: str,
        lang: Lang,
        logprob: float | None = None,
        truncated: bool = False,
        glossary: Glossary | None = None,
    ) -> SegmentQuality:
        """Score and flag one segment (plain text, markup removed)."""
        found = self.issues(
            source=source,
            target=target,
            lang=lang,
            logprob=logprob,
            truncated=truncated,
            glossary=glossary,
        )
        return self.combine(found, lang=lang)

    def combine(self, found: list[QualityIssue], *, lang: Lang) -> SegmentQuality:
        """The score and flag for issues already found."""
        score = 1.0
        for issue in found:
            score *= 1.0 - issue.severity
        ordered = sorted(found, key=lambda i: -i.severity)
        return SegmentQuality(
            score=round(score, 4),
            flagged=score < self.threshold(lang),
            reasons=tuple(dict.fromkeys(i.reason for i in ordered)),
            issues=tuple(ordered),
        )
