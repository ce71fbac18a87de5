"""Known ways to break a correct translation, for calibrating the quality checks.

Each corruption takes a clean reference translation (and what it may need: the source, the
other languages' references, the next line) and returns a broken one, or None where it does not
apply (no number to change, no negation to delete). All randomness comes from the ``random.Random``
passed in, so a seed fixes the set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from warta.languages import Lang
from warta.quality import numbers

__all__ = ["DESCRIPTIONS", "Corruption", "CorruptionInput", "corrupt"]


class Corruption(StrEnum):
    NUMBER = "number"  # a number of the reference dropped or one of its digits changed
    TRUNCATION = "truncation"  # cut at 30-80% of its length, at a word boundary
    UNTRANSLATED = "untranslated"  # the Indonesian source given as the translation
    WRONG_LANGUAGE = "wrong_language"  # the same sentence in another target language
    REPETITION = "repetition"  # a phrase repeated in a loop, or said again at the end
    SWAP = "swap"  # the reference of the next line (a sentence-alignment slip)
    NEGATION = "negation"  # every negation of the reference deleted


DESCRIPTIONS: Mapping[Corruption, str] = {
    Corruption.NUMBER: "a number that the source also has and that occurs once in the reference is "
    "dropped or has one digit changed (only sentences with such a number)",
    Corruption.TRUNCATION: "the reference cut at 30-80% of its length, at a word boundary "
    "(any character for zh/ja)",
    Corruption.UNTRANSLATED: "the Indonesian source given as the translation",
    Corruption.WRONG_LANGUAGE: "the same sentence's reference in another of the five target "
    "languages",
    Corruption.REPETITION: "a phrase of 2-5 words (3-8 characters for zh/ja) repeated once or "
    "twice right after itself, or said again at the end",
    Corruption.SWAP: "the reference of the next line (a sentence-alignment slip within an article)",
    Corruption.NEGATION: "every negation of the reference deleted (not/n't/never/no, "
    "ne/pas/jamais, 不/没/未, ない/ません, لا/لم/لن/ليس/غير), on lines whose source negates",
}


@dataclass(frozen=True, slots=True)
class CorruptionInput:
    source: str  # the Indonesian sentence
    reference: str  # its clean translation into ``lang``
    lang: Lang
    others: Mapping[Lang, str]  # the same sentence in the other target languages
    next_reference: str  # the reference translation of the following line


def corrupt(kind: Corruption, item: CorruptionInput, rng: random.Random) -> str | None:
    """The corrupted translation, or None when ``kind`` does not apply to this sentence."""
    match kind:
        case Corruption.NUMBER:
            return _number(item, rng)
        case Corruption.TRUNCATION:
            return _truncate(item, rng)
        case Corruption.UNTRANSLATED:
            return item.source.strip()
        case Corruption.WRONG_LANGUAGE:
            choices = sorted(item.others)
            return item.others[rng.choice(choices)].strip() if choices else None
        case Corruption.REPETITION:
            return _repeat(item, rng)
        case Corruption.SWAP:
            return (
                item.next_reference.strip()
                if item.next_reference.strip() != item.reference.strip()
                else None
            )
        case Corruption.NEGATION:
            return _delete_negation(item)


_DIGITS = re.compile(r"\d+(?:[.,٫٬]\d+)*")


def _number(item: CorruptionInput, rng: random.Random) -> str | None:
    """Drop a number of the reference that the source also has, or change one of its digits.

    Only numbers that occur once in the reference and whose value the source mentions are
    candidates: changing a number the source does not have (or one written twice) is not an
    error anyone could detect from the source.
    """
    source_values: set[Decimal] = set()
    for mention in numbers.find_numbers(item.source, Lang.ID):
        source_values |= mention.values
        source_values.update(mention.parts)
    tokens = list(_DIGITS.finditer(item.reference))
    counts: dict[str, int] = {}
    for match in tokens:
        counts[match.group(0)] = counts.get(match.group(0), 0) + 1
    candidates = []
    for match in tokens:
        if counts[match.group(0)] != 1:
            continue
        mentions = numbers.find_numbers(match.group(0), item.lang)
        if any(m.values & source_values for m in mentions):
            candidates.append(match)
    if not candidates:
        return None
    match = rng.choice(candidates)
    ref = item.reference
    if rng.random() < 0.5:  # drop it
        broken = ref[: match.start()] + ref[match.end() :]
        return re.sub(r"[ \u00a0]{2,}", " ", broken).strip()
    token = match.group(0)
    positions = [i for i, c in enumerate(token) if c.isdigit()]
    pos = rng.choice(positions)
    zero = ord(token[pos]) - int(token[pos])  # keeps the digit's script (ASCII, Arabic-Indic)
    new_digit = rng.choice([d for d in range(10) if d != int(token[pos])])
    altered = token[:pos] + chr(zero + new_digit) + token[pos + 1 :]
    return ref[: match.start()] + altered + ref[match.end() :]


_CJK = frozenset({Lang.ZH, Lang.JA})


def _truncate(item: CorruptionInput, rng: random.Random) -> str | None:
    ref = item.reference.strip()
    cut = int(len(ref) * rng.uniform(0.3, 0.8))
    if item.lang not in _CJK:
        space = ref.rfind(" ", 0, cut + 1)
        if space <= 0:
            return None
        cut = space
    truncated = ref[:cut].rstrip()
    return truncated or None


def _repeat(item: CorruptionInput, rng: random.Random) -> str | None:
    ref = item.reference.strip()
    if item.lang in _CJK:
        units = list(ref)
        size = rng.randint(3, 8)
        joiner = ""
    else:
        units = ref.split(" ")
        size = rng.randint(2, 5)
        joiner = " "
    if len(units) < size + 2:
        return None
    start = rng.randrange(0, len(units) - size)
    phrase = units[start : start + size]
    if rng.random() < 0.5:  # a loop: the phrase again, once or twice, right after itself
        copies = rng.randint(1, 2)
        return joiner.join(units[: start + size] + phrase * copies + units[start + size :])
    # the phrase said again at the end, before the final punctuation
    body = ref.rstrip(".!?。！？؟")
    end = ref[len(body) :]
    return body + joiner + joiner.join(phrase) + end


# Per language, (pattern, replacement) applied everywhere: every negation marker deleted.
_NEGATIONS: Mapping[Lang, Sequence[tuple[str, str]]] = {
    Lang.EN: (
        (r"\bcannot\b", "can"),
        (r"\bcan't\b", "can"),
        (r"\bwon't\b", "will"),
        (r"n't\b", ""),
        (r"\bnot\s+", ""),
        (r"\bnever\s+", ""),
        (r"\bno\s+(?=\w)", ""),
        (r"\bwithout\b", "with"),
    ),
    Lang.FR: (
        (r"\bne\s+", ""),
        (r"\bn['’]", ""),
        (r"\s+pas\b", ""),
        (r"\s+jamais\b", ""),
        (r"\bsans\b", "avec"),
    ),
    Lang.ZH: (("没有", "有"), ("无法", "能"), ("不", ""), ("没", ""), ("未", "")),
    Lang.JA: (
        ("ませんでした", "ました"),
        ("ません", "ます"),
        ("なかった", "た"),
        ("ない", "る"),
        ("なく", "く"),
    ),
    Lang.AR: (
        (r"(?<!\w)([وف]?)(?:لا|لم|لن|ليس|ليست|غير)(?!\w)\s*", r"\1"),
        (r"(?<!\w)بدون(?!\w)", "مع"),
    ),
}
_NEGATION_SOURCE = re.compile(
    r"\b(?:tidak|tak|bukan|bukanlah|belum|jangan|tiada|tanpa)\b", re.IGNORECASE
)


def _delete_negation(item: CorruptionInput) -> str | None:
    if not _NEGATION_SOURCE.search(item.source):
        return None
    text = item.reference.strip()
    for pattern, replacement in _NEGATIONS.get(item.lang, ()):
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"[ ]{2,}", " ", text)
    return text if text != item.reference.strip() else None
