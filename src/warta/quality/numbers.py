"""Numbers in text: find them, read them under each language's conventions, compare them.

Indonesian writes ``270.000`` (dot groups thousands) and ``2,5`` (comma is the decimal mark);
English and the CJK languages write ``270,000`` and ``2.5``; French ``270 000`` and ``2,5``;
Arabic may use Arabic-Indic digits ``٢٧٠٬٠٠٠`` and ``٢٫٥``. Scale words multiply what they
follow: ``2,5 juta`` = ``2.5 million`` = ``250万`` = ``2.5 مليون``. A number is read first under its
language's convention; the other convention is used only when the first gives no valid reading
(``2.5`` in Indonesian is a decimal written the English way; ``270.000`` in English is 270).

Times and dates are compared through their parts: ``pukul 9.30`` matches ``9:30``,
``9時30分`` and ``9 h 30``; ``1995-96`` also reads as 1996. Small numbers written as words in the
target (``three``, ``trois``, ``三``, ``ثلاثة``) count as the digits they stand for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise

from warta.languages import Lang
from warta.quality import lexicon

_CACHED_TEXTS = 1024  # texts whose readings are kept (a few batches' segments)

__all__ = [
    "NumberMention",
    "find_numbers",
    "missing_numbers",
    "normalise_digits",
    "number_pool",
]


@dataclass(frozen=True, slots=True)
class NumberMention:
    """One number as written, and the values it may stand for."""

    text: str  # as written (after digit normalisation), e.g. "2,5" or "9.30"
    values: frozenset[Decimal]  # readings of the whole number, scaled ones included
    # Another way to say it, all of whose parts must be there: the hour and minutes of a time
    # (9 and 30 for "9.30": 9時30分), the century and decade of a decade (20, 30 for 1930-an).
    parts: tuple[Decimal, ...] = ()
    decade: Decimal | None = None  # "1960-an" may be "les années 60" (not in zh/ja)


# Arabic-Indic, Extended Arabic-Indic and full-width digits, the Arabic decimal and thousands
# marks, percent signs and the no-break spaces French groups thousands with, mapped to ASCII.
# (Not NFKC: it would turn "³" and "²" in "km²" into digits.)
_DIGIT_TABLE = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９٫٬٪％．\u00a0\u202f\u2009",
    "012345678901234567890123456789.,%%.   ",
)

# (decimal mark, group marks) per language: the reading tried first.
_DOT_DECIMAL = (".", frozenset({","}))
_COMMA_DECIMAL = (",", frozenset({".", " "}))
_CONVENTIONS: Mapping[Lang, tuple[str, frozenset[str]]] = {
    Lang.ID: (",", frozenset({"."})),
    Lang.EN: _DOT_DECIMAL,
    Lang.ZH: _DOT_DECIMAL,
    Lang.JA: _DOT_DECIMAL,
    Lang.AR: _DOT_DECIMAL,
    Lang.FR: _COMMA_DECIMAL,
}

# Digits in ASCII only (after _DIGIT_TABLE); a single digit glued to Latin letters is a unit or
# a formula ("km2", "CO2"), not a number.
_NUMBER = re.compile(
    r"(?<![0-9])(?<![0-9][.,])(?<![A-Za-z](?=[0-9](?![0-9])))[0-9]+(?:[.,][0-9]+)*"
)
# French groups thousands with (narrow) no-break spaces, which _DIGIT_TABLE turns into spaces.
_NUMBER_FR = re.compile(
    r"(?<![0-9])(?<![0-9][.,])(?<![A-Za-z](?=[0-9](?![0-9])))"
    r"(?:[0-9]{1,3}(?: [0-9]{3})+(?:,[0-9]+)?(?![.,]?[0-9])|[0-9]+(?:[.,][0-9]+)*)"
)
_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})$")
_RANGE_TAIL = re.compile(r"(\d{4})\s?[-–—/]\s?$")

_CJK = frozenset({Lang.ZH, Lang.JA})

_CJK_NUMERAL = re.compile("[0-9零〇一二两兩三四五六七八九十百千万萬亿億兆]+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def normalise_digits(text: str) -> str:
    """Arabic-Indic and full-width digits and marks, and no-break spaces, as ASCII."""
    return text.translate(_DIGIT_TABLE)


def _reading(token: str, *, decimal: str, groups: frozenset[str]) -> Decimal | None:
    """The value of ``token`` under one convention, or None if the token breaks it."""
    pieces = re.split(r"([., ])", token)
    digits, seps = pieces[0::2], pieces[1::2]
    if not seps:
        return Decimal(token)
    integer = digits[0]
    fraction = ""
    for i, sep in enumerate(seps):
        following = digits[i + 1]
        if sep == decimal and i == len(seps) - 1:
            fraction = following
        elif sep in groups and len(following) == 3 and len(digits[0]) <= 3:
            integer += following
        else:
            return None
    try:
        return Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:  # pragma: no cover - the pieces are digits by construction
        return None


def _readings(token: str, lang: Lang) -> set[Decimal]:
    decimal, groups = _CONVENTIONS.get(lang, _DOT_DECIMAL)
    first = _reading(token, decimal=decimal, groups=groups)
    if first is not None:
        return {first}
    other_decimal, other_groups = _DOT_DECIMAL if decimal == "," else _COMMA_DECIMAL
    second = _reading(token, decimal=other_decimal, groups=other_groups)
    return {second} if second is not None else set()


def _scale_after(text: str, end: int, lang: Lang) -> int | None:
    rest = text[end : end + 12]
    scales = lexicon.SCALES.get(lang, {})
    if lang in _CJK:
        stripped = rest.lstrip(" ")
        for word in sorted(scales, key=len, reverse=True):
            if stripped.startswith(word):
                return scales[word]
        return None
    match = re.match(r"\s*-?\s*([^\W\d_]+)", rest)
    if match is None:
        return None
    word = match.group(1).lower()
    return scales.get(word)


_DECADE = re.compile(r"^-?an\b|^s\b")  # "1930-an", "1930s": the decade
_RANGE_JOIN = re.compile(
    r"^\s*(?:[-–—~～〜]|to|à|au|hingga|sampai|s/d|至|到|から|إلى)\s*$", re.IGNORECASE
)


def _is_decade(token: str, following: str) -> bool:
    return (
        len(token) == 4
        and token.isdigit()
        and token.endswith("0")
        and bool(_DECADE.match(following))
    )


def find_numbers(text: str, lang: Lang) -> list[NumberMention]:
    """Every number written with digits in ``text``, read under ``lang``'s conventions."""
    return list(_mentions(text, lang))


