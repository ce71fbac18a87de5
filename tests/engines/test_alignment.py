"""Alignment from attention rows and composition through a pivot language."""

from __future__ import annotations

from warta.engines.alignment import align_from_attention, compose
from warta.engines.base import AlignedToken


def test_each_output_token_takes_the_most_attended_input_token() -> None:
    source_spans = [None, (0, 4), (5, 9), None]  # language tag, two words, </s>
    target_spans = [(0, 5), (6, 9), None]  # two words, end token
    attention = [
        [0.9, 0.05, 0.04, 0.01],  # the tag has the most weight but is not text: 0.05 wins
        [0.1, 0.1, 0.7, 0.1],
        [0.0, 0.5, 0.5, 0.0],  # the end token is never aligned
    ]

    aligned = align_from_attention(attention, target_spans=target_spans, source_spans=source_spans)

    assert aligned == (AlignedToken(0, 5, 0, 4), AlignedToken(6, 9, 5, 9))


def test_no_source_text_means_no_alignment() -> None:
    assert align_from_attention([[1.0]], target_spans=[(0, 1)], source_spans=[None]) == ()


def test_compose_follows_the_pivot_token_with_most_overlap() -> None:
    # source "Saya makan" -> pivot "I eat" -> target "Je mange"
    first = (AlignedToken(0, 1, 0, 4), AlignedToken(2, 5, 5, 10))
    second = (
        AlignedToken(0, 2, 0, 1),  # "Je" <- "I"
        AlignedToken(3, 8, 1, 5),  # "mange" <- " eat" overlaps "eat" most
        AlignedToken(9, 10, 7, 9),  # pivot span past every pivot token: dropped
    )

    assert compose(first, second) == (AlignedToken(0, 2, 0, 4), AlignedToken(3, 8, 5, 10))
