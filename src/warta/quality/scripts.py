"""Which writing system a text is in, and which Latin-script language (lingua, built lazily)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from warta.languages import Lang

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["LanguageIdentifier", "ScriptProfile", "profile", "words"]


@dataclass(frozen=True, slots=True)
class ScriptProfile:
    """Letters of a text counted by script (digits, punctuation and symbols are not letters)."""

    latin: int = 0
    han: int = 0
    kana: int = 0
    arabic: int = 0
    hangul: int = 0
    other: int = 0

    @property
    def letters(self) -> int:
        return self.latin + self.han + self.kana + self.arabic + self.hangul + self.other


def _script_of(char: str) -> str:
    code = ord(char)
    if code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A:
        return "latin"
    if (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or code == 0x3005
    ):
        return "han"  # 々 (U+3005) repeats a kanji
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "kana"
    if (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFEFF
    ):
        return "arabic"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    return "other"


def profile(text: str, *, ignore: Iterable[str] = ()) -> ScriptProfile:
    """Count the letters of ``text`` by script, leaving out the words in ``ignore``.

    ``ignore`` is how names copied from the source ("(Dilokrit Pattavee)" in a Chinese
    sentence) are kept from counting as Latin text.
    """
    skip = {w.casefold() for w in ignore}
    counts = dict.fromkeys(("latin", "han", "kana", "arabic", "hangul", "other"), 0)
    for token in re.findall(r"[^\W\d_]+", text):
        if token.casefold() in skip:
            continue
        for char in token:
            if char == "ー" or char == "・":  # prolonged sound mark and middle dot: kana
                counts["kana"] += 1
            elif char.isalpha():
                counts[_script_of(char)] += 1
    return ScriptProfile(**counts)


def words(text: str) -> list[str]:
    """Runs of letters (Latin words, or a whole run of CJK characters)."""
    return re.findall(r"[^\W\d_]+", text)


# lingua's names for the languages the Latin-script check tells apart: the two Latin-script
# targets, Indonesian and Malay (untranslated text), and the languages NMT models most often
# drift into.
_LINGUA_NAMES: Mapping[str, str] = {
    "ENGLISH": "en",
    "FRENCH": "fr",
    "INDONESIAN": "id",
    "MALAY": "ms",
    "GERMAN": "de",
    "SPANISH": "es",
    "PORTUGUESE": "pt",
    "ITALIAN": "it",
    "DUTCH": "nl",
}


_RECENT = 64  # texts whose confidences LanguageIdentifier keeps


class LanguageIdentifier:
    """Identify the language of Latin-script text with lingua, restricted to a few languages.

    The detector (about a second to load its models) is built on first use and kept by this
    object; build one identifier per process and pass it down. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._detector: LanguageDetector | None = None
        # Checks of one segment often ask about the same text twice (untranslated, then wrong
        # language): the answers of the last few texts are kept.
        self._recent: OrderedDict[str, Mapping[str, float]] = OrderedDict()

    def _get(self) -> LanguageDetector:
        with self._lock:
            if self._detector is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [getattr(Language, name) for name in _LINGUA_NAMES]
                self._detector = LanguageDetectorBuilder.from_languages(*languages).build()
            return self._detector

    def confidences(self, text: str) -> Mapping[str, float]:
        """ISO code -> confidence in [0, 1] (they sum to 1), for the restricted set of languages."""
        with self._lock:
            known = self._recent.get(text)
        if known is not None:
            return known
        values = self._get().compute_language_confidence_values(text)
        found = MappingProxyType({_LINGUA_NAMES[v.language.name]: v.value for v in values})
        with self._lock:
            self._recent[text] = found
            while len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return found

    def is_target(self, text: str, lang: Lang) -> tuple[bool, str, float]:
        """(whether ``lang`` is the most likely language, the most likely code, its confidence)."""
        conf = self.confidences(text)
        best = max(conf, key=lambda code: conf[code]) if conf else lang.value
        return best == lang.value, best, conf.get(best, 0.0)