@lru_cache(maxsize=_CACHED_TEXTS)
def _mentions(text: str, lang: Lang) -> tuple[NumberMention, ...]:
    # Cached: each check reads both sides of a segment (missing and added numbers, amounts).
    norm = normalise_digits(text)
    pattern = _NUMBER_FR if lang is Lang.FR else _NUMBER
    found: list[
        tuple[str, set[Decimal], tuple[Decimal, ...], Decimal | None, int | None, int, int]
    ] = []
    for match in pattern.finditer(norm):
        token = match.group(0)
        values = _readings(token, lang)
        parts: tuple[Decimal, ...] = ()
        decade: Decimal | None = None
        time = _TIME.match(token)
        if time is not None:
            hour, minute = Decimal(time.group(1)), Decimal(time.group(2))
            parts = (hour,) if minute == 0 else (hour, minute)
        elif _is_decade(token, norm[match.end() : match.end() + 4]):  # 1930s: 20世纪30年代
            parts = (Decimal(int(token[:2]) + 1), Decimal(token[2:]))
            decade = Decimal(token[2:])
        if len(token) == 2 and token.isdigit():
            year = _RANGE_TAIL.search(norm[: match.start()])
            if year is not None:  # "1995-96" also means 1996
                values.add(Decimal(year.group(1)[:2] + token))
        scale = _scale_after(norm, match.end(), lang)
        if scale is not None:
            values |= {v * scale for v in values}
        found.append((token, values, parts, decade, scale, match.start(), match.end()))
    # "2 to 3 million", "200～300万": the scale of the second number applies to the first.
    for (_, values, _, _, scale, _, end), (_, _, _, _, next_scale, start, _) in pairwise(found):
        if scale is None and next_scale is not None and _RANGE_JOIN.match(norm[end:start]):
            values |= {v * next_scale for v in values}
    return tuple(
        NumberMention(text=token, values=frozenset(values), parts=parts, decade=decade)
        for token, values, parts, decade, _, _, _ in found
    )


def _cjk_numeral(run: str) -> int | None:
    """Read a Chinese/Japanese numeral, digits allowed: 四十, 二十五, 5千4百万, 1万2000."""
    total, section = 0, 0
    digit: int | None = None
    for piece in re.findall(r"[0-9]+|.", run):
        if piece.isascii() and piece.isdigit():
            digit = int(piece)
        elif piece in lexicon.CJK_DIGITS:
            digit = lexicon.CJK_DIGITS[piece]
        elif piece in lexicon.CJK_SMALL_UNITS:
            section += (1 if digit is None else digit) * lexicon.CJK_SMALL_UNITS[piece]
            digit = None
        elif piece in lexicon.CJK_BIG_UNITS:
            section += digit or 0
            total += max(section, 1) * lexicon.CJK_BIG_UNITS[piece]
            section, digit = 0, None
    value = total + section + (digit or 0)
    return value or (0 if "零" in run or "〇" in run else None)


