"""Sentences in a block of Indonesian news text, and the dateline at the start of an article.

A sentence ends at ``.``, ``!``, ``?`` or an ellipsis (with any closing quotes or brackets after
it) followed by space and something that can start a sentence (a capital, a digit, an opening quote
or bracket, a letter of a script without case), and always after a line break (``<br>``). It does
not end:

* after an abbreviation (dll., dsb., dkk., No., Dr., Prof., H., Hj., Jl., Rp., Tbk., PT. ...), a
  single letter (an initial: "Susilo B. Yudhoyono") or a dotted abbreviation (S.H., M.Si., a.n.);
* inside a quotation that is closed later in the block ("... kata dia. Lalu ..." stays one
  sentence), inside matched brackets, or inside a link or inline code;
* after an ellipsis followed by lower case, or an ellipsis that marks an omission, "(...)".

Numbers need no rule: "2,5", "270.000", "10.30 WIB" and "27/3/2017" have no space after the dot.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

ABBREVIATIONS = frozenset(
    {
        # Indonesian
        "dll", "dsb", "dkk", "dst", "tsb", "yth", "Yth", "sda", "hlm", "Hlm", "tgl", "Tgl", "thn",
        "No", "no", "Nomor", "Dr", "dr", "Drs", "Dra", "Prof", "Ir", "H", "Hj", "KH", "Jl", "Jln",
        "Rp", "Tbk", "PT", "CV", "St", "Sdr", "Sdri", "Bpk", "Bp", "Ibu", "Kec", "Kab", "Kel",
        "Prov", "Ds", "Tn", "Ny", "Nn", "Kol", "Kapt", "Let", "Mgr", "Pdt", "Ust", "Hal", "hal",
        # English, common in Indonesian news
        "Mr", "Mrs", "Ms", "Jr", "Sr", "vs", "Vs", "etc", "Inc", "Ltd", "Co", "Corp",
        "Bros", "Vol", "vol", "ca",
    }
)  # fmt: skip

_END = re.compile(r"(?:\.{2,}|…|[.!?]+)[\"”’'»)\]]*")
_DOTTED = re.compile(r"(?:[A-Za-z]{1,4}\.)+[A-Za-z]{1,4}")
_OPENERS = "\"“‘'«([{"
_CLOSERS = "\"”’'»)]}"
_SPACE = " \t\n\r\f"

_PLACE_CAPS = r"[A-Z][A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){0,3}"  # JAKARTA, GOLD COAST, LE MANS
_PLACE = r"[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}"  # Jakarta, Bandar Lampung
_OUTLET = r"[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}"  # CNN Indonesia, KOMPAS.com, ANTARA News
_DOMAIN = r"[A-Za-z][\w-]*\.(?i:com|net|org|co\.id|id|tv)"  # Suara.com, JUARA.NET
_NEWS = r"[A-Z][a-z]*news"  # Rimanews, Antaranews
_DATELINE = re.compile(
    rf"(?:(?:{_PLACE_CAPS}|{_PLACE})(?:, {_OUTLET}| \({_OUTLET}\))"
    rf"|(?:{_DOMAIN}|{_NEWS})(?:, {_PLACE_CAPS})?"
    rf"|{_PLACE_CAPS})"
    r" ?(?:--|[-–—])(?= +[\"“‘'(]?[A-Z0-9])"  # then a capital, as a sentence starts
)
_DATELINE_MAX = 60


def dateline_end(text: str) -> int | None:
    """End of a dateline ("JAKARTA -", "Jakarta, CNN Indonesia --") at the start of ``text``."""
    match = _DATELINE.match(text)
    if match is None or match.end() > _DATELINE_MAX:
        return None
    return match.end()


def split(text: str, *, keep_together: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence ranges of ``text``, without the spaces between them.

    ``keep_together`` are ranges (links, code) that no sentence boundary may cut.
    """
    protected = [*_quoted(text), *_bracketed(text), *keep_together]
    cuts = [0]
    for match in _END.finditer(text):
        cut = match.end()
        if _ends_sentence(text, match) and not any(lo < cut < hi for lo, hi in protected):
            while cut < len(text) and text[cut] in _SPACE:
                cut += 1  # line breaks after the full stop stay with its sentence
            cuts.append(cut)
    cuts += [m.end() for m in re.finditer(r"\n+", text) if m.end() < len(text)]
    cuts = [*sorted(set(cuts)), len(text)]
    ranges: list[tuple[int, int]] = []
    for lo, hi in itertools.pairwise(cuts):
        while lo < hi and text[lo] in " \t\r\f":
            lo += 1
        while hi > lo and text[hi - 1] in " \t\r\f":
            hi -= 1
        if hi > lo:
            ranges.append((lo, hi))
    return ranges


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    after = match.end()
    if after >= len(text) or text[after] not in _SPACE:
        return False
    rest = text[after:].lstrip(_SPACE)
    if not rest or not _can_start(rest[0]):
        return False
    marks = match[0].rstrip(_CLOSERS)
    if marks.startswith(("..", "…")):
        return match.start() == 0 or text[match.start() - 1] not in "(["  # "(...)": omission
    if marks != ".":
        return True  # "!", "?", "?!": no abbreviation ends that way
    word = text[: match.start()].rsplit(maxsplit=1)[-1] if text[: match.start()].strip() else ""
    word = word.lstrip(_OPENERS)
    return not (
        word in ABBREVIATIONS
        or (len(word) == 1 and word.isalpha())
        or _DOTTED.fullmatch(word) is not None
    )


def _can_start(ch: str) -> bool:
    return ch.isdigit() or ch in _OPENERS or (ch.isalpha() and not ch.islower())


def _quoted(text: str) -> list[tuple[int, int]]:
    """Ranges of double-quoted passages that are closed again within ``text``."""
    ranges: list[tuple[int, int]] = []
    opened: int | None = None
    for i, ch in enumerate(text):
        if ch == "“" or (ch == '"' and (i == 0 or text[i - 1] in _SPACE + "([{—–-")):
            if opened is None:
                opened = i
        elif ch in '”"' and opened is not None:
            ranges.append((opened, i + 1))
            opened = None
    return ranges


def _bracketed(text: str) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    pairs = {")": "(", "]": "["}
    for i, ch in enumerate(text):
        if ch in "([":
            stack.append((ch, i))
        elif ch in pairs:
            while stack and stack[-1][0] != pairs[ch]:
                stack.pop()
            if stack:
                ranges.append((stack.pop()[1], i + 1))
    return ranges
