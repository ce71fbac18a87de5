"""Routing: one :class:`~warta.engines.base.Engine` that sends each site's segments to the engine
configured for that site and language, and down its fallback chain when that engine cannot.

Per site (read from each text's segment group) and target language the route gives a chain of
engine names (:func:`warta.engines.setup.route_for`; no route: the local CTranslate2 models).
Segments go to the first engine of the chain; an engine is passed over, for the segments it did
not produce, when it

* is disabled (a bad key disables it for good, with the reason, through the ledger: not retried),
* does not support the language pair,
* would go over its monthly cap for the site (checked *before* the call),
* fails (unavailable after its own retries, timed out, rate limited, a malformed answer),
* answers a segment empty, untranslated or in the wrong language (the quality gate, per segment).

Every hypothesis that comes back says what produced it (:class:`Produced`), so provenance is
taken after the call; a segment no engine could produce comes back :class:`Withheld` with the
reasons naming the engines, and ``hold`` when only caps stood in the way (the edition then waits,
pending, instead of failing). The output of the last engine tried is kept even if the gate doubts
it (quality estimation flags it for review): a gate never leaves an article untranslated.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from warta import errors
from warta.engines.base import (
    Engine,
    EngineInfo,
    EngineUsage,
    Hypothesis,
    SegmentGroup,
    UsageCallback,
)
from warta.engines.setup import DEFAULT_ENGINE, EngineConfig, RouteConfig, route_for
from warta.errors import ConfigError, EngineError, ModelNotFoundError
from warta.languages import SOURCE_LANG, Lang
from warta.quality import checks
from warta.text.tags import TAG

log = logging.getLogger(__name__)

# Quality reasons for which the next engine of the chain translates the segment again.
FALLBACK_REASONS: frozenset[str] = frozenset(
    {"empty", "untranslated", "wrong_language", "wrong_script"}
)


@dataclass(frozen=True, slots=True)
class Produced(Hypothesis):
    """A hypothesis and the engine (name, models, decoding) that produced it."""

    producer: EngineInfo | None = None
    fallback_note: str = ""  # why earlier engines of the chain did not produce it ("" if none)


@dataclass(frozen=True, slots=True)
class Withheld(Hypothesis):
    """No engine of the chain produced this segment; ``reason`` names each engine's problem.

    ``hold``: only monthly caps (or a missing model) stood in the way: the edition waits,
    pending with the reason, instead of failing.
    """

    reason: str = ""
    hold: bool = False


class Ledger(Protocol):
    """Where the router records usage and disabled engines (:class:`warta.store.engines.
    EngineStore`)."""

    def record_usage(
        self,
        *,
        engine: str,
        site: str | None,
        characters: int = 0,
        input_tokens: int = 0,
        output_tokens: int = 0,
        requests: int = 0,
        errors: int = 0,
    ) -> None: ...

    def month_characters(self, *, engine: str, site: str | None) -> int: ...

    def disable(self, name: str, *, reason: str) -> EngineConfig: ...


Gate = Callable[[str, str, Lang], str | None]


def default_gate(source: str, target: str, lang: Lang) -> str | None:
    """The first fallback reason the quality checks find in one segment, or None."""
    found = checks.check_truncation(source, target, target=lang, truncated=False)
    if source.strip() and target.strip():
        found += checks.check_untranslated(source, target, target=lang)
        found += checks.check_language(source, target, target=lang)
    for issue in found:
        if issue.code in FALLBACK_REASONS:
            return issue.code
    return None


def site_of(group: SegmentGroup) -> str | None:
    """The site slug of a segment group (None: no site known)."""
    return group.site or None


@dataclass
class _Pending:
    """Segments of one site still looking for an engine."""

    indices: list[int]
    notes: list[str] = field(default_factory=list)
    holds_only: bool = True
    passed: list[str] = field(default_factory=list)


class Router:
    """:class:`~warta.engines.base.Engine` over configured engines, per site and language.

    ``default``: the local CTranslate2 engine (``"ctranslate2"`` in routes, and where no route
    applies). ``build``: makes the engine of a configuration (called once per name, lazily),
    given the callback through which it reports each request's usage (characters, tokens).
    ``ledger``: usage, caps and disabling (None: nothing recorded, no caps).
    """

    name = "router"

    def __init__(
        self,
        *,
        default: Engine,
        configs: Sequence[EngineConfig],
        routes: Sequence[RouteConfig],
        build: Callable[[EngineConfig, UsageCallback], Engine],
        ledger: Ledger | None = None,
        gate: Gate | None = default_gate,
    ) -> None:
        self._default = default
        self._configs = {c.name: c for c in configs}
        self._routes = tuple(routes)
        self._build = build
        self._ledger = ledger
        self._gate = gate
        self._lock = threading.Lock()
        self._engines: dict[str, Engine] = {}
        self._disabled: dict[str, str] = {
            c.name: c.disabled_reason or "disabled" for c in configs if c.disabled
        }
        self._usage: dict[str, list[EngineUsage]] = {}  # per engine, during its current call
        self._limits: dict[str, threading.BoundedSemaphore] = {
            c.name: threading.BoundedSemaphore(c.concurrency) for c in configs
        }

    def close(self) -> None:
        """Close the clients this router built (their HTTP connections); not the local engine."""
        with self._lock:
            built, self._engines = self._engines, {}
        for engine in built.values():
            close = getattr(engine, "close", None)
            if engine is not self._default and callable(close):
                close()

    @property
    def routes(self) -> tuple[RouteConfig, ...]:
        return self._routes

    def chain(self, *, site: str | None, target: Lang) -> tuple[str, ...]:
        route = route_for(self._routes, site=site, lang=target)
        return route.chain if route is not None else (DEFAULT_ENGINE,)

    # --- Engine protocol -------------------------------------------------------------------------

    def supports(self, *, source: Lang, target: Lang) -> bool:
        chains = {self.chain(site=None, target=target)}
        chains |= {r.chain for r in self._routes if r.lang is target}
        return any(self._usable(name, source=source, target=target) for c in chains for name in c)

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        return self.describe_for(site=None, source=source, target=target)

    def describe_for(self, *, site: str | None, source: Lang, target: Lang) -> EngineInfo:
        """What the site's route would use first (the memory key in force for its sentences)."""
        chain = self.chain(site=site, target=target)
        for name in chain:
            if self._usable(name, source=source, target=target):
                return self._info(name, source=source, target=target)
        raise ModelNotFoundError(
            f"no usable engine for Indonesian→{target.english_name} on the route "
            f"{' → '.join(chain)}" + (f" of site {site}" if site else ""),
            hint="enable an engine (`warta engines enable NAME`) or change the route "
            "(`warta routes set`)",
            target=target.value,
        )

    def markup_for(self, *, site: str | None, target: Lang) -> str:
        """ "tags" when an engine of the site's route keeps tags itself (the pipeline then sends
        tagged text; the router strips the tags for engines that align instead)."""
        for name in self.chain(site=site, target=target):
            usable = self._usable(name, source=SOURCE_LANG, target=target)
            if usable and self._info(name, source=SOURCE_LANG, target=target).markup == "tags":
                return "tags"
        return "alignment"

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,
    ) -> list[Hypothesis]:
        if groups is not None and len(groups) != len(texts):
            raise ValueError(f"{len(groups)} groups for {len(texts)} texts")
        by_site: dict[str | None, list[int]] = {}
        for i in range(len(texts)):
            by_site.setdefault(None if groups is None else site_of(groups[i]), []).append(i)
        results: list[Hypothesis | None] = [None] * len(texts)
        for site, indices in by_site.items():
            tagged = self.markup_for(site=site, target=target) == "tags"
            call = _Call(
                texts=texts, contexts=contexts, groups=groups, source=source, tagged=tagged
            )
            self._route(call, site=site, target=target, indices=indices, results=results)
        return [h if h is not None else Withheld(text="", reason="not routed") for h in results]

    # --- routing ---------------------------------------------------------------------------------

    def _route(
        self,
        call: _Call,
        *,
        site: str | None,
        target: Lang,
        indices: list[int],
        results: list[Hypothesis | None],
    ) -> None:
        pending = _Pending(indices=list(indices))
        doubted: dict[int, Produced] = {}  # the first answer the gate doubted, kept if no better
        chain = self.chain(site=site, target=target)
        for position, name in enumerate(chain):
            if not pending.indices:
                break
            last = position == len(chain) - 1
            skip = self._skip_reason(name, call=call, site=site, target=target, pending=pending)
            if skip is not None:
                pending.notes.append(skip[0])
                pending.holds_only &= skip[1]
                pending.passed.append(name)
                continue
            try:
                answered = self._call(name, call, indices=pending.indices, target=target)
            except Exception as exc:  # noqa: BLE001 -- every engine failure goes down the chain
                self._reported(name)  # what a failed call consumed is not billed as output
                pending.notes.append(self._failed(name, exc, site=site))
                pending.holds_only = False
                pending.passed.append(name)
                continue
            self._record(
                name,
                site=site,
                texts=[call.texts[i] for i in pending.indices],
                reported=self._reported(name),
            )
            info = self._info(name, source=call.source, target=target)
            still: list[int] = []
            for i, hypothesis in zip(pending.indices, answered, strict=True):
                produced = _produced(hypothesis, info=info, notes=pending.notes)
                reason = (
                    None
                    if self._gate is None
                    else self._gate(call.texts[i], hypothesis.text, target)
                )
                if reason is None or last:
                    results[i] = doubted.get(i, produced) if reason is not None else produced
                    continue
                doubted.setdefault(i, produced)
                still.append(i)
            if still:
                pending.notes.append(f"{name} answered {len(still)} segment(s) badly")
                pending.holds_only = False
                pending.passed.append(name)
            pending.indices = still
        for i in pending.indices:
            results[i] = doubted.get(i) or Withheld(
                text="", reason="; ".join(pending.notes), hold=pending.holds_only
            )

    def _skip_reason(
        self, name: str, *, call: _Call, site: str | None, target: Lang, pending: _Pending
    ) -> tuple[str, bool] | None:
        """Why ``name`` is passed over before any call (and whether it is a cap), or None."""
        if name in self._disabled:
            return f"engine {name} is disabled: {self._disabled[name]}", False
        config = self._configs.get(name)
        if config is None and name != DEFAULT_ENGINE:
            return f"engine {name} is not configured", False
        try:
            engine = self._engine(name)
        except (ConfigError, errors.EngineAuthError) as exc:  # e.g. its key is not set
            self._disable(name, reason=exc.message)
            return f"engine {name} is disabled: {exc.message}", False
        if not engine.supports(source=call.source, target=target):
            # Waiting for a model is not a failure (as without routes: pending, with the reason).
            return f"engine {name} has no model for {call.source.value}→{target.value}", True
        cap = config.monthly_cap_chars if config is not None else None
        if cap is not None and self._ledger is not None:
            used = self._ledger.month_characters(engine=name, site=site)
            wanted = sum(len(call.texts[i]) for i in pending.indices)
            if used + wanted > cap:
                return f"over the monthly cap of {name}", True
        return None

    def _info(self, name: str, *, source: Lang, target: Lang) -> EngineInfo:
        """The engine's own description, under its configured name (what provenance shows)."""
        info = self._engine(name).describe(source=source, target=target)
        return info if info.engine == name else replace(info, engine=name)

    def _usable(self, name: str, *, source: Lang, target: Lang) -> bool:
        if name in self._disabled or (name not in self._configs and name != DEFAULT_ENGINE):
            return False
        try:
            return self._engine(name).supports(source=source, target=target)
        except (ConfigError, errors.EngineAuthError):
            return False

    def _engine(self, name: str) -> Engine:
        with self._lock:
            engine = self._engines.get(name)
            if engine is None:
                config = self._configs.get(name)
                if config is None or config.kind == "ctranslate2":
                    engine = self._default
                else:
                    engine = self._build(config, self._collector(name))
                self._engines[name] = engine
            return engine

    def _collector(self, name: str) -> UsageCallback:
        def collect(usage: EngineUsage) -> None:
            with self._lock:
                self._usage.setdefault(name, []).append(usage)

        return collect

    def _reported(self, name: str) -> list[EngineUsage]:
        with self._lock:
            return self._usage.pop(name, [])

    def _call(
        self, name: str, call: _Call, *, indices: Sequence[int], target: Lang
    ) -> list[Hypothesis]:
        engine = self._engine(name)
        texts = [call.texts[i] for i in indices]
        if call.tagged and self._info(name, source=call.source, target=target).markup != "tags":
            texts = [untag(t) for t in texts]  # an aligning engine gets the plain model text
        kwargs: dict[str, Any] = {"source": call.source, "target": target}
        accepted = _parameters(engine)
        if call.contexts is not None and "contexts" in accepted:
            kwargs["contexts"] = [call.contexts[i] for i in indices]
        if call.groups is not None and "groups" in accepted:
            kwargs["groups"] = [call.groups[i] for i in indices]
        limit = self._limits.get(name)
        if limit is not None:
            with limit:
                answered = engine.translate(texts, **kwargs)
        else:
            answered = engine.translate(texts, **kwargs)
        if len(answered) != len(indices):
            raise EngineError(
                f"engine {name} returned {len(answered)} translations for {len(indices)} segments",
                hint="the engine's answer was not aligned; the fallback translated them",
                engine=name,
            )
        return list(answered)

    def _failed(self, name: str, exc: Exception, *, site: str | None) -> str:
        message = exc.message if isinstance(exc, errors.WartaError) else str(exc)
        if _is_auth(exc):
            self._disable(name, reason=message)
            return f"engine {name} is disabled: {message}"
        log.warning("engine %s failed (%s): %s", name, type(exc).__name__, message)
        if self._ledger is not None:
            self._ledger.record_usage(engine=name, site=site, errors=1)
        return f"engine {name} failed: {message}"

    def _disable(self, name: str, *, reason: str) -> None:
        log.error("engine %s disabled: %s", name, reason)
        self._disabled[name] = reason
        if self._ledger is not None and name in self._configs:
            # An engine of the settings file is not in the database: disabled here only.
            with contextlib.suppress(errors.NotFoundError):
                self._ledger.disable(name, reason=reason)

    def _record(
        self, name: str, *, site: str | None, texts: Sequence[str], reported: list[EngineUsage]
    ) -> None:
        """Usage of one successful call: what the engine reported per request, or (engines
        that report nothing: the local models) the characters sent in one request."""
        if self._ledger is None:
            return
        if reported:
            self._ledger.record_usage(
                engine=name,
                site=site,
                characters=sum(u.characters for u in reported),
                input_tokens=sum(u.input_tokens for u in reported),
                output_tokens=sum(u.output_tokens for u in reported),
                requests=len(reported),
            )
        else:
            self._ledger.record_usage(
                engine=name, site=site, characters=sum(len(t) for t in texts), requests=1
            )