_ROMAN = re.compile(r"\b([IVXLC]{1,6})(?:e|er|ème|th|st|nd|rd)?\b")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(numeral: str) -> int:
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = _ROMAN_VALUES[char]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


def _word_values(text: str, lang: Lang) -> set[Decimal]:
    """Values of number words: ``three``, ``trois``, ``三``, ``ثلاثة``, ``ten million``, ``XV``."""
    values: set[Decimal] = set()
    if lang in _CJK:
        for match in _CJK_NUMERAL.finditer(text):
            if not any(not c.isascii() for c in match.group(0)):
                continue  # plain digits are read by find_numbers
            value = _cjk_numeral(match.group(0))
            if value is None:
                continue
            values.add(Decimal(value))
            scale = _scale_after(text, match.end(), lang)
            if scale is not None:
                values.add(Decimal(value * scale))
        return values
    if lang in (Lang.EN, Lang.FR):  # centuries and regnal numbers: XVIe siècle, World War II
        values |= {Decimal(_roman(m.group(1))) for m in _ROMAN.finditer(text)}
    words = lexicon.NUMBER_WORDS.get(lang, {})
    scales = lexicon.SCALES.get(lang, {})
    tokens = [m.group(0).lower() for m in _WORD.finditer(text)]
    for i, token in enumerate(tokens):
        value = _compound_value(token, words, lang)
        if value is None:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if lang is Lang.AR and following in ("عشر", "عشرة") and value < 10:
            value += 10  # ثماني عشرة = 18, السادس عشر = 16th
        values.add(Decimal(value))
        if following in scales:
            values.add(Decimal(value * scales[following]))
    return values


def _compound_value(token: str, words: Mapping[str, int], lang: Lang) -> int | None:
    """A number word, or a hyphenated compound: dix-huit, twenty-two, quatre-vingts."""
    if "-" not in token:
        return _word_value(token, words, lang)
    total = 0
    for piece in token.split("-"):
        value = _word_value(piece, words, lang)
        if value is None:
            return None
        total = total * value if 0 < total < value else total + value
    return total


def _word_value(token: str, words: Mapping[str, int], lang: Lang) -> int | None:
    if token in words:
        return words[token]
    if lang is Lang.AR:
        for prefix in lexicon.AR_PREFIXES:
            if token.startswith(prefix) and token[len(prefix) :] in words:
                return words[token[len(prefix) :]]
    return None


@lru_cache(maxsize=_CACHED_TEXTS)
def number_pool(text: str, lang: Lang, *, words: bool = True) -> frozenset[Decimal]:
    """Every value ``text`` mentions: digit readings and (if ``words``) number words.

    ``9:30`` gives 9 and 30 (":" separates numbers), so a source's ``9.30`` finds its parts.
    """
    pool: set[Decimal] = set()
    for mention in find_numbers(text, lang):
        pool |= mention.values
    if words:
        pool |= _word_values(normalise_digits(text), lang)
    return frozenset(pool)


def _matched(mention: NumberMention, pool: frozenset[Decimal], *, lang: Lang) -> bool:
    if mention.values & pool:
        return True
    if mention.decade is not None and lang not in _CJK and mention.decade in pool:
        return True
    return bool(mention.parts) and all(p in pool for p in mention.parts)


def missing_numbers(
    source: str, target: str, *, source_lang: Lang, target_lang: Lang
) -> list[NumberMention]:
    """Numbers written with digits in ``source`` that ``target`` does not mention in any form."""
    pool = number_pool(target, target_lang)
    return [m for m in find_numbers(source, source_lang) if not _matched(m, pool, lang=target_lang)]


def added_numbers(
    source: str, target: str, *, source_lang: Lang, target_lang: Lang
) -> list[NumberMention]:
    """Numbers written with digits in ``target`` that ``source`` does not mention in any form."""
    return missing_numbers(target, source, source_lang=target_lang, target_lang=source_lang)


def distinct(mentions: Iterable[NumberMention]) -> list[str]:
    """The mentions' texts without repeats, in order."""
    return list(dict.fromkeys(m.text for m in mentions))
