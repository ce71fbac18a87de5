"""The six languages warta publishes, and facts about them that every layer needs."""

from __future__ import annotations

from enum import StrEnum


class Lang(StrEnum):
    """ISO 639-1 codes of the portal's editions. Indonesian is the canonical source."""

    ID = "id"
    EN = "en"
    ZH = "zh"
    JA = "ja"
    AR = "ar"
    FR = "fr"

    @property
    def is_rtl(self) -> bool:
        return self is Lang.AR

    @property
    def english_name(self) -> str:
        return _NAMES[self]


SOURCE_LANG = Lang.ID
TARGET_LANGS: tuple[Lang, ...] = (Lang.EN, Lang.ZH, Lang.JA, Lang.AR, Lang.FR)

_NAMES = {
    Lang.ID: "Indonesian",
    Lang.EN: "English",
    Lang.ZH: "Chinese (Simplified)",
    Lang.JA: "Japanese",
    Lang.AR: "Arabic",
    Lang.FR: "French",
}


def parse_lang(code: str) -> Lang:
    """Return the :class:`Lang` for ``code`` or raise :class:`warta.errors.UnknownLanguageError`."""
    from warta.errors import UnknownLanguageError

    try:
        return Lang(code.strip().lower())
    except ValueError:
        raise UnknownLanguageError(code) from None


def parse_targets(spec: str) -> tuple[Lang, ...]:
    """Parse ``"en,zh,ja"`` into target languages (in the given order, without repeats)."""
    from warta.errors import UnknownLanguageError

    langs: list[Lang] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        lang = parse_lang(part)
        if lang is SOURCE_LANG:
            raise UnknownLanguageError(
                part,
                message=f"{part.strip()!r} is Indonesian, the source language, not a target",
                hint="name targets among " + ",".join(TARGET_LANGS),
            )
        if lang not in langs:
            langs.append(lang)
    if not langs:
        raise UnknownLanguageError(spec, hint="name at least one of " + ",".join(TARGET_LANGS))
    return tuple(langs)
