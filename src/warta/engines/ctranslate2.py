"""The CTranslate2 engine: registered model directories → translations with scores and alignments.

One :class:`CTranslate2Engine` serves every language pair it has a model (or a pivot chain) for.
Models are loaded on first use and kept, one ``ctranslate2.Translator`` per directory, so a
multilingual model registered for several pairs is loaded once.

Per pair, a *route* says how the target is reached: ``"direct"`` (a model for source→target) or
``"pivot"`` (source→English, then English→target: two models, two entries in the provenance,
alignments composed through the English text).

Keeping a device busy: :meth:`CTranslate2Engine.pretokenize` tokenises a batch's texts ahead, on
the caller's thread (the worker plans batch N+1 while batch N decodes), so that ``translate``
only decodes; ``translate`` sorts the inputs by length (longest first, the order CTranslate2
batches them in), runs the call asynchronously and detokenises and aligns each batch of results
as it arrives, while the next batch decodes; and attention is requested, and converted to an
alignment, only for the texts that need one (``aligned``: inline markup or placeholders to put
back).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm

from warta.domain import ModelProvenance, RegisteredModel
from warta.engines import alignment
from warta.engines.base import Decoding, EngineInfo, Hypothesis, SegmentGroup
from warta.engines.catalog import KNOWN_MODELS, models_for
from warta.engines.families import (
    EOS,
    PairTokens,
    check_family,
    detokenize,
    pair_tokens,
    spm_file,
)
from warta.engines.models import ModelManifest, read_manifest, validate_model_dir
from warta.errors import (
    ConfigError,
    EngineError,
    ModelNotFoundError,
    UnsupportedLanguagePairError,
)
from warta.languages import Lang

ROUTES = ("direct", "pivot")
DEFAULT_MAX_POSITIONS = 1024  # CTranslate2's own max_input_length, for models without a manifest
# Texts tokenised ahead and not yet translated, at most (oldest dropped first): a batch or two.
PRETOKENIZED_KEPT = 16_384
_EMPTY = Hypothesis(text="", score=0.0, alignment=(), truncated=False)


@dataclass(frozen=True, slots=True)
class _Leg:
    model: RegisteredModel
    source: Lang
    target: Lang


@dataclass(frozen=True, slots=True)
class _Encoded:
    tokens: list[str]  # source prefix + pieces + suffix, as fed to the encoder
    spans: list[tuple[int, int] | None]  # character span in the input of each token


def resolve_device(device: str) -> str:
    """``"auto"`` → ``"cuda"`` when CTranslate2 sees a CUDA device, else ``"cpu"``."""
    if device == "auto":
        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"unknown device {device!r}", hint="use auto, cpu or cuda", device=device)
    return device


def resolve_compute_type(compute_type: str, *, device: str) -> str:
    """``"auto"`` → int8 on CPU, float16 on CUDA; anything else is passed to CTranslate2 as is."""
    if compute_type == "auto":
        return "float16" if device == "cuda" else "int8"
    return compute_type


class CTranslate2Engine:
    """:class:`~warta.engines.base.Engine` backed by CTranslate2 model directories.

    Hypotheses: ``score`` is the mean log-probability per generated token (``</s>`` included;
    for a pivot, the sum of both legs' means); ``truncated`` is set when decoding reached
    ``max_decoding_length`` without ``</s>``, and also when the input was longer than the model's
    position table and had to be cut; ``alignment`` maps output pieces to input pieces (character
    spans) by attention. Empty or blank inputs give empty hypotheses without touching a model.
    """

    name = "ctranslate2"

    def __init__(
        self,
        models: Sequence[RegisteredModel],
        *,
        decoding: Decoding,
        device: str = "auto",
        compute_type: str = "auto",
        routes: Mapping[Lang, str] | None = None,
        inter_threads: int = 1,
        intra_threads: int = 0,
    ) -> None:
        self._models: dict[tuple[Lang, Lang], RegisteredModel] = {}
        for model in models:
            check_family(model.family)
            pair = (model.source, model.target)
            if pair in self._models:
                raise ConfigError(
                    f"two models registered for {pair[0]}→{pair[1]}: "
                    f"{self._models[pair].name} and {model.name}",
                    hint="give the engine one model per language pair",
                    source=pair[0].value,
                    target=pair[1].value,
                )
            self._models[pair] = model
        self._routes = dict(routes or {})
        for target, route in self._routes.items():
            if route not in ROUTES:
                raise ConfigError(
                    f"unknown route {route!r} for {target}",
                    hint="use direct or pivot",
                    lang=target.value,
                )
            if route == "pivot" and target is Lang.EN:
                raise ConfigError("English cannot pivot through itself", hint="route en directly")
        self.decoding = decoding
        self.device = resolve_device(device)
        self.compute_type = resolve_compute_type(compute_type, device=self.device)
        self._inter_threads = inter_threads
        self._intra_threads = intra_threads
        self._lock = threading.Lock()
        self._translators: dict[str, Any] = {}
        self._tokenizers: dict[str, spm.SentencePieceProcessor] = {}
        self._manifests: dict[str, ModelManifest | None] = {}  # model path -> its manifest
        # (leg, text) -> its encoding, made ahead by pretokenize (insertion ordered)
        self._encoded: dict[tuple[_Leg, str], _Encoded] = {}

    # -- Engine protocol ---------------------------------------------------------------------

    def supports(self, *, source: Lang, target: Lang) -> bool:
        try:
            legs = self._legs(source, target)
        except (ModelNotFoundError, UnsupportedLanguagePairError):
            return False
        return all((Path(leg.model.path) / "model.bin").is_file() for leg in legs)

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        legs = self._legs(source, target)
        return EngineInfo(
            engine=self.name,
            models=tuple(
                ModelProvenance(
                    name=leg.model.name,
                    checksum=leg.model.checksum,
                    source=leg.source,
                    target=leg.target,
                    random_weights=self._random_weights(leg.model),
                )
                for leg in legs
            ),
            decoding=self._decoding_for(legs[0]),
            device=self.device,
            compute_type=self.compute_type,
        )

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,  # noqa: ARG002 -- sentence by sentence
        aligned: Sequence[bool] | None = None,
    ) -> list[Hypothesis]:
        """See :meth:`Engine.translate`. With a pivot, the context goes to the first leg.

        ``aligned``: for each text, whether its hypothesis needs an alignment (None: all do).
        A text that needs none gets ``alignment=None``, and a call where none does asks
        CTranslate2 for no attention at all.
        """
        legs = self._legs(source, target)
        for name, given in (("contexts", contexts), ("aligned", aligned)):
            if given is not None and len(given) != len(texts):
                raise EngineError(
                    f"{len(given)} {name} for {len(texts)} texts",
                    hint=f"pass one {name} value per text",
                )
        use_context = contexts is not None and self._decoding_for(legs[0]).context_sentences > 0
        wanted = list(aligned) if aligned is not None else None
        first = self._translate_leg(
            list(texts),
            legs[0],
            contexts=list(contexts) if use_context and contexts else None,
            aligned=wanted,
        )
        if len(legs) == 1:
            return first
        second = self._translate_leg([h.text for h in first], legs[1], aligned=wanted)
        return [_chain(a, b) for a, b in zip(first, second, strict=True)]

    def pretokenize(self, texts: Sequence[str], *, source: Lang, target: Lang) -> None:
        """Tokenise ``texts`` for the pair now, on this thread, for a later :meth:`translate`.

        The worker calls it while planning a batch (as the batch before decodes), so that the
        engine's thread only decodes. Only the first leg's input is known ahead. Nothing is
        loaded but the tokenizer; an unknown pair is left to ``translate`` to report.
        """
        try:
            leg = self._legs(source, target)[0]
        except (ModelNotFoundError, UnsupportedLanguagePairError):
            return
        processor = self._tokenizer(leg.model, side="source")
        tokens = self._pair_tokens(leg)
        made = {(leg, text): _encode(processor, text, tokens) for text in texts if text.strip()}
        with self._lock:
            self._encoded.update(made)
            excess = len(self._encoded) - PRETOKENIZED_KEPT
            if excess > 0:
                for key in list(itertools.islice(self._encoded, excess)):
                    del self._encoded[key]

    def unload(self) -> None:
        """Drop loaded models (they are loaded again on next use)."""
        with self._lock:
            self._translators.clear()
            self._tokenizers.clear()
            self._encoded.clear()

    # -- routing -----------------------------------------------------------------------------

    def route(self, target: Lang) -> str:
        return self._routes.get(target, "direct")

    def _legs(self, source: Lang, target: Lang) -> tuple[_Leg, ...]:
        if source is target:
            raise UnsupportedLanguagePairError(
                f"{source.english_name} to itself is not a translation",
                hint="pick a different target language",
                source=source.value,
                target=target.value,
            )
        pivot = self.route(target) == "pivot" and Lang.EN not in (source, target)
        pairs = [(source, Lang.EN), (Lang.EN, target)] if pivot else [(source, target)]
        legs = []
        for leg_source, leg_target in pairs:
            model = self._models.get((leg_source, leg_target))
            if model is None:
                raise _no_model(leg_source, leg_target, route=(source, target) if pivot else None)
            # Fails early (UnsupportedLanguagePairError) if the family lacks a language token.
            pair_tokens(model.family, source=leg_source, target=leg_target, marian_token=None)
            legs.append(_Leg(model, leg_source, leg_target))
        return tuple(legs)

    # -- one model ---------------------------------------------------------------------------

    def _translate_leg(
        self,
        texts: list[str],
        leg: _Leg,
        *,
        contexts: list[str | None] | None = None,
        aligned: list[bool] | None = None,
    ) -> list[Hypothesis]:
        results = [_EMPTY] * len(texts)
        work = [i for i, text in enumerate(texts) if text.strip()]
        if not work:
            return results
        translator = self._translator(leg.model)
        source_sp = self._tokenizer(leg.model, side="source")
        tokens = self._pair_tokens(leg)
        encoded = self._encodings(texts, work, leg=leg, processor=source_sp, tokens=tokens)
        specials = len(tokens.source_prefix) + len(tokens.source_suffix)
        work = [i for i in work if len(encoded[i].tokens) > specials]  # not only spaces/controls
        if not work:
            return results
        prefix = list(tokens.target_prefix)
        # Positions beyond the model's table cannot be encoded: longer inputs are cut there
        # (and flagged truncated) rather than failing the whole batch.
        limit = self._max_positions(leg.model)
        separator = self._context_separator(leg.model)
        if contexts is not None and separator is not None:
            for i in work:
                context = contexts[i]
                if context and context.strip():
                    encoded[i] = _with_context(
                        encoded[i],
                        source_sp.encode(context, out_type=str),
                        separator=separator,
                        n_prefix=len(tokens.source_prefix),
                        limit=limit,
                    )
        # Longest first, CTranslate2's own batching order: results arrive batch by batch in this
        # order, and each batch is detokenised and aligned while the next one decodes.
        work.sort(key=lambda i: len(encoded[i].tokens), reverse=True)
        attend = aligned is None or any(aligned[i] for i in work)
        try:
            pending = translator.translate_batch(
                [encoded[i].tokens for i in work],
                target_prefix=[prefix for _ in work] if prefix else None,
                max_batch_size=self.decoding.batch_tokens,
                batch_type="tokens",
                beam_size=max(self.decoding.beam_size, self.decoding.num_hypotheses),
                num_hypotheses=self.decoding.num_hypotheses,
                length_penalty=self.decoding.length_penalty,
                max_input_length=limit,
                max_decoding_length=min(self.decoding.max_decoding_length + len(prefix), limit),
                min_decoding_length=min(self.decoding.min_decoding_length + len(prefix), limit),
                return_scores=True,
                return_attention=attend,
                return_end_token=True,
                replace_unknowns=True,
                asynchronous=True,
            )
            for i, waiting in zip(work, pending, strict=True):
                output = waiting.result()
                align = aligned is None or aligned[i]
                hypothesis = self._hypothesis(output, encoded[i], n_prefix=len(prefix), align=align)
                if len(encoded[i].tokens) > limit:
                    hypothesis = replace(hypothesis, truncated=True)
                results[i] = hypothesis
        except (RuntimeError, ValueError) as err:
            raise EngineError(
                f"CTranslate2 failed translating with {leg.model.name}: {err}",
                hint="check the model directory and the device/compute type settings",
                model=leg.model.name,
                path=leg.model.path,
                source=leg.source.value,
                target=leg.target.value,
            ) from err
        return results

    def _encodings(
        self,
        texts: list[str],
        work: list[int],
        *,
        leg: _Leg,
        processor: spm.SentencePieceProcessor,
        tokens: PairTokens,
    ) -> dict[int, _Encoded]:
        """Each text's encoding: made ahead by :meth:`pretokenize` where it was (and taken,
        so that what is kept is only what waits for its call), else now."""
        with self._lock:
            ahead = [self._encoded.pop((leg, texts[i]), None) for i in work]
        return {
            i: found if found is not None else _encode(processor, texts[i], tokens)
            for i, found in zip(work, ahead, strict=True)
        }

    def _hypothesis(
        self, output: Any, encoded: _Encoded, *, n_prefix: int, align: bool
    ) -> Hypothesis:
        # ``output.attention`` is converted to Python lists on every access: read it once.
        attention = output.attention if align else None
        best = self._candidate(output, encoded, n_prefix=n_prefix, rank=0, attention=attention)
        others = tuple(
            self._candidate(output, encoded, n_prefix=n_prefix, rank=rank, attention=attention)
            for rank in range(1, len(output.hypotheses))
        )
        return replace(best, alternatives=others) if others else best

    def _candidate(
        self,
        output: Any,
        encoded: _Encoded,
        *,
        n_prefix: int,
        rank: int,
        attention: list[Any] | None,
    ) -> Hypothesis:
        tokens: list[str] = list(output.hypotheses[rank])
        ended = bool(tokens) and tokens[-1] == EOS
        generated = len(tokens) - n_prefix  # what the score sums over (end token included)
        # CTranslate2 reports sum(log p of generated tokens) / len(all tokens) ** length_penalty.
        raw = float(output.scores[rank]) * (len(tokens) ** self.decoding.length_penalty)
        score = min(raw / generated, 0.0) if generated > 0 else 0.0
        body = tokens[n_prefix : len(tokens) - 1 if ended else len(tokens)]
        if attention is None:  # not asked for: no alignment (None, not "aligned to nothing")
            return Hypothesis(
                text=plain_text(body), score=score, alignment=None, truncated=not ended
            )
        text, spans = detokenize(body)
        target_spans: list[tuple[int, int] | None] = [None] * n_prefix + spans + [None] * ended
        aligned = alignment.align_from_attention(
            attention[rank] if attention else [],
            target_spans=target_spans,
            source_spans=encoded.spans,
        )
        return Hypothesis(text=text, score=score, alignment=aligned, truncated=not ended)

    def _pair_tokens(self, leg: _Leg) -> PairTokens:
        marian = self._marian_token(leg.model, leg.target) if leg.model.family == "marian" else None
        return pair_tokens(
            leg.model.family, source=leg.source, target=leg.target, marian_token=marian
        )

    def _max_positions(self, model: RegisteredModel) -> int:
        """Size of the model's position table (from its manifest), else CTranslate2's default."""
        manifest = self._manifest(model)
        positions = manifest.max_positions if manifest else None
        return positions or DEFAULT_MAX_POSITIONS

    def _random_weights(self, model: RegisteredModel) -> bool:
        """A test model (its manifest says so): its output is meaningless."""
        manifest = self._manifest(model)
        return manifest is not None and manifest.random_weights

    def _context_separator(self, model: RegisteredModel) -> str | None:
        """The token the model was trained with between context and sentence (its manifest)."""
        manifest = self._manifest(model)
        return manifest.context_separator if manifest else None

    def _decoding_for(self, leg: _Leg) -> Decoding:
        """The decoding actually used: no document context for a model not trained with it."""
        if self.decoding.context_sentences and self._context_separator(leg.model) is None:
            return replace(self.decoding, context_sentences=0)
        return self.decoding

    def _marian_token(self, model: RegisteredModel, target: Lang) -> str | None:
        """The ``>>id<<`` target token of a multi-target OPUS-MT model: manifest, then catalogue."""
        manifest = self._manifest(model)
        if manifest is not None:
            return manifest.target_tokens.get(target)
        known = KNOWN_MODELS.get(model.name)
        return known.target_tokens.get(target) if known is not None else None

    def _manifest(self, model: RegisteredModel) -> ModelManifest | None:
        """The model directory's ``warta-model.json`` (None without one), read once."""
        with self._lock:
            if model.path not in self._manifests:
                self._manifests[model.path] = read_manifest(Path(model.path))
            return self._manifests[model.path]

    # -- loading -----------------------------------------------------------------------------

    def _translator(self, model: RegisteredModel) -> Any:
        with self._lock:
            translator = self._translators.get(model.path)
            if translator is None:
                validate_model_dir(Path(model.path), family=model.family)
                try:
                    translator = ctranslate2.Translator(
                        model.path,
                        device=self.device,
                        compute_type=self.compute_type,
                        inter_threads=self._inter_threads,
                        intra_threads=self._intra_threads,
                        # translate posts every batch of a call at once and returns (it reads
                        # the results as they come): a bounded queue would block the post.
                        max_queued_batches=-1,
                    )
                except (RuntimeError, ValueError, OSError) as err:
                    raise EngineError(
                        f"cannot load the CTranslate2 model {model.name} from {model.path}: {err}",
                        hint="re-convert it with this CTranslate2 version (`warta models pull "
                        "NAME --force`), or use another device/compute type",
                        model=model.name,
                        path=model.path,
                        device=self.device,
                        compute_type=self.compute_type,
                    ) from err
                self._translators[model.path] = translator
            return translator

    def _tokenizer(self, model: RegisteredModel, *, side: str) -> spm.SentencePieceProcessor:
        path = str(Path(model.path) / spm_file(model.family, side=side))
        with self._lock:
            processor = self._tokenizers.get(path)
            if processor is None:
                processor = spm.SentencePieceProcessor()
                try:
                    processor.load(path)
                except (OSError, RuntimeError) as err:
                    raise EngineError(
                        f"cannot load the tokenizer {path}: {err}",
                        hint="copy the file again from the model's Hugging Face repository",
                        model=model.name,
                        path=path,
                    ) from err
                self._tokenizers[path] = processor
            return processor


