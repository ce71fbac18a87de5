"""What the site needs to know about each of its six languages: codes, direction, names, dates.

One table, :data:`LOCALES`, so that templates, feeds, the sitemap and the language negotiation
agree on every code:

========  ==========  ==========  ============  ========  =========
language  html lang   hreflang    Babel locale  og        news/RSS
========  ==========  ==========  ============  ========  =========
id        id          id          id_ID         id_ID     id
en        en          en          en            en_US     en
zh        zh-Hans     zh-Hans     zh_Hans_CN    zh_CN     zh-cn
ja        ja          ja          ja_JP         ja_JP     ja
ar        ar          ar          ar            ar_AR     ar
fr        fr          fr          fr_FR         fr_FR     fr
========  ==========  ==========  ============  ========  =========

Chinese is the Simplified edition, so its document language is ``zh-Hans`` (BCP 47); Google News
and RSS know Simplified Chinese as ``zh-cn``. Dates are shown in Jakarta time (WIB, UTC+7, no
daylight saving), the time the newsroom writes in. Digits are CLDR's default for each locale,
Latin for Arabic too, which is also what the translation pipeline writes
(:mod:`warta.text.numbers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from babel.numbers import format_decimal

from warta.languages import Lang

JAKARTA = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True, slots=True)
class WebLocale:
    lang: Lang
    html_lang: str  # the document's lang attribute and hreflang (BCP 47)
    babel: str  # Babel/CLDR locale identifier for dates and numbers
    og_locale: str  # Open Graph og:locale
    news_lang: str  # RSS <language> and Google News <news:language>
    autonym: str  # the language's name in itself, for the language switcher

    @property
    def dir(self) -> str:
        return "rtl" if self.lang.is_rtl else "ltr"

    @property
    def code(self) -> str:
        return self.lang.value

    def babel_locale(self) -> Locale:
        return Locale.parse(self.babel)

    def format_date(self, when: datetime) -> str:
        """The date in Jakarta, written the way this language writes it ("10 Maret 2025")."""
        return format_date(when.astimezone(JAKARTA), "long", locale=self.babel)

    def format_datetime(self, when: datetime) -> str:
        """Date and time of day in Jakarta: "10 mars 2025, 15:05", "10 مارس 2025، 3:05 م"."""
        local = when.astimezone(JAKARTA)
        date = format_date(local, "long", locale=self.babel)
        time = format_time(local, "short", locale=self.babel)
        pattern = get_datetime_format("long", locale=self.babel)
        return str(pattern).replace("'", "").replace("{1}", date).replace("{0}", time)

    def format_number(self, number: int) -> str:
        """An integer in the language's digits and grouping ("12.345" in Indonesian)."""
        return format_decimal(number, locale=self.babel)

    def format_zone(self, when: datetime) -> str:
        """The UTC offset of the shown times, localised ("GMT+07:00", "غرينتش+07:00")."""
        return format_datetime(when, "ZZZZ", tzinfo=JAKARTA, locale=self.babel)


LOCALES: dict[Lang, WebLocale] = {
    Lang.ID: WebLocale(Lang.ID, "id", "id_ID", "id_ID", "id", "Bahasa Indonesia"),
    Lang.EN: WebLocale(Lang.EN, "en", "en", "en_US", "en", "English"),
    Lang.ZH: WebLocale(Lang.ZH, "zh-Hans", "zh_Hans_CN", "zh_CN", "zh-cn", "简体中文"),
    Lang.JA: WebLocale(Lang.JA, "ja", "ja_JP", "ja_JP", "ja", "日本語"),
    Lang.AR: WebLocale(Lang.AR, "ar", "ar", "ar_AR", "ar", "العربية"),
    Lang.FR: WebLocale(Lang.FR, "fr", "fr_FR", "fr_FR", "fr", "Français"),
}

SITE_LANGS: tuple[Lang, ...] = tuple(LOCALES)  # Indonesian first, then the editions


def lang_from_path(code: str) -> Lang | None:
    """The language of a URL's first segment; only the exact lower-case codes count."""
    try:
        lang = Lang(code)
    except ValueError:
        return None
    return lang if lang.value == code else None


def negotiate(accept_language: str | None, *, default: Lang = Lang.ID) -> Lang:
    """The best of the six languages for an ``Accept-Language`` header (RFC 9110 §12.5.4).

    ``zh-TW`` and ``zh-Hant`` still choose Chinese: the Simplified edition is the nearest one
    there is. Malformed entries are ignored; nothing acceptable gives ``default``.
    """
    if not accept_language:
        return default
    ranked: list[tuple[float, int, Lang]] = []
    for position, item in enumerate(accept_language.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if not 0.0 < quality <= 1.0:
            continue
        primary = tag.strip().split("-")[0].split("_")[0].lower()
        if primary == "in":  # the withdrawn ISO 639 code for Indonesian, still sent by old Androids
            primary = "id"
        lang = lang_from_path(primary)
        if lang is not None:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else default
