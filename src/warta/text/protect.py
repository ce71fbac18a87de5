"""Items the model must not touch: found in a sentence, replaced by placeholders, put back after.

Protected: URLs and bare domains ("kompas.com"), e-mail addresses, @mentions and #hashtags,
numbers (restored in the target's conventions, see :mod:`warta.text.numbers`), glossary terms
(verbatim when ``do_not_translate``, else the term's rendering for the target; a term without a
rendering for the target is left to the model), and any text in the source that already reads as a
placeholder (restored verbatim, so it cannot be confused with ours).

Placeholder form: ``{0}``, ``{1}``, ... numbered in order of appearance. Why: OPUS-MT (Marian) and
NLLB were trained on corpora that include software localisation (GNOME, KDE, Ubuntu, Mozilla,
...), where ``{0}``-style format arguments are copied verbatim into every language, Chinese,
Japanese and Arabic included. In the real opus-mt-id-en SentencePiece models, ``{0}`` and
``{1}`` are single vocabulary pieces on both sides (``▁{0}``, ``{1}``), and higher numbers split
into ``{`` + digits + ``}``, all in-vocabulary (never ``<unk>``), so the model can copy them piece
by piece. Alternatives fare worse: ``<x1>`` and ``__1__`` split into 4-5 pieces, brackets such as
``⟦1⟧`` or ``｟1｠`` are ``<unk>`` in the Marian vocabulary (so they cannot be copied at all), and
letter codes ("XX1") invite transliteration into zh/ja/ar. What a model still does to them
(spaces inside, full-width braces, a lost brace, a copy too many, or none) is handled in
:mod:`warta.text.restore`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from warta.domain import Glossary, GlossaryTerm
from warta.languages import Lang
from warta.text.numbers import NUMBER, localise
from warta.text.records import ItemKind, Protected

PLACEHOLDER = re.compile(r"[{｛]\s*(\d{1,3})\s*[}｝]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”‘’]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOMAIN = re.compile(
    r"(?<![\w@.-])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*"
    r"\.(?i:com|net|org|co\.id|go\.id|ac\.id|or\.id|id|io|tv|info)(?:\.[a-z]{2})?"
    r"(?:/[^\s<>\"“”‘’]*)?(?![\w-])"
)
_HANDLE = re.compile(r"(?<![\w@#&/])[@#][^\W\d][\w]*(?:\.\w+)*")
_TRAILING = ".,;:!?'\"’”)]}"


def placeholder(index: int) -> str:
    return f"{{{index}}}"


def find_items(text: str, *, glossary: Glossary, target: Lang) -> tuple[Protected, ...]:
    """Protected items of ``text``, in order of appearance, numbered from 0."""
    taken: list[tuple[int, int, ItemKind, str]] = []

    def offer(candidates: Iterable[tuple[int, int, ItemKind, str]]) -> None:
        for start, end, kind, rendering in candidates:
            if end > start and all(end <= lo or start >= hi for lo, hi, _, _ in taken):
                taken.append((start, end, kind, rendering))

    offer((m.start(), m.end(), ItemKind.LITERAL, m[0]) for m in PLACEHOLDER.finditer(text))
    offer(_urls(text))
    offer((m.start(), m.end(), ItemKind.EMAIL, m[0]) for m in _EMAIL.finditer(text))
    offer(
        (m.start(), m.start() + len(_trim(m[0])), ItemKind.URL, _trim(m[0]))
        for m in _DOMAIN.finditer(text)
    )
    offer((m.start(), m.end(), ItemKind.HANDLE, m[0]) for m in _HANDLE.finditer(text))
    offer(_terms(text, glossary=glossary, target=target))
    offer(
        (m.start(), m.end(), ItemKind.NUMBER, localise(m[0], target=target))
        for m in NUMBER.finditer(text)
    )
    taken.sort()
    return tuple(
        Protected(
            index=i, kind=kind, start=start, end=end, source=text[start:end], rendering=rendering
        )
        for i, (start, end, kind, rendering) in enumerate(taken)
    )


def _urls(text: str) -> Iterable[tuple[int, int, ItemKind, str]]:
    for match in _URL.finditer(text):
        url = _trim(match[0])
        yield match.start(), match.start() + len(url), ItemKind.URL, url


def _trim(url: str) -> str:
    """A URL without the sentence punctuation after it; a ")" stays when it closes a "(" inside."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _terms(
    text: str, *, glossary: Glossary, target: Lang
) -> Iterable[tuple[int, int, ItemKind, str]]:
    """Glossary terms, longest first, whole words only."""
    for start, end, _, rendering in term_matches(text, glossary=glossary, target=target):
        yield start, end, ItemKind.TERM, rendering


def term_matches(
    text: str, *, glossary: Glossary, target: Lang
) -> Iterator[tuple[int, int, GlossaryTerm, str]]:
    """Every match of a glossary term that applies to ``target``, in the order :func:`find_items`
    offers them (longest term first, whole words only), with the term and its rendering.

    A term applies when it is kept verbatim (``do_not_translate``) or has a rendering for
    ``target``; the others are left to the model. :func:`find_items` keeps the first match of a
    span that no earlier item overlaps.
    """
    for term in sorted(glossary.terms, key=lambda t: len(t.source), reverse=True):
        if not term.source.strip():
            continue
        rendering = None if term.do_not_translate else term.translations.get(target)
        if not term.do_not_translate and rendering is None:
            continue
        flags = 0 if term.case_sensitive else re.IGNORECASE
        pattern = re.compile(rf"(?<!\w){re.escape(term.source)}(?!\w)", flags)
        for match in pattern.finditer(text):
            yield match.start(), match.end(), term, rendering or match[0]
