"""A deterministic stand-in engine for pipeline tests (like httpx's ``MockTransport``).

It does not translate: it returns the input unchanged behind a visible marker,
``"[fake:en] " + text``, so its output can never be mistaken for a translation, with an identity
alignment (every whitespace-separated word maps to itself). Nothing selects it implicitly: it is
used only where a test constructs it (or names the "fake" engine explicitly).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence

from warta.domain import ModelProvenance
from warta.engines.base import AlignedToken, Decoding, EngineInfo, Hypothesis, SegmentGroup
from warta.errors import EngineError, ModelNotFoundError
from warta.languages import TARGET_LANGS, Lang

_WORD = re.compile(r"\S+")
FAKE_CHECKSUM = (
    "sha256:" + hashlib.sha256(b"warta fake engine: identity, not a translation").hexdigest()
)


def marker(target: Lang) -> str:
    """The prefix put in front of every fake output."""
    return f"[fake:{target.value}] "


class FakeEngine:
    """:class:`~warta.engines.base.Engine` that echoes its input, marked.

    ``pairs``: what it claims to support (default: Indonesian into every edition).
    ``fail_targets``: targets for which ``translate`` raises EngineError (to test failure paths).
    ``calls`` records every ``translate`` call as ``(source, target, texts)``, ``contexts``
    the document context and ``groups`` the segment groups each call was given (None when none
    was passed).
    """

    name = "fake"

    def __init__(
        self,
        *,
        pairs: Iterable[tuple[Lang, Lang]] | None = None,
        decoding: Decoding | None = None,
        fail_targets: Collection[Lang] = (),
    ) -> None:
        default = ((Lang.ID, target) for target in TARGET_LANGS)
        self.pairs = frozenset(pairs if pairs is not None else default)
        self.decoding = decoding or Decoding()
        self.fail_targets = frozenset(fail_targets)
        self.calls: list[tuple[Lang, Lang, tuple[str, ...]]] = []
        self.contexts: list[tuple[str | None, ...] | None] = []  # per call, what it was given
        self.groups: list[tuple[SegmentGroup, ...] | None] = []  # per call, what it was given

    def supports(self, *, source: Lang, target: Lang) -> bool:
        return (source, target) in self.pairs

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        self._check(source, target)
        return EngineInfo(
            engine=self.name,
            models=(
                ModelProvenance(
                    name="fake-identity", checksum=FAKE_CHECKSUM, source=source, target=target
                ),
            ),
            decoding=self.decoding,
            device="cpu",
            compute_type="none",
        )

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,
    ) -> list[Hypothesis]:
        self._check(source, target)
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError(f"{len(contexts)} contexts for {len(texts)} texts")
        self.calls.append((source, target, tuple(texts)))
        self.contexts.append(None if contexts is None else tuple(contexts))
        self.groups.append(None if groups is None else tuple(groups))
        if target in self.fail_targets:
            raise EngineError(
                f"the fake engine was told to fail for {target}",
                hint="construct FakeEngine without fail_targets",
                source=source.value,
                target=target.value,
            )
        return [self._echo(text, target) for text in texts]

    def _check(self, source: Lang, target: Lang) -> None:
        if not self.supports(source=source, target=target):
            raise ModelNotFoundError(
                f"the fake engine has no model for {source}→{target}",
                hint="pass the pair in FakeEngine(pairs=...)",
                source=source.value,
                target=target.value,
            )

    @staticmethod
    def _echo(text: str, target: Lang) -> Hypothesis:
        if not text.strip():
            return Hypothesis(text="", score=0.0, alignment=(), truncated=False)
        shift = len(marker(target))
        aligned = tuple(
            AlignedToken(m.start() + shift, m.end() + shift, m.start(), m.end())
            for m in _WORD.finditer(text)
        )
        return Hypothesis(text=marker(target) + text, score=0.0, alignment=aligned, truncated=False)
