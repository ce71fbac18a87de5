"""What a glossary term must be, and when two terms of one glossary clash (pure).

A term is an Indonesian word or phrase (plain text, at most :data:`MAX_SOURCE_CHARS` characters)
that is either kept as it is in every language (``do_not_translate``) or given a rendering for
one or more of the five target languages, never both and never neither. Two terms clash when the
translator could not tell them apart: the same source, or sources that differ only in case when
either term ignores case.

Used by the store (:mod:`warta.store.catalog`) for every term it writes and by the CSV reader
(:mod:`warta.glossary_csv`), which adds the line number to each message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from warta.domain import GlossaryTerm
from warta.errors import FieldError, UnknownLanguageError
from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang

MAX_SOURCE_CHARS = 200
MAX_RENDERING_CHARS = 400
TARGETS_IN_WORDS = ", ".join(lang.value for lang in TARGET_LANGS)

# A tag ("<b>", "</p>", "<!--") or a character reference ("&amp;", "&#233;"): the translator matches
# terms in a sentence's plain text, so a term written as HTML would never be found.
_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")


def check_term(term: GlossaryTerm) -> GlossaryTerm:
    """``term`` with its text tidied (runs of white space made one space, ends trimmed) and its
    languages parsed, or :class:`FieldError` / :class:`UnknownLanguageError` naming the problem."""
    source = " ".join(term.source.split())
    if not source:
        raise FieldError(
            "a glossary term needs its Indonesian text",
            hint="give the Indonesian word or phrase the term is about",
            field="source",
        )
    _check_text(source, what=f"glossary term {_short(source)}", field="source")
    if len(source) > MAX_SOURCE_CHARS:
        raise FieldError(
            f"glossary term {_short(source)} is {len(source)} characters long, "
            f"over the limit of {MAX_SOURCE_CHARS}",
            hint="a glossary term is a word, a name or a short phrase: shorten it",
            field="source",
            length=len(source),
        )
    translations = _renderings(source, term.translations)
    if term.do_not_translate and translations:
        raise FieldError(
            f"glossary term {_short(source)} is marked keep-as-is and also has renderings "
            f"({', '.join(lang.value for lang in translations)})",
            hint="either keep the term as it is (no renderings) or give its renderings "
            "(not keep-as-is)",
            field="translations",
            term=source,
        )
    if not term.do_not_translate and not translations:
        raise FieldError(
            f"glossary term {_short(source)} says nothing: no rendering and not keep-as-is",
            hint=f"give a rendering for at least one of {TARGETS_IN_WORDS}, or mark it keep-as-is",
            field="translations",
            term=source,
        )
    return GlossaryTerm(
        source=source,
        translations=translations,
        do_not_translate=term.do_not_translate,
        case_sensitive=term.case_sensitive,
    )


def _renderings(source: str, given: Mapping[Lang, str]) -> dict[Lang, str]:
    translations: dict[Lang, str] = {}
    for key, value in given.items():
        try:
            lang = Lang(str(key).strip().lower())
        except ValueError:
            raise UnknownLanguageError(
                str(key), hint=f"give renderings for {TARGETS_IN_WORDS} only"
            ) from None
        if lang is SOURCE_LANG:
            raise FieldError(
                f"glossary term {_short(source)} gives a rendering for Indonesian, "
                "the source language",
                hint=f"give renderings for the target languages ({TARGETS_IN_WORDS}) only",
                field="translations",
                term=source,
            )
        text = " ".join(str(value).split())
        if not text:
            raise FieldError(
                f"glossary term {_short(source)} has an empty rendering for {lang.value}",
                hint="give the text the term must become, or leave the language out",
                field="translations",
                term=source,
                lang=lang.value,
            )
        what = f"the {lang.value} rendering of {_short(source)}"
        _check_text(text, what=what, field="translations")
        if len(text) > MAX_RENDERING_CHARS:
            raise FieldError(
                f"{what} is {len(text)} characters long, over the limit of {MAX_RENDERING_CHARS}",
                hint="a rendering is a word, a name or a short phrase: shorten it",
                field="translations",
                term=source,
                lang=lang.value,
            )
        translations[lang] = text
    return {lang: translations[lang] for lang in TARGET_LANGS if lang in translations}


def _check_text(text: str, *, what: str, field: str) -> None:
    markup = _MARKUP.search(text)
    if markup is not None:
        raise FieldError(
            f"{what} contains markup ({markup[0]!r})",
            hint="write it as plain text, without tags or character references such as &amp;",
            field=field,
        )
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise FieldError(
            f"{what} contains an invisible control character",
            hint="type the text again without pasting formatting characters",
            field=field,
        )


def clash(a: GlossaryTerm, b: GlossaryTerm) -> bool:
    """Whether ``a`` and ``b`` could not both be in one glossary: the same source, or sources that
    differ only in case when either term ignores case."""
    if a.source == b.source:
        return True
    if a.case_sensitive and b.case_sensitive:
        return False
    return a.source.casefold() == b.source.casefold()


def first_clash(
    terms: Sequence[GlossaryTerm],
) -> tuple[int, int] | None:
    """Indexes ``(earlier, later)`` of the first pair of ``terms`` that clash, or None."""
    seen: dict[str, list[int]] = {}
    for index, term in enumerate(terms):
        group = seen.setdefault(term.source.casefold(), [])
        for earlier in group:
            if clash(terms[earlier], term):
                return earlier, index
        group.append(index)
    return None


def clash_hint(a: GlossaryTerm, b: GlossaryTerm) -> str:
    if a.source == b.source:
        return "keep one entry per term: edit the existing one instead of adding it again"
    return "terms that differ only in case need case-sensitive matching on both; or keep one"


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
