"""Quality checks on one translated segment: pure functions on plain text, no I/O.

Each check is ``(src, tgt, *, target, ...) -> list[QualityIssue]``: ``src`` is the Indonesian
sentence, ``tgt`` its translation into language ``target``, both plain text (markup removed).
An empty list means the check found nothing to doubt. The thresholds and severities (how much
each issue lowers the score, see :class:`~warta.quality.issues.QualityIssue`) were chosen on the
first half of FLORES-101 dev; ``data/calibration/report.md`` gives recall and precision on the
held-out second half.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from functools import cache

from warta.domain import Glossary
from warta.languages import Lang
from warta.quality import lexicon, numbers
from warta.quality.issues import QualityIssue
from warta.quality.norms import LENGTH_NORMS, LengthNorm
from warta.quality.scripts import LanguageIdentifier, profile, words

__all__ = [
    "DEFAULT_MIN_LOGPROB",
    "check_amounts",
    "check_glossary",
    "check_language",
    "check_length_ratio",
    "check_logprob",
    "check_names",
    "check_negation",
    "check_numbers",
    "check_repetition",
    "check_truncation",
    "check_untranslated",
    "check_urls",
]

DEFAULT_MIN_LOGPROB = -1.5  # mean log-probability per token below which output is doubtful

_LATIN_TARGETS = frozenset({Lang.EN, Lang.FR, Lang.ID})
_CJK = frozenset({Lang.ZH, Lang.JA})


# -- model confidence -----------------------------------------------------------------------


def check_logprob(
    src: str,  # noqa: ARG001 -- every check takes (src, tgt, *, target)
    tgt: str,  # noqa: ARG001
    *,
    target: Lang,  # noqa: ARG001
    logprob: float | None,
    threshold: float = DEFAULT_MIN_LOGPROB,
) -> list[QualityIssue]:
    """The model's length-normalised log-probability is below ``threshold``."""
    if logprob is None or logprob >= threshold:
        return []
    # Half a nat under the threshold is already a strong doubt; one nat under, a certain one.
    severity = min(1.0, 0.5 + (threshold - logprob))
    return [QualityIssue("low_logprob", f"{logprob:.2f}", severity)]


# -- length ---------------------------------------------------------------------------------


def check_length_ratio(
    src: str,
    tgt: str,
    *,
    target: Lang,
    norms: Mapping[Lang, LengthNorm] = LENGTH_NORMS,
    max_z: float = 3.0,
) -> list[QualityIssue]:
    """The character-length ratio is more than ``max_z`` standard deviations from the norm.

    Short sentences vary more, so the allowed spread widens below 40 source characters.
    """
    norm = norms.get(target)
    src, tgt = src.strip(), tgt.strip()
    if norm is None or not src or not tgt:
        return []
    z = norm.z(source_chars=len(src), target_chars=len(tgt))
    z /= max(1.0, (40 / len(src)) ** 0.5)
    if abs(z) <= max_z:
        return []
    severity = min(0.9, 0.3 + 0.15 * (abs(z) - max_z))
    return [QualityIssue("length_ratio", "long" if z > 0 else "short", severity)]


# -- numbers, amounts, URLs -----------------------------------------------------------------


def check_numbers(src: str, tgt: str, *, target: Lang) -> list[QualityIssue]:
    """Numbers written with digits in the source are missing (or changed) in the target.

    Also reports, with a low severity, numbers in the target that the source does not have.
    """
    missing = numbers.missing_numbers(src, tgt, source_lang=Lang.ID, target_lang=target)
    issues = [QualityIssue("number_mismatch", text, 0.6) for text in numbers.distinct(missing)]
    added = numbers.added_numbers(src, tgt, source_lang=Lang.ID, target_lang=target)
    issues += [QualityIssue("number_added", text, 0.2) for text in numbers.distinct(added)]
    return issues


_PERCENT_SOURCE = re.compile(r"%|\bpersen\b", re.IGNORECASE)
_PERCENT_TARGET = re.compile(
    r"[%٪％]|\bper ?cent|pour ?cent|百分|パーセント|المائة|المئة|بالمئة|بالمائة", re.IGNORECASE
)
# Currencies: (source pattern, what a translation may write for it).
_CURRENCIES: Mapping[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "Rp": (
        re.compile(r"\bRp\.?\s?\d|\brupiah\b", re.IGNORECASE),
        re.compile(r"Rp|IDR|rupiah|roupie|印尼盾|卢比|盾|ルピア|روبي", re.IGNORECASE),
    ),
    "$": (
        re.compile(r"\$|\bUSD\b|\bdolar\b", re.IGNORECASE),
        re.compile(r"\$|USD|dollar|美元|美金|ドル|دولار", re.IGNORECASE),
    ),
    "€": (
        re.compile(r"€|\bEUR\b|\beuro\b", re.IGNORECASE),
        re.compile(r"€|EUR|euro|欧元|ユーロ|يورو", re.IGNORECASE),
    ),
}


