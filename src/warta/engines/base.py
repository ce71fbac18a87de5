"""The boundary between warta and a translation model.

An engine takes a batch of plain-text segments (already segmented, with markup and protected
items replaced by placeholders) for one language pair and returns one :class:`Hypothesis` each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from warta.domain import Glossary, ModelProvenance
from warta.languages import Lang


@dataclass(frozen=True, slots=True)
class AlignedToken:
    """One output token and the input token it attends to most (character offsets, end exclusive).

    Used to carry inline markup and protected items from the source onto the translation.
    """

    target_start: int
    target_end: int
    source_start: int
    source_end: int


@dataclass(frozen=True, slots=True)
class Hypothesis:
    text: str
    # Length-normalised log-probability of the output (mean per token, <= 0); None if unknown.
    score: float | None = None
    alignment: tuple[AlignedToken, ...] | None = None
    truncated: bool = False  # decoding stopped at max length instead of at end of sentence
    # The other n-best candidates (Decoding.num_hypotheses > 1), best first; reranked by quality.
    alternatives: tuple[Hypothesis, ...] = ()


@dataclass(frozen=True, slots=True)
class Decoding:
    """Decoding settings; recorded in every translation's provenance."""

    beam_size: int = 4
    length_penalty: float = 1.0
    max_decoding_length: int = 256
    batch_tokens: int = 2048
    min_decoding_length: int = 0  # benchmarks pin min=max to make both sides do the same work
    num_hypotheses: int = 1  # n-best candidates to return for reranking by quality estimation
    # Document context: the previous sentence goes to the encoder before the current one, for
    # models trained that way (their manifest names the separator token). 0: off.
    context_sentences: int = 0

    def as_items(self) -> tuple[tuple[str, int | float | str], ...]:
        items: tuple[tuple[str, int | float | str], ...] = (
            ("beam", self.beam_size),
            ("length_penalty", self.length_penalty),
            ("max_len", self.max_decoding_length),
            ("min_len", self.min_decoding_length),
            ("nbest", self.num_hypotheses),
        )
        # Only when used, so that translations made without context keep their signatures.
        return (*items, ("context", self.context_sentences)) if self.context_sentences else items


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """What an engine will use for one pair, known before translating (for provenance and jobs)."""

    engine: str
    models: tuple[ModelProvenance, ...]
    decoding: Decoding
    device: str
    compute_type: str
    # How inline markup travels: "alignment" (the engine returns attention alignment and the
    # pipeline projects markup onto its output) or "tags" (the engine keeps inline tags itself:
    # the pipeline sends tagged text, see warta.text.tags, and reads the tags back).
    markup: str = "alignment"


@dataclass(frozen=True, slots=True)
class SegmentGroup:
    """The article a segment belongs to, for engines that translate whole articles (LLMs).

    One per text in :meth:`Engine.translate`; texts of the same article share one group (equal
    ``key``). Engines that translate sentence by sentence ignore it.
    """

    key: str  # the article (revision) the segment belongs to
    title: str  # the article's title (source language), as context
    site: str  # the site's slug (routing, caps, usage)
    glossary: Glossary  # the site's glossary (the terms that apply are sent to LLMs)
    style_note: str = ""  # the site's per-language style instructions for LLMs


@dataclass(frozen=True, slots=True)
class EngineUsage:
    """What one request to a remote engine consumed (reported through ``on_usage``)."""

    characters: int
    input_tokens: int = 0
    output_tokens: int = 0


UsageCallback = Callable[[EngineUsage], None]


@runtime_checkable
class Engine(Protocol):
    """Translate batches of segments for language pairs."""

    name: str

    def supports(self, *, source: Lang, target: Lang) -> bool:
        """True if a model (or a pivot chain) is available for the pair."""
        ...

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        """Provenance of what :meth:`translate` would use; raises ModelNotFoundError if none."""
        ...

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,
    ) -> list[Hypothesis]:
        """One hypothesis per input text, in order. Batches internally by tokens.

        ``contexts``: for each text, the sentence before it in its document (None: the first),
        in the source language. An engine uses them only where its decoding asks for context
        and the model supports it (:attr:`EngineInfo.decoding` says whether it does); the
        hypothesis translates the text alone either way.

        ``groups``: for each text, the article it belongs to (title, site, glossary, style
        note); engines that translate by article use them, the others ignore them.

        For an engine whose :attr:`EngineInfo.markup` is ``"tags"``, each text is tagged text
        (:func:`warta.text.tags.to_tagged`: HTML-escaped, inline markup as ``<x1>…</x1>``,
        ``<x2/>``) and each hypothesis must keep those tags; its alignment is not used.
        """
        ...