def _encode(processor: spm.SentencePieceProcessor, text: str, tokens: PairTokens) -> _Encoded:
    pieces, spans = _pieces_with_spans(processor, text)
    return _Encoded(
        tokens=[*tokens.source_prefix, *pieces, *tokens.source_suffix],
        spans=[None] * len(tokens.source_prefix) + spans + [None] * len(tokens.source_suffix),
    )


def plain_text(pieces: list[str]) -> str:
    """``detokenize(pieces)[0]`` without the spans, and fast where no piece can be special.

    Special pieces (``</s>``, ``<unk>``, byte pieces ``<0x..>``, language tags such as
    ``>>fra<<``, ``__en__``, ``<2fr>``, ``fra_Latn``) all contain ``<``, ``>`` or ``_``: where
    the pieces hold none of these, the text is the pieces joined, ``▁`` as spaces, stripped.
    """
    joined = "".join(pieces)
    if "<" in joined or ">" in joined or "_" in joined:
        return detokenize(pieces)[0]
    return joined.replace("\u2581", " ").strip()


def _with_context(
    encoded: _Encoded, context: list[str], *, separator: str, n_prefix: int, limit: int
) -> _Encoded:
    """``encoded`` with the previous sentence's pieces and the separator before its own.

    Context tokens have no span: alignment never points into them. The context is shortened
    from its start when the whole would not fit the model's position table, and dropped when
    the sentence alone fills it.
    """
    room = limit - len(encoded.tokens) - 1
    if room <= 0:
        return encoded
    context = context[-room:]
    added = [*context, separator]
    return _Encoded(
        tokens=[*encoded.tokens[:n_prefix], *added, *encoded.tokens[n_prefix:]],
        spans=[*encoded.spans[:n_prefix], *([None] * len(added)), *encoded.spans[n_prefix:]],
    )