def check_amounts(
    src: str,
    tgt: str,
    *,
    target: Lang,  # noqa: ARG001 -- every check takes a target
) -> list[QualityIssue]:
    """Percentages and currencies of the source are still percentages and currencies."""
    issues: list[QualityIssue] = []
    if _PERCENT_SOURCE.search(src) and not _PERCENT_TARGET.search(tgt):
        issues.append(QualityIssue("percent_missing", "", 0.4))
    for name, (in_source, in_target) in _CURRENCIES.items():
        if in_source.search(src) and not in_target.search(tgt):
            issues.append(QualityIssue("currency_missing", name, 0.4))
    return issues


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def check_urls(
    src: str,
    tgt: str,
    *,
    target: Lang,  # noqa: ARG001 -- every check takes a target
) -> list[QualityIssue]:
    """URLs and e-mail addresses appear verbatim in the target."""
    issues: list[QualityIssue] = []
    for match in _URL.finditer(src):
        url = match.group(0).rstrip(".,;:!?")
        if url not in tgt:
            issues.append(QualityIssue("url_missing", url, 0.6))
    for match in _EMAIL.finditer(src):
        if match.group(0) not in tgt:
            issues.append(QualityIssue("email_missing", match.group(0), 0.6))
    return issues


# -- terms and names ------------------------------------------------------------------------


def _contains(text: str, term: str, *, case_sensitive: bool) -> bool:
    if not term:
        return True
    flags = 0 if case_sensitive else re.IGNORECASE
    if term[0].isalnum() and term[-1].isalnum() and term.isascii():
        return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, flags) is not None
    return re.search(re.escape(term), text, flags) is not None


def check_glossary(
    src: str, tgt: str, *, target: Lang, glossary: Glossary | None
) -> list[QualityIssue]:
    """Every glossary term in the source is rendered as the glossary says."""
    if glossary is None:
        return []
    issues: list[QualityIssue] = []
    for term in glossary.terms:
        if not _contains(src, term.source, case_sensitive=term.case_sensitive):
            continue
        wanted = term.source if term.do_not_translate else term.translations.get(target)
        if wanted is None:
            continue
        if not _contains(tgt, wanted, case_sensitive=term.case_sensitive):
            issues.append(QualityIssue("glossary_missing", term.source, 0.6))
    return issues


_NAME = re.compile(r"(?<![\w'’])([A-Z][a-zà-ÿ]+(?:[-'][A-Za-z]+)*|[A-Z]{2,}[a-z]?)(?![\w'’])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”«»()\[\]]\s*)$")


def source_names(src: str) -> list[str]:
    """Capitalised Latin words of the source that look like names (not sentence-initial)."""
    found: list[str] = []
    for match in _NAME.finditer(src):
        name = match.group(1)
        if name.casefold() in lexicon.NOT_NAMES or len(name) < 3:
            continue
        if _SENTENCE_START.search(src[: match.start()]) and not name.isupper():
            continue
        found.append(name)
    return list(dict.fromkeys(found))


def _fold(text: str) -> str:
    """Casefolded, accents removed: ``Québec`` -> ``quebec``."""
    if text.isascii():  # nothing to decompose
        return text.casefold()
    return unicodedata.normalize("NFKD", text).translate(_combining_marks()).casefold()


