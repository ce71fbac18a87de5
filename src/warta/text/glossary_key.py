"""Which glossary terms a sentence's translation depends on, and a short key of them.

A term *applies* to a sentence for a target exactly when translation puts a placeholder for it:
the same matching (:func:`~warta.text.protect.term_matches`) and the same overlap rules
(:func:`~warta.text.protect.find_items`: a term inside a URL, an e-mail address or a longer term
is not placed). So a translation-memory entry made under one glossary is still right under
another as long as the terms that apply to its sentence are the same ones, with the same
settings and the same rendering for the target: the rest of the glossary cannot have changed it.
"""

from __future__ import annotations

import hashlib
import json

from warta.domain import Glossary, GlossaryTerm
from warta.languages import Lang
from warta.text.protect import find_items, term_matches
from warta.text.records import ItemKind


def applicable_terms(text: str, *, glossary: Glossary, target: Lang) -> tuple[GlossaryTerm, ...]:
    """The glossary terms placed in ``text`` (a sentence's plain text) for ``target``, in order of
    first appearance, each once."""
    if not glossary.terms:
        return ()
    placed = {
        (item.start, item.end)
        for item in find_items(text, glossary=glossary, target=target)
        if item.kind is ItemKind.TERM
    }
    if not placed:
        return ()
    # find_items keeps, for each span it placed, the first term match offered at that span.
    chosen: dict[tuple[int, int], GlossaryTerm] = {}
    for start, end, term, _ in term_matches(text, glossary=glossary, target=target):
        if (start, end) in placed and (start, end) not in chosen:
            chosen[(start, end)] = term
    terms: dict[str, GlossaryTerm] = {}
    for span in sorted(chosen):
        terms.setdefault(chosen[span].source, chosen[span])
    return tuple(terms.values())


def glossary_key(text: str, *, glossary: Glossary, target: Lang) -> str:
    """Short hash of the terms that apply to ``text`` for ``target`` ("" when none does).

    Each term counts with its source, ``do_not_translate``, ``case_sensitive`` and its rendering
    for ``target`` (renderings for other languages do not change this translation).
    """
    terms = applicable_terms(text, glossary=glossary, target=target)
    if not terms:
        return ""
    payload = [
        [
            t.source,
            t.do_not_translate,
            t.case_sensitive,
            None if t.do_not_translate else t.translations.get(target),
        ]
        for t in sorted(terms, key=lambda term: term.source)
    ]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:16]
