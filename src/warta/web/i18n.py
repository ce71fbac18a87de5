"""The site's words in six languages: gettext catalogues read with Babel.

The catalogues live in ``warta/web/locale/<lang>/LC_MESSAGES/messages.po``, one per language,
written by people (the AI disclaimer above all: it is never machine-translated). They are
compiled in memory when the app starts (:func:`load_catalogues`), so no compiled ``.mo`` file can
drift from its ``.po``; a catalogue that is missing or does not parse stops the app with a
:class:`~warta.errors.ConfigError`.

Message ids are English. Category names are data from the newsroom (Indonesian, e.g. "olahraga"),
so their labels are looked up with the context ``category``; a category no catalogue knows is
shown as the newsroom wrote it.

Maintainers: ``tests/web/test_i18n.py`` extracts every message from the templates and from this
package and fails when a catalogue lacks one, has a fuzzy or empty entry, or keeps an unused one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from warta.errors import ConfigError
from warta.languages import Lang
from warta.web.locales import SITE_LANGS

DOMAIN = "messages"
CATEGORY_CONTEXT = "category"


def N_(message: str) -> str:  # gettext's conventional name
    """Marks a message for extraction where it is translated later (gettext's ``N_``)."""
    return message


# The categories the newsroom uses (IndoSum's, in Indonesian): every catalogue labels them
# with the context "category" (tests/web/test_i18n.py checks).
KNOWN_CATEGORIES: tuple[str, ...] = ("tajuk utama", "olahraga", "showbiz", "hiburan", "teknologi")

# Messages used by more than one template or module.
DISCLAIMER = N_(
    "This edition was generated automatically by artificial intelligence (machine translation) "
    "and may contain inaccuracies. Indonesian is the main language of this publication."
)
ORIGINAL_LINK = N_("Read the Indonesian original")
DOUBT_TITLE = N_("This sentence was flagged by automatic quality checks and may be inaccurate.")
TAGLINE = N_("The latest news, by section.")


def catalogue_path(lang: Lang) -> Traversable:
    """The packaged ``.po`` file of ``lang`` (an importlib resource)."""
    return files("warta.web") / "locale" / lang.value / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(lang: Lang, *, source: Traversable | None = None) -> Translations:
    """Read ``lang``'s ``.po`` (or ``source``) and compile it in memory.

    Raises ConfigError if the file is missing or is not a valid catalogue.
    """
    resource = source if source is not None else catalogue_path(lang)
    try:
        with resource.open("rb") as handle:
            catalogue = read_po(handle, locale=lang.value, domain=DOMAIN, abort_invalid=True)
    except (OSError, PoFileError) as exc:
        raise ConfigError(
            f"the {lang.english_name} message catalogue cannot be read: {exc}",
            hint="restore src/warta/web/locale from the repository",
            lang=lang.value,
        ) from exc
    for message, errors in catalogue.check():
        raise ConfigError(
            f"the {lang.english_name} message catalogue has a broken entry "
            f"{message.id!r}: {'; '.join(map(str, errors))}",
            hint="keep every %(name)s placeholder of the message in its translation",
            lang=lang.value,
        )
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@dataclass(frozen=True, slots=True)
class Translator:
    """One language's catalogue, with the callables templates use."""

    lang: Lang
    translations: Translations

    def gettext(self, message: str) -> str:
        return str(self.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(self.translations.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        return str(self.translations.pgettext(context, message))

    def category(self, name: str) -> str:
        """The label of a newsroom category in this language (the name itself if unknown)."""
        label = self.pgettext(CATEGORY_CONTEXT, name)
        return label if label != name else name[:1].upper() + name[1:]

    def knows_category(self, name: str) -> bool:
        return self.pgettext(CATEGORY_CONTEXT, name) != name or self.lang is Lang.ID

    def template_globals(self) -> dict[str, Callable[..., Any]]:
        """``_``/``gettext``/``ngettext``/``pgettext`` for Jinja, in its "newstyle" convention.

        Catalogue text is trusted (it comes from the package), so under autoescaping it is marked
        safe and the ``%(name)s`` values are escaped into it, as Jinja's own i18n extension does.
        """

        @pass_context
        def gettext(context: Context, message: str, /, **variables: Any) -> str:
            return _format(context, self.gettext(message), variables)

        @pass_context
        def ngettext(
            context: Context, singular: str, plural: str, n: int, /, **variables: Any
        ) -> str:
            variables.setdefault("num", n)  # the count; callers may pass it formatted as num=
            return _format(context, self.ngettext(singular, plural, n), variables)

        @pass_context
        def pgettext(context: Context, ctxt: str, message: str, /, **variables: Any) -> str:
            return _format(context, self.pgettext(ctxt, message), variables)

        return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "pgettext": pgettext}


def _format(context: Context, text: str, variables: Mapping[str, Any]) -> str:
    if context.eval_ctx.autoescape:
        return Markup(text) % variables if variables else Markup(text)  # noqa: S704 -- catalogue text
    return text % variables if variables else text


def load_catalogues() -> dict[Lang, Translator]:
    """Every language's translator, compiled from the packaged catalogues."""
    return {lang: Translator(lang, compile_catalogue(lang)) for lang in SITE_LANGS}
