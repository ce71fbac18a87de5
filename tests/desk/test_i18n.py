"""The desk's catalogues (``warta/desk/locale/{id,en}/LC_MESSAGES/desk.po``): complete, no
leftovers, placeholders kept, and compiled by the app.

Maintainers: after changing a message in ``src/warta/desk``, extract with Babel (the method map
below) and add the Indonesian and English entries; this test names what is missing or unused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from warta import desk
from warta.desk.i18n import DESK_LANGS, load_desk_catalogues
from warta.languages import Lang

DESK = Path(desk.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def used_messages() -> set[str | tuple[str, ...]]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    method_map = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(DESK), method_map=method_map, keywords=keywords, options_map=options
        )
    }


def catalogue(lang: Lang) -> Catalog:
    path = DESK / "locale" / lang.value / "LC_MESSAGES" / "desk.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=lang.value, abort_invalid=True)


def test_the_desk_uses_many_messages() -> None:
    used = used_messages()
    assert "Review queue" in used
    assert len(used) > 100


@pytest.mark.parametrize("lang", DESK_LANGS)
def test_every_message_is_translated_and_none_is_left_over(lang: Lang) -> None:
    cat = catalogue(lang)
    entries = {m.id: m for m in cat if m.id}
    used = used_messages()
    assert used - set(entries) == set(), f"{lang} lacks messages"
    assert set(entries) - used == set(), f"{lang} keeps unused messages"
    for key, message in entries.items():
        assert not message.fuzzy, key
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = key if isinstance(key, tuple) else (key,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert text, f"{lang}: empty translation of {key!r}"
            assert set(PLACEHOLDER.findall(text)) == wanted, key


def test_the_indonesian_catalogue_is_not_a_copy_of_the_english_one() -> None:
    same = [m.id for m in catalogue(Lang.ID) if m.id and m.string == m.id]
    assert len(same) < 6, same  # a few words are the same in both ("Status", "Email")


def test_the_app_compiles_both_catalogues() -> None:
    translators = load_desk_catalogues()
    assert translators[Lang.ID].gettext("Review queue") == "Antrean tinjauan"
    assert translators[Lang.EN].gettext("Review queue") == "Review queue"
