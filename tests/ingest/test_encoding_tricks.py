"""Encoding tricks that only raw bytes can carry (``warta ingest`` files, request bodies) are
refused before anything reads them as text: overlong UTF-8 forms of ``<`` and ``>``, UTF-16
surrogates encoded in UTF-8 (CESU-8), and a UTF-7 charset declaration changes nothing."""

from __future__ import annotations

import pytest

from warta.errors import EncodingError
from warta.ingest.validate import Validator


@pytest.mark.parametrize(
    "data",
    [
        b"<p>aman</p>\xc0\xbcscript\xc0\xbealert(1)\xc0\xbc/script\xc0\xbe",  # overlong "<" ">"
        b"\xe0\x80\xbcscript\xe0\x80\xbe",  # three-byte overlong "<"
        b"\xf0\x80\x80\xbcimg src=x onerror=alert(1)\xf0\x80\x80\xbe",  # four-byte overlong
        b"\xed\xa0\xbc\xed\xbd\x80",  # a surrogate pair as CESU-8
        b"<p>a\xffb</p>",
    ],
)
def test_bytes_that_are_not_strict_utf8_are_refused(data: bytes) -> None:
    validator = Validator(max_bytes=512 * 1024, min_confidence=0.5)
    with pytest.raises(EncodingError):
        validator.decode(data, origin="hostile.html")


def test_a_utf7_declaration_leaves_utf7_text_as_text() -> None:
    validator = Validator(max_bytes=512 * 1024, min_confidence=0.5)
    data = b'<meta charset="utf-7">+ADw-script+AD4-alert(1)+ADw-/script+AD4-'
    text = validator.decode(data, origin="utf7.html")
    assert "<script" not in text
    assert "+ADw-script+AD4-" in text
