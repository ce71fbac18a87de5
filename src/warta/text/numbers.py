"""Numbers as Indonesian writes them, and as each target language writes them (CLDR, via Babel).

Indonesian groups thousands with a dot and marks decimals with a comma: "270.000", "2,5",
"5.999,25". Such numbers are rewritten in the target's conventions: en "270,000" / "2.5", fr
"270 000" / "2,5" (CLDR's narrow no-break space). Everything else is copied unchanged: plain
integers (years, "007"), times ("10.30", "19:41"), dates ("27/3/2017"), scores and ranges whose
parts are plain integers ("3-0"), dotted strings that are not thousands groups ("1.5",
"192.168.1.1"). Digits are always Latin (CLDR's ``latn`` numbering system), also for Arabic.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_decimal

from warta.languages import Lang

_PART = r"\d+(?:[.,]\d+)*"
NUMBER = re.compile(
    # Not glued to a word ("B737", "COVID-19", "ke-25", "5G" stay with their word) except after Rp.
    rf"(?:(?<=Rp)|(?<=US\$)|(?<!\w)(?<![^\W\d_]-))(?>{_PART}(?:[-–/:]{_PART})*)(?![\w])"
)
_SEPARATOR = re.compile(r"([-–/:])")
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DECIMAL = re.compile(r"\d+,\d+")

LOCALES = {
    Lang.ID: "id",
    Lang.EN: "en",
    Lang.ZH: "zh_Hans",
    Lang.JA: "ja",
    Lang.AR: "ar",
    Lang.FR: "fr",
}


def localise(number: str, *, target: Lang) -> str:
    """``number`` (as matched by :data:`NUMBER`) written in ``target``'s conventions."""
    return "".join(
        piece if i % 2 else _localise_part(piece, target=target)
        for i, piece in enumerate(_SEPARATOR.split(number))
    )


def _localise_part(part: str, *, target: Lang) -> str:
    grouped = _GROUPED.fullmatch(part) is not None
    if not grouped and _DECIMAL.fullmatch(part) is None:
        return part
    whole, _, fraction = part.replace(".", "").partition(",")
    value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    pattern = ("#,##0" if grouped else "0") + ("." + "0" * len(fraction) if fraction else "")
    return format_decimal(value, format=pattern, locale=LOCALES[target])
