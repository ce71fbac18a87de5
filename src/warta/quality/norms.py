"""How long a translation usually is, per target language, relative to its Indonesian source.

The norms are the mean and standard deviation of ``log(len(target) / len(source))`` (characters
of the stripped sentences) over the **first half** of FLORES-101 dev (lines 1-498 of
``data/flores101-dev/{id,en,zh,ja,ar,fr}.txt``); the second half is held out for calibration.
``tests/quality/test_norms.py`` recomputes them from the data with :func:`length_norms` and checks
these constants. To recompute::

    from warta.quality.flores import load_flores
    from warta.quality.norms import length_norms
    corpus = load_flores("data/flores101-dev").first_half()
    length_norms(corpus.lines[Lang.ID], corpus.lines[Lang.ZH])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from warta.languages import Lang

__all__ = ["LENGTH_NORMS", "LengthNorm", "length_norms"]


@dataclass(frozen=True, slots=True)
class LengthNorm:
    """Character-length ratio target/source of one language pair, on a log scale."""

    mean_log_ratio: float
    sd_log_ratio: float
    sentences: int

    @property
    def typical_ratio(self) -> float:
        """The geometric-mean ratio: 0.31 means a zh sentence has 31% of the id characters."""
        return math.exp(self.mean_log_ratio)

    def z(self, *, source_chars: int, target_chars: int) -> float:
        """How many standard deviations the pair's log ratio is from the mean."""
        ratio = math.log(max(target_chars, 1) / max(source_chars, 1))
        return (ratio - self.mean_log_ratio) / self.sd_log_ratio


# id -> X over FLORES-101 dev lines 1-498 (computed by length_norms; see the module docstring).
LENGTH_NORMS: Mapping[Lang, LengthNorm] = {
    Lang.EN: LengthNorm(mean_log_ratio=-0.0777, sd_log_ratio=0.1303, sentences=498),
    Lang.ZH: LengthNorm(mean_log_ratio=-1.1571, sd_log_ratio=0.2657, sentences=498),
    Lang.JA: LengthNorm(mean_log_ratio=-0.9057, sd_log_ratio=0.1975, sentences=498),
    Lang.AR: LengthNorm(mean_log_ratio=-0.2158, sd_log_ratio=0.1718, sentences=498),
    Lang.FR: LengthNorm(mean_log_ratio=0.0794, sd_log_ratio=0.1573, sentences=498),
}


def length_norms(sources: Sequence[str], targets: Sequence[str]) -> LengthNorm:
    """Mean and sample standard deviation of the log character-length ratio of aligned pairs."""
    if len(sources) != len(targets):
        raise ValueError(f"{len(sources)} sources but {len(targets)} targets")
    ratios = [
        math.log(len(t.strip()) / len(s.strip()))
        for s, t in zip(sources, targets, strict=True)
        if s.strip() and t.strip()
    ]
    if len(ratios) < 2:
        raise ValueError("need at least two non-empty sentence pairs")
    mean = sum(ratios) / len(ratios)
    variance = sum((r - mean) ** 2 for r in ratios) / (len(ratios) - 1)
    return LengthNorm(
        mean_log_ratio=round(mean, 4),
        sd_log_ratio=round(math.sqrt(variance), 4),
        sentences=len(ratios),
    )
