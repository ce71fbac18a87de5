"""Editors' corrections as text, pure: cleaning, warnings, and word-level diffs.

- :func:`clean_correction`: the correction through the HTML allowlist, refused when empty;
- :func:`correction_warnings`: a correction is accepted, but flagged, when it drops a link
  (``correction_dropped_link``) or a number (``correction_dropped_number``) of the Indonesian
  sentence (numbers are compared by :mod:`warta.quality.numbers`, across conventions);
- :func:`word_diff`: what changed between two translations, word by word (CJK: character by
  character), as safe HTML: all text escaped, changes in ``<del>``/``<ins>``.
"""

from __future__ import annotations

import difflib
import html
import re

from warta.errors import FieldError
from warta.ingest.markup import plain_text
from warta.ingest.sanitize import sanitize_html
from warta.languages import SOURCE_LANG, Lang
from warta.quality.numbers import missing_numbers

DROPPED_LINK = "correction_dropped_link"
DROPPED_NUMBER = "correction_dropped_number"
_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# Words for the diff: a run of letters/digits, one CJK character, a run of spaces, one other sign.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]|[^\W_]+|\s+|.",
    re.UNICODE,
)


def clean_correction(target_html: str) -> str:
    """The correction through the allowlist; FieldError when nothing readable is left."""
    clean = sanitize_html(target_html).strip()
    if not plain_text(clean):
        raise FieldError(
            "the correction is empty",
            hint="send the corrected sentence (text, not only markup)",
            field="target_html",
        )
    return clean


def correction_warnings(*, source_html: str, target_html: str, lang: Lang) -> tuple[str, ...]:
    """Flags for a correction that drops a link or a number the Indonesian sentence has."""
    flags: list[str] = []
    wanted = _links(source_html)
    if wanted and not wanted <= _links(target_html):
        flags.append(DROPPED_LINK)
    if missing_numbers(
        plain_text(source_html), plain_text(target_html), source_lang=SOURCE_LANG, target_lang=lang
    ):
        flags.append(DROPPED_NUMBER)
    return tuple(flags)


def _links(fragment: str) -> set[str]:
    return {
        html.unescape(next(g for g in m.groups() if g is not None))
        for m in _HREF.finditer(fragment)
    }


def word_diff(before: str, after: str) -> str:
    """Word-level diff of two fragments' text as HTML: everything escaped, <del>/<ins> added."""
    old = _TOKEN.findall(plain_text(before)) if before else []
    new = _TOKEN.findall(plain_text(after)) if after else []
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(old[a1:a2])))
            continue
        if a2 > a1:
            out.append(f"<del>{html.escape(''.join(old[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{html.escape(''.join(new[b1:b2]))}</ins>")
    return "".join(out)