@dataclass(frozen=True, slots=True)
class _Call:
    texts: Sequence[str]
    contexts: Sequence[str | None] | None
    groups: Sequence[SegmentGroup] | None
    source: Lang
    tagged: bool = False  # the texts carry numbered tags (warta.text.tags)


def _produced(hypothesis: Hypothesis, *, info: EngineInfo, notes: Sequence[str]) -> Produced:
    if isinstance(hypothesis, Produced) and hypothesis.producer is not None:
        return hypothesis
    return Produced(
        text=hypothesis.text,
        score=hypothesis.score,
        alignment=hypothesis.alignment,
        truncated=hypothesis.truncated,
        alternatives=hypothesis.alternatives,
        producer=info,
        fallback_note=f"translated by {info.engine} ({'; '.join(notes)})" if notes else "",
    )


def untag(tagged: str) -> str:
    """The model text of a tagged text (:func:`warta.text.tags.to_tagged` undone)."""
    return html.unescape(TAG.sub("", tagged))


def _parameters(engine: Engine) -> Mapping[str, object]:
    try:
        return inspect.signature(engine.translate).parameters
    except (TypeError, ValueError):
        return {}


def _is_auth(exc: Exception) -> bool:
    """A refused or missing key (HTTP 401/403): the engine is disabled, never retried."""
    return isinstance(exc, errors.EngineAuthError)
