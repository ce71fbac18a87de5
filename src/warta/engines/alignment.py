"""Word alignments from decoder attention, as character spans; pure functions.

Each output piece is aligned to the input piece its cross-attention weighs most (CTranslate2
returns one attention row per output token, from the model's alignment layer and head). Pieces
that are not text (language tokens, ``</s>``) have no span and take no part.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from warta.engines.base import AlignedToken

Span = tuple[int, int]


def align_from_attention(
    attention: Sequence[Sequence[float]],
    *,
    target_spans: Sequence[Span | None],
    source_spans: Sequence[Span | None],
) -> tuple[AlignedToken, ...]:
    """``attention[i][j]``: weight of source token ``j`` for output token ``i``.

    ``target_spans[i]`` / ``source_spans[j]`` are the tokens' character spans in the output and
    input text (``None`` for special tokens). Rows or columns beyond the spans are ignored.
    """
    columns = [j for j, span in enumerate(source_spans) if span is not None and span[0] < span[1]]
    rows = attention[: len(target_spans)]
    if not columns or not rows:
        return ()
    # One vectorised argmax over the (output x input) matrix: this runs for every translated
    # sentence, and a per-cell Python loop cost a visible share of the pipeline's time.
    weights = np.asarray(rows, dtype=np.float32)
    usable = np.asarray([j for j in columns if j < weights.shape[1]], dtype=np.intp)
    if usable.size == 0:
        return ()
    best = usable[np.argmax(weights[:, usable], axis=1)]
    aligned: list[AlignedToken] = []
    for i, j in enumerate(best.tolist()):
        target = target_spans[i]
        source = source_spans[j]
        if target is None or source is None:
            continue
        aligned.append(AlignedToken(target[0], target[1], source[0], source[1]))
    return tuple(aligned)


def compose(
    first: Sequence[AlignedToken], second: Sequence[AlignedToken]
) -> tuple[AlignedToken, ...]:
    """Chain source→pivot (``first``) and pivot→target (``second``) into source→target.

    Each target token takes the source span of the pivot token that overlaps its pivot span
    most (pivot pieces of the two models differ, so spans are matched by overlap, not index).
    Target tokens whose pivot span overlaps nothing are left out.
    """
    composed: list[AlignedToken] = []
    for token in second:
        best: AlignedToken | None = None
        best_overlap = 0
        for pivot in first:
            overlap = min(token.source_end, pivot.target_end) - max(
                token.source_start, pivot.target_start
            )
            if overlap > best_overlap:
                best, best_overlap = pivot, overlap
        if best is not None:
            composed.append(
                AlignedToken(
                    token.target_start, token.target_end, best.source_start, best.source_end
                )
            )
    return tuple(composed)
