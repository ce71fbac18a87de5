from __future__ import annotations

import pytest

from warta.engines.base import Hypothesis
from warta.languages import Lang
from warta.quality.rerank import rerank, rerank_index

SOURCE = "Batten memiliki kekayaan senilai 2,3 miliar dolar AS."


def test_rerank_prefers_the_candidate_the_estimator_does_not_doubt(estimator):
    candidates = [
        Hypothesis("Batten has a fortune of $2.3 billion $2.3 billion $2.3 billion.", score=-0.2),
        Hypothesis("Batten has a fortune of $3.2 billion.", score=-0.3),
        Hypothesis("Batten has a fortune of $2.3 billion.", score=-0.5),
    ]
    assert rerank(candidates, source=SOURCE, lang=Lang.EN, estimator=estimator) is candidates[2]


def test_rerank_keeps_the_engines_order_when_nothing_is_doubtful(estimator):
    candidates = [
        Hypothesis("Batten owns a fortune of $2.3 billion.", score=-0.4),
        Hypothesis("Batten has a fortune of $2.3 billion.", score=-0.4),
    ]
    assert rerank(candidates, source=SOURCE, lang=Lang.EN, estimator=estimator) is candidates[0]


def test_rerank_falls_back_on_the_model_score_and_avoids_truncated_output(estimator):
    candidates = [
        Hypothesis("Batten has a fortune of $2.3 billion.", score=-0.9, truncated=True),
        Hypothesis("Batten owns a fortune of $2.3 billion.", score=None),
        Hypothesis("Batten's fortune totals $2.3 billion.", score=-0.1),
    ]
    assert rerank(candidates, source=SOURCE, lang=Lang.EN, estimator=estimator) is candidates[2]


def test_rerank_needs_a_candidate(estimator):
    with pytest.raises(ValueError, match="at least one candidate"):
        rerank([], source=SOURCE, lang=Lang.EN, estimator=estimator)


def test_rerank_index_points_into_the_candidates(estimator):
    candidates = [
        Hypothesis("Batten has a fortune of $2.3", score=-0.2),
        Hypothesis("Batten has a fortune of $2.3 billion.", score=-0.6),
    ]
    assert rerank_index(candidates, source=SOURCE, lang=Lang.EN, estimator=estimator) == 1
