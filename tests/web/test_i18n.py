"""The message catalogues: complete, hand-written, and loaded by the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from warta.errors import ConfigError
from warta.languages import Lang
from warta.web import i18n
from warta.web.locales import SITE_LANGS

WEB = Path(i18n.__file__).parent
MessageKey = tuple[str | None, str | tuple[str, ...]]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def used_messages() -> set[MessageKey]:
    """Every message the templates and the web package ask for, as Babel extracts them."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    method_map = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found: set[MessageKey] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(WEB), method_map=method_map, keywords=keywords, options_map=options
    ):
        found.add((context, message))
    found |= {(i18n.CATEGORY_CONTEXT, name) for name in i18n.KNOWN_CATEGORIES}
    return found


def catalogue(lang: Lang) -> Catalog:
    with i18n.catalogue_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang.value, abort_invalid=True)


def test_the_templates_use_messages_at_all() -> None:
    used = used_messages()
    assert (None, i18n.DISCLAIMER) in used
    assert (None, "Page not found") in used
    assert len(used) > 25


@pytest.mark.parametrize("lang", SITE_LANGS)
def test_every_message_is_translated_in_every_catalogue(lang: Lang) -> None:
    cat = catalogue(lang)
    entries = {(m.context, m.id): m for m in cat if m.id}
    used = used_messages()
    missing = used - set(entries)
    assert not missing, f"{lang} lacks {sorted(map(str, missing))}"
    unused = set(entries) - used
    assert not unused, f"{lang} keeps messages nothing uses: {sorted(map(str, unused))}"
    for key, message in entries.items():
        assert not message.fuzzy, f"{lang}: fuzzy {key}"
        raw = message.string
        strings = [str(s) for s in raw] if isinstance(raw, list | tuple) else [str(raw or "")]
        assert all(s.strip() for s in strings), f"{lang}: empty translation of {key}"
        if isinstance(message.id, tuple | list):
            assert len(strings) == cat.num_plurals, f"{lang}: plural forms of {key}"
        first_id = message.id[0] if isinstance(message.id, tuple | list) else message.id
        wanted = set(PLACEHOLDER.findall(str(first_id)))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, f"{lang}: placeholders of {key}"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        # hand-written, each naming AI, possible inaccuracy and Indonesian as the main language
        (Lang.EN, ("artificial intelligence", "inaccuracies", "Indonesian is the main language")),
        (Lang.ZH, ("人工智能", "不准确", "印度尼西亚语是本刊的主要语言")),
        (Lang.JA, ("人工知能", "不正確", "インドネシア語")),
        (Lang.AR, ("الذكاء الاصطناعي", "غير دقيقة", "اللغة الإندونيسية")),
        (Lang.FR, ("intelligence artificielle", "inexactitudes", "L’indonésien")),
        (Lang.ID, ("kecerdasan buatan", "ketidakakuratan", "Bahasa Indonesia")),
    ],
)
def test_the_disclaimer_is_written_in_each_language(lang: Lang, expected: tuple[str, ...]) -> None:
    translators = i18n.load_catalogues()
    text = translators[lang].gettext(i18n.DISCLAIMER)
    for phrase in expected:
        assert phrase in text
    link = translators[lang].gettext(i18n.ORIGINAL_LINK)
    assert link != i18n.ORIGINAL_LINK or lang is Lang.EN


def test_categories_get_labels_per_language_and_unknown_ones_their_own_name() -> None:
    translators = i18n.load_catalogues()
    assert translators[Lang.EN].category("olahraga") == "Sports"
    assert translators[Lang.JA].category("olahraga") == "スポーツ"
    assert translators[Lang.AR].category("teknologi") == "تكنولوجيا"
    assert translators[Lang.FR].category("tajuk utama") == "À la une"
    assert translators[Lang.EN].category("kuliner") == "Kuliner"


def test_arabic_has_six_plural_forms_and_chinese_one() -> None:
    translators = i18n.load_catalogues()
    singular = "%(num)s sentence, marked with a dotted underline, was flagged by automatic quality"
    assert catalogue(Lang.AR).num_plurals == 6
    assert catalogue(Lang.ZH).num_plurals == 1
    fr = translators[Lang.FR].ngettext(
        singular + " checks as possibly inaccurate.",
        "%(num)s sentences, marked with a dotted underline, were flagged by automatic quality "
        "checks as possibly inaccurate.",
        2,
    )
    assert fr.startswith("%(num)s phrases")


def test_a_broken_catalogue_stops_the_app_with_a_config_error(tmp_path: Path) -> None:
    broken = tmp_path / "messages.po"
    broken.write_text('msgid "Latest news"\nthis is not a catalogue\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="catalogue cannot be read") as caught:
        i18n.compile_catalogue(Lang.FR, source=broken)
    assert caught.value.context["lang"] == "fr"
    with pytest.raises(ConfigError, match="cannot be read"):
        i18n.compile_catalogue(Lang.FR, source=tmp_path / "missing.po")


def test_a_translation_that_loses_a_placeholder_is_refused(tmp_path: Path) -> None:
    lost = tmp_path / "messages.po"
    lost.write_text(
        'msgid "Latest news"\nmsgstr "Dernières actualités"\n\n'
        'msgid "page %(number)s"\nmsgstr "page %(numero)s"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"broken entry .page %\(number\)s.*numero"):
        i18n.compile_catalogue(Lang.FR, source=lost)
