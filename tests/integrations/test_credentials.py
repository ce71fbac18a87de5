from __future__ import annotations

import pytest

from warta.errors import FieldError
from warta.integrations import credentials


def test_new_api_key_has_a_public_prefix_and_is_stored_only_as_a_hash() -> None:
    new = credentials.new_api_key()
    assert new.key.startswith(new.prefix + "_")
    assert credentials.key_prefix(new.key) == new.prefix
    assert len(new.prefix) <= 16  # the api_keys.prefix column
    assert new.key not in new.hash
    assert credentials.api_key_matches(new.key, new.hash)


def test_two_keys_differ_and_do_not_match_each_other() -> None:
    a, b = credentials.new_api_key(), credentials.new_api_key()
    assert a.key != b.key
    assert not credentials.api_key_matches(a.key, b.hash)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "wrt_abc",  # too short
        "Bearer wrt_AAAAAAAA_" + "x" * 43,  # the scheme pasted into the key
        "wrt_AAAAAAAA_" + "x" * 42,  # one character missing
        "wrt_AAAAAAA!_" + "x" * 43,  # not a prefix character
    ],
)
def test_malformed_keys_have_no_prefix(key: str) -> None:
    assert credentials.key_prefix(key) is None


def test_password_hash_verifies_the_password_only() -> None:
    stored = credentials.hash_password("kopi-tubruk-pagi")
    assert stored.startswith("scrypt$")
    assert "kopi-tubruk-pagi" not in stored
    assert credentials.verify_password("kopi-tubruk-pagi", stored)
    assert not credentials.verify_password("kopi-tubruk-sore", stored)


def test_two_hashes_of_one_password_differ_by_salt() -> None:
    assert credentials.hash_password("kopi-tubruk-pagi") != credentials.hash_password(
        "kopi-tubruk-pagi"
    )


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$1$2$3$!!$??", "md5$x$y$z$a$b"])
def test_unreadable_stored_hashes_never_verify(stored: str) -> None:
    assert not credentials.verify_password("kopi-tubruk-pagi", stored)


def test_short_passwords_are_refused_naming_the_field() -> None:
    with pytest.raises(FieldError) as err:
        credentials.hash_password("pendek")
    assert err.value.context["field"] == "password"
    assert "10" in err.value.hint
