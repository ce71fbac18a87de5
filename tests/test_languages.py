"""Language codes given by people: targets, and Indonesian named as one."""

from __future__ import annotations

import pytest

from warta.errors import UnknownLanguageError
from warta.languages import Lang, parse_targets


def test_targets_keep_their_order_without_repeats() -> None:
    assert parse_targets("fr, en,fr") == (Lang.FR, Lang.EN)


@pytest.mark.parametrize("spec", ["id", "en,id", " ID "])
def test_indonesian_as_a_target_is_called_the_source_not_an_unknown_code(spec: str) -> None:
    with pytest.raises(UnknownLanguageError) as info:
        parse_targets(spec)
    assert "is Indonesian, the source language, not a target" in info.value.message
    assert "unknown" not in info.value.message
    assert info.value.hint == "name targets among en,zh,ja,ar,fr"


def test_an_unknown_code_is_still_called_unknown() -> None:
    with pytest.raises(UnknownLanguageError, match="unknown language code 'xx'"):
        parse_targets("en,xx")
