"""Quality of translations: doubt per segment, summaries per article, evaluation of engines.

* :mod:`~warta.quality.checks`: pure checks, ``(src, tgt, *, target) -> list[QualityIssue]``;
* :mod:`~warta.quality.estimator`: :class:`QualityEstimator` combines them into a score and a flag;
* :mod:`~warta.quality.article`: :func:`summarise` an edition's segments;
* :mod:`~warta.quality.rerank`: choose among n-best hypotheses;
* :mod:`~warta.quality.backtranslation`: round-trip check where a reverse model exists;
* :mod:`~warta.quality.calibration`: precision and recall of the flags on corrupted references;
* :mod:`~warta.quality.evaluate`: BLEU / chrF++ / COMET of an engine on a test set.
"""

from __future__ import annotations

from warta.quality.article import ArticleQuality, summarise
from warta.quality.estimator import QualityEstimator, SegmentQuality
from warta.quality.issues import QualityIssue
from warta.quality.rerank import rerank, rerank_index

__all__ = [
    "ArticleQuality",
    "QualityEstimator",
    "QualityIssue",
    "SegmentQuality",
    "rerank",
    "rerank_index",
    "summarise",
]