@cache
def _combining_marks() -> dict[int, None]:
    """A ``str.translate`` table that deletes every combining mark (built once, on first use)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def _name_present(name: str, folded_target: str, target_words: Collection[str]) -> bool:
    """Verbatim, or (declined, adapted: Virginia/Virginie, Iran/iranien) the same first letters."""
    folded = _fold(name)
    if folded in folded_target:
        return True
    stem = folded[: max(4, min(5, len(folded) - 2))]
    return any(w.startswith(stem) for w in target_words)


def check_names(src: str, tgt: str, *, target: Lang) -> list[QualityIssue]:
    """Names in the source appear in a Latin-script target.

    Names are translated often enough (``Skuadron`` -> ``Squadron``) that one missing name is
    only a weak doubt; most of them missing is a strong one (the wrong sentence, a hallucination).
    Non-Latin targets transliterate names, so only acronyms (``NBA``, ``UTC``) are looked for,
    and only as a weak doubt.
    """
    names = source_names(src)
    if target not in _LATIN_TARGETS:
        acronyms = [n for n in names if n.isupper()]
        missing = [n for n in acronyms if n not in tgt]
        return [QualityIssue("name_missing", n, 0.1) for n in missing]
    folded = _fold(tgt)
    target_words = set(words(folded))
    missing = [n for n in names if not _name_present(n, folded, target_words)]
    issues = [QualityIssue("name_missing", n, 0.1) for n in missing]
    if len(names) >= 2 and len(missing) / len(names) >= 0.75:
        issues.append(QualityIssue("names_missing", f"{len(missing)}/{len(names)}", 0.55))
    return issues


# -- language, script, untranslated -------------------------------------------------------


def _latin_words(text: str) -> list[str]:
    return [w.casefold() for w in words(text) if w.isascii()]


def check_untranslated(
    src: str, tgt: str, *, target: Lang, identifier: LanguageIdentifier | None = None
) -> list[QualityIssue]:
    """The target is (mostly) a copy of the Indonesian source.

    Either most of its words are source words, or (Latin-script targets, with an identifier)
    it reads as Indonesian or Malay.
    """
    src, tgt = src.strip(), tgt.strip()
    if not tgt:
        return []
    if src == tgt and any(c.isalpha() for c in src):
        return [QualityIssue("untranslated", "", 0.9)]
    source_words = set(_latin_words(src))
    target_words = [w.casefold() for w in words(tgt)]
    if len(target_words) >= 3:
        shared = sum(1 for w in target_words if w in source_words)
        if shared / len(target_words) >= 0.6:
            return [QualityIssue("untranslated", "", 0.9)]
    if identifier is None or target not in _LATIN_TARGETS - {Lang.ID} or len(target_words) < 4:
        return []
    conf = identifier.confidences(tgt)
    if conf.get("id", 0.0) + conf.get("ms", 0.0) >= 0.6:
        return [QualityIssue("untranslated", "", 0.9)]
    return []


def check_language(
    src: str, tgt: str, *, target: Lang, identifier: LanguageIdentifier | None = None
) -> list[QualityIssue]:
    """The target is in the wrong script, or in another language of the right script.

    Latin words that also occur in the source (names: ``迪罗里 (Dilokrit Pattavee)``) are not
    counted. zh must be mostly Han with (almost) no kana; ja mostly kana and kanji, with some
    kana; ar mostly Arabic; en and fr mostly Latin, and identified as themselves by lingua.
    """
    source_words = set(_latin_words(src))
    prof = profile(tgt, ignore=source_words)
    if prof.letters == 0:
        return []
    issues: list[QualityIssue] = []
    if target is Lang.ZH:
        if prof.kana >= 3 and prof.kana > 0.1 * (prof.han + prof.kana):
            issues.append(QualityIssue("wrong_language", "ja", 0.9))
        elif prof.han / prof.letters < 0.5:
            issues.append(QualityIssue("wrong_script", _dominant(prof), 0.9))
    elif target is Lang.JA:
        cjk = prof.han + prof.kana
        if cjk / prof.letters < 0.5:
            issues.append(QualityIssue("wrong_script", _dominant(prof), 0.9))
        elif cjk >= 8 and prof.kana < 0.05 * cjk:
            issues.append(QualityIssue("wrong_language", "zh", 0.9))
    elif target is Lang.AR:
        if prof.arabic / prof.letters < 0.5:
            issues.append(QualityIssue("wrong_script", _dominant(prof), 0.9))
    elif target in _LATIN_TARGETS:
        if prof.latin / prof.letters < 0.5:
            issues.append(QualityIssue("wrong_script", _dominant(prof), 0.9))
        elif identifier is not None and target is not Lang.ID:
            issues += _latin_language(source_words, tgt, target, identifier)
    return issues


def _latin_language(
    source_words: Collection[str], tgt: str, target: Lang, identifier: LanguageIdentifier
) -> list[QualityIssue]:
    all_words = words(tgt)
    own = [w for w in all_words if w.casefold() not in source_words]
    text = " ".join(own) if len(own) >= 3 else tgt
    if len(words(text)) < 3:
        return []
    conf = identifier.confidences(text)
    best = max(conf, key=lambda code: conf[code])
    if best == target.value or best in ("id", "ms"):
        return []  # Indonesian is check_untranslated's to report
    if conf.get(target.value, 0.0) >= 0.25:  # clean references: >= 0.3 (FLORES dev, first half)
        return []
    return [QualityIssue("wrong_language", best, 0.8)]


def _dominant(prof: object) -> str:
    counts = {
        name: getattr(prof, name) for name in ("latin", "han", "kana", "arabic", "hangul", "other")
    }
    return max(counts, key=lambda name: counts[name])


# -- hallucination: repetition ------------------------------------------------------------


def _units(text: str, lang: Lang) -> list[str]:
    """Tokens for repetition: characters for zh/ja (letters only), words elsewhere."""
    if lang in _CJK:
        return [c for c in text if c.isalpha() and not c.isascii()] or [
            w.casefold() for w in words(text)
        ]
    return [w.casefold() for w in re.findall(r"\w+", text)]


def _adjacent_repeat(units: Sequence[str], *, min_len: int) -> str | None:
    """A span repeated back to back (``a b a b``); single units must occur three times."""
    n = len(units)
    seq = list(units)
    for size in range(1, min(n // 2, 12) + 1):
        copies = 2 if size >= min_len else 3
        for i in range(n - size * copies + 1):
            span = seq[i : i + size]
            if seq[i + size : i + 2 * size] != span:
                continue
            if copies == 3 and seq[i + 2 * size : i + 3 * size] != span:
                continue
            if any(u.isalpha() for u in span):
                return "".join(span) if len(seq[0]) == 1 else " ".join(span)
    return None


def _repeated_ngram(units: Sequence[str], size: int) -> str | None:
    grams = Counter(tuple(units[i : i + size]) for i in range(len(units) - size + 1))
    repeated = [g for g, c in grams.items() if c >= 2 and any(u.isalpha() for u in g)]
    return " ".join(repeated[0]) if repeated else None


# Repeated phrase length (words; characters for zh/ja) that counts as repetition.
_REPEAT_SIZE: Mapping[Lang, int] = {Lang.ZH: 5, Lang.JA: 6}


def _source_repeats(src: str) -> bool:
    """The source itself says a content word twice (a name, a topic): repeats are expected."""
    counts = Counter(  # reduplications (baru-baru, pasien-pasien) are one word
        w.casefold()
        for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", src)
        if len(w) >= 4 and w.casefold() not in lexicon.ID_FUNCTION_WORDS
    )
    return any(n >= 2 for n in counts.values())


def check_repetition(src: str, tgt: str, *, target: Lang) -> list[QualityIssue]:
    """A phrase repeated in a loop, or said again where the source repeats nothing."""
    units = _units(tgt, target)
    cjk = target in _CJK
    if _adjacent_repeat(units, min_len=3 if cjk else 2) is not None:
        return [QualityIssue("repetition", "", 0.7)]
    repeated = _repeated_ngram(units, _REPEAT_SIZE.get(target, 3))
    if repeated is not None and not _source_repeats(src):
        return [QualityIssue("repetition", "", 0.6)]
    return []


# -- empty and truncated output -----------------------------------------------------------

_CLOSERS = "\"'“”‘’«»)]}」』）】〕〉》 \u00a0\u202f\u2009\t"
_TERMINAL = frozenset(".!?…。！？؟;:；：؛")


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def check_truncation(
    src: str,
    tgt: str,
    *,
    target: Lang,  # noqa: ARG001 -- every check takes a target
    truncated: bool = False,
) -> list[QualityIssue]:
    """Empty output; decoding stopped at the length limit; or the source ends a sentence and
    the target does not."""
    if not tgt.strip():
        return [QualityIssue("empty", "", 1.0)] if src.strip() else []
    if truncated:
        return [QualityIssue("truncated", "", 0.7)]
    if _ends_sentence(src) and not _ends_sentence(tgt):
        return [QualityIssue("unterminated", "", 0.6)]
    return []


# -- meaning: negation ----------------------------------------------------------------------


def check_negation(src: str, tgt: str, *, target: Lang) -> list[QualityIssue]:
    """The source negates and the target has no negation at all (a dropped "tidak")."""
    pattern = lexicon.NEGATION.get(target)
    if pattern is None or not lexicon.NEGATION_SOURCE.search(src):
        return []
    if pattern.search(tgt):
        return []
    return [QualityIssue("negation_missing", "", 0.55)]
