"""Is this text Indonesian? Language identification with lingua, for the validator.

Policy (decided on the whole plain text of title, lead and body):

- Texts with fewer than :data:`MIN_CHARS` non-space characters are not checked: no detector is
  reliable on a few words, and a short headline must not be refused by chance.
- lingua compares the text against a fixed set of languages (:data:`CANDIDATES`: Indonesian, its
  close neighbour Malay, the portal's target languages and the languages news in Indonesia is
  most often syndicated from). Javanese and Sundanese are not among lingua's 75 languages, so an
  article in a regional language usually reads as Indonesian or Malay and passes.
- The text passes when the most likely language is Indonesian or Malay and the two together
  reach ``min_confidence`` (lingua's confidences over the candidate set add up to 1). On a whole
  article lingua's confidences are close to 0 or 1, so a mixed-language article is judged by its
  majority language and ``min_confidence`` mostly matters for short texts.
- When Malay comes out on top, the text passes only if Indonesian is close, because lingua cannot
  reliably tell the two apart on little text: on the FLORES-101 dev set, 16% of single Indonesian
  sentences and 10% of three-sentence passages score as Malay, some with an Indonesian confidence
  of 0. "Close" is decided by a sentence vote: with fewer than :data:`MIN_VOTES` sentences the
  text passes (too little to tell); otherwise at least a quarter of the sentences that read as
  Indonesian or Malay must read as Indonesian. Real Malaysian Malay prose scores Malay on every
  sentence and is refused; almost every Indonesian passage of three or more sentences passes
  (measured on FLORES: 2 of 332 three-sentence passages refused, 1 of 124 eight-sentence ones;
  all 60 IndoSum articles score Indonesian outright).

The detector is built once per :class:`IndonesianCheck`, when first needed; its first use loads
the high-accuracy models of the candidate languages (measured: about 230 MB of memory and 4 s on
the 2-core development machine). Long-running processes can pay that at start-up with
:meth:`IndonesianCheck.warm_up`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from warta.errors import NotIndonesianError

MIN_CHARS = 20
MIN_VOTES = 3
MALAY_SHARE = 0.25  # share of Indonesian votes among Indonesian + Malay votes that counts as close

# ISO 639-1 codes, the names of lingua's Language members are looked up from them.
CANDIDATES: tuple[str, ...] = (
    "id", "ms", "en", "fr", "ar", "zh", "ja", "ko", "nl", "es", "de", "pt", "it", "tl", "vi",
)  # fmt: skip

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the check decided and why (for logs and tests)."""

    accepted: bool
    language: str  # ISO 639-1 code of the most likely language, "" when not checked
    confidence: float  # Indonesian (+ Malay) confidence, or the top language's when refused
    reason: str


class IndonesianCheck:
    """Decides whether a text is Indonesian enough to translate (see the module docstring)."""

    def __init__(self, *, min_confidence: float) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be within [0, 1], got {min_confidence}")
        self._min_confidence = min_confidence
        self._detector: LanguageDetector | None = None
        self._lock = threading.Lock()

    @property
    def min_confidence(self) -> float:
        return self._min_confidence

    def warm_up(self) -> None:
        """Build the detector and load its models now rather than on the first check."""
        self.judge("Presiden meresmikan jembatan baru di Jakarta pada hari Senin.")

    def check(self, text: str) -> Verdict:
        """Return the verdict; raise :class:`NotIndonesianError` when ``text`` is refused."""
        verdict = self.judge(text)
        if not verdict.accepted:
            raise NotIndonesianError(
                verdict.reason,
                detected=verdict.language,
                confidence=round(verdict.confidence, 3),
            )
        return verdict

    def judge(self, text: str) -> Verdict:
        """The verdict on ``text`` without raising."""
        if len("".join(text.split())) < MIN_CHARS:
            return Verdict(True, "", 0.0, "too short to identify its language; not checked")
        detector = self._get_detector()
        values = {c.language: c.value for c in detector.compute_language_confidence_values(text)}
        top = max(values, key=lambda lang: values[lang])
        indonesian = values.get(Language.INDONESIAN, 0.0)
        malay = values.get(Language.MALAY, 0.0)
        if top not in (Language.INDONESIAN, Language.MALAY):
            return self._refused(top, values[top], indonesian + malay)
        if indonesian + malay < self._min_confidence:
            others = {
                lang: v
                for lang, v in values.items()
                if lang not in (Language.INDONESIAN, Language.MALAY)
            }
            runner_up = max(others, key=lambda lang: others[lang])
            return Verdict(
                False,
                _code(runner_up),
                others[runner_up],
                f"the article is not clearly Indonesian (Indonesian/Malay confidence "
                f"{indonesian + malay:.2f}, {self._min_confidence:.2f} needed; next most likely "
                f"{runner_up.name.capitalize()}, {others[runner_up]:.2f})",
            )
        if top == Language.INDONESIAN:
            return Verdict(True, "id", indonesian + malay, "Indonesian")
        return self._malay_on_top(text, detector, indonesian + malay)

    def _malay_on_top(self, text: str, detector: LanguageDetector, confidence: float) -> Verdict:
        sentences = [s for s in _SENTENCE_END.split(text) if len(s.strip()) >= MIN_CHARS]
        found = detector.detect_languages_in_parallel_of(sentences) if sentences else []
        ind = sum(1 for lang in found if lang == Language.INDONESIAN)
        msa = sum(1 for lang in found if lang == Language.MALAY)
        if ind + msa < MIN_VOTES:
            return Verdict(True, "ms", confidence, "Malay or Indonesian; too short to tell apart")
        if ind >= MALAY_SHARE * (ind + msa):
            return Verdict(
                True, "ms", confidence, f"Malay-like but {ind} of {ind + msa} sentences Indonesian"
            )
        return Verdict(
            False,
            "ms",
            confidence,
            f"the article reads as Malay, not Indonesian ({msa} of {ind + msa} sentences Malay)",
        )

    def _refused(self, language: Language, confidence: float, indonesian: float) -> Verdict:
        name = language.name.capitalize()
        return Verdict(
            False,
            _code(language),
            confidence,
            f"the article reads as {name} (confidence {confidence:.2f}), not Indonesian "
            f"(Indonesian/Malay confidence {indonesian:.2f}, {self._min_confidence:.2f} needed)",
        )

    def _get_detector(self) -> LanguageDetector:
        with self._lock:
            if self._detector is None:
                languages = [
                    Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in CANDIDATES
                ]
                self._detector = LanguageDetectorBuilder.from_languages(*languages).build()
            return self._detector


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()
