"""The desk's words in Indonesian and English: the ``desk`` gettext domain.

Catalogues: ``warta/desk/locale/<lang>/LC_MESSAGES/desk.po`` (written by people, compiled in
memory when the app starts, as the site's are). The language of a page is, in order: ``?lang=``
(remembered in a cookie), the cookie, ``Accept-Language``; Indonesian by default.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import Request

from warta.languages import Lang
from warta.web.i18n import Translator, compile_catalogue
from warta.web.locales import negotiate

DOMAIN = "desk"
DESK_LANGS: tuple[Lang, ...] = (Lang.ID, Lang.EN)
LANG_COOKIE = "warta_desk_lang"


def N_(message: str) -> str:  # gettext's conventional name
    """Marks a message for extraction where it is translated later."""
    return message


def load_desk_catalogues() -> dict[Lang, Translator]:
    """The desk's translators, compiled from the packaged ``desk.po`` files."""
    return {
        lang: Translator(
            lang,
            compile_catalogue(
                lang, source=files("warta.desk") / "locale" / lang.value / "LC_MESSAGES" / "desk.po"
            ),
        )
        for lang in DESK_LANGS
    }


def desk_lang(code: str | None) -> Lang | None:
    """A desk language from a code ("id", "en"); None for anything else."""
    for lang in DESK_LANGS:
        if code == lang.value:
            return lang
    return None


def choose_lang(request: Request) -> Lang:
    """``?lang=``, else the cookie, else Accept-Language (id or en), else Indonesian."""
    chosen = desk_lang(request.query_params.get("lang")) or desk_lang(
        request.cookies.get(LANG_COOKIE)
    )
    if chosen is not None:
        return chosen
    negotiated = negotiate(request.headers.get("accept-language"))
    return negotiated if negotiated in DESK_LANGS else Lang.ID