def _pieces_with_spans(
    processor: spm.SentencePieceProcessor, text: str
) -> tuple[list[str], list[tuple[int, int] | None]]:
    """SentencePiece pieces of ``text`` and the character span each covers (visible part only)."""
    mapping = processor.encode(text, return_type="offset_mapping")
    pieces = [str(p) for p in mapping["pieces"]]
    offsets = [(int(s), int(e)) for s, e in mapping["offsets"]]
    spans: list[tuple[int, int] | None] = []
    for start, end in offsets:
        while start < end and text[start].isspace():
            start += 1
        spans.append((start, end) if start < end else None)
    return pieces, spans


def _chain(first: Hypothesis, second: Hypothesis) -> Hypothesis:
    """A pivot result: the second leg's text; scores add (log-probabilities of both legs)."""
    if not first.text:
        return first
    score = None if first.score is None or second.score is None else first.score + second.score
    composed = (
        alignment.compose(first.alignment, second.alignment)
        if first.alignment is not None and second.alignment is not None
        else None
    )
    return Hypothesis(
        text=second.text,
        score=score,
        alignment=composed,
        truncated=first.truncated or second.truncated,
    )


def _no_model(source: Lang, target: Lang, *, route: tuple[Lang, Lang] | None) -> ModelNotFoundError:
    known = models_for(source, target)
    via = f" (needed to pivot {route[0]}→en→{route[1]})" if route else ""
    pull = f"`warta models pull {known[0]}`" if known else "`warta models pull NAME`"
    return ModelNotFoundError(
        f"no model registered for {source.english_name}→{target.english_name} "
        f"({source}→{target}){via}",
        hint=f"download one with {pull} and register it with "
        f"`warta models add PATH --source {source} --target {target}`"
        + (f"; models that serve this pair: {', '.join(known)}" if known else ""),
        source=source.value,
        target=target.value,
        route="pivot" if route else "direct",
    )
