"""The signature scheme, checked against the verification recipe in warta.integrations.signing."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from warta.integrations.signing import signature_header, verify_signature

SECRET = "whsec_test"  # noqa: S105 -- a test webhook's secret
BODY = b'{"type":"edition.translated","data":{"lang":"en"}}'
T = 1_741_593_600


def _recipe(secret: str, body: bytes, header: str, now: float, tolerance: int = 300) -> bool:
    """The portal-side recipe from the module docstring, written out independently."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    t = int(fields["t"])
    if abs(now - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_header_is_timestamp_and_hmac_sha256_of_timestamp_dot_body() -> None:
    header = signature_header(SECRET, BODY, timestamp=T)
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"
    assert _recipe(SECRET, BODY, header, now=T + 10)
    assert verify_signature(SECRET, BODY, header, now=T + 10)


@pytest.mark.parametrize(
    ("secret", "body", "now"),
    [
        ("whsec_other", BODY, T),  # signed with another secret
        (SECRET, BODY.replace(b"en", b"fr"), T),  # body changed in transit
        (SECRET, BODY, T + 301),  # a replay, past the tolerance
        (SECRET, BODY, T - 301),  # from the future
    ],
)
def test_verification_fails_for_the_wrong_secret_body_or_time(
    secret: str, body: bytes, now: float
) -> None:
    header = signature_header(SECRET, BODY, timestamp=T)
    assert not verify_signature(secret, body, header, now=now)
    assert not _recipe(secret, body, header, now=now)


@pytest.mark.parametrize("header", ["", "v1=abc", "t=notanumber,v1=abc", "t=1741593600"])
def test_malformed_headers_do_not_verify(header: str) -> None:
    assert not verify_signature(SECRET, BODY, header, now=T)


def test_any_of_several_v1_signatures_verifies_during_secret_rotation() -> None:
    good = signature_header(SECRET, BODY, timestamp=T).split(",v1=")[1]
    assert verify_signature(SECRET, BODY, f"t={T},v1={'0' * 64},v1={good}", now=T)
