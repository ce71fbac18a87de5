"""Secrets: API keys, editor passwords, session tokens. Pure functions, no I/O.

- An API key reads ``wrt_<8 letters/digits>_<43 url-safe characters>`` (256 random bits after
  the prefix). The first part, ``wrt_XXXXXXXX``, is its public *prefix*: stored in clear to find
  the key and shown in listings. Only ``sha256`` of the whole key is stored; the key itself is
  shown once, when it is made. A random 256-bit secret needs no slow hash: there is nothing to
  guess from its hash.
- Editor passwords are hashed with scrypt (``hashlib.scrypt``, n=2**14, r=8, p=1, 16-byte salt)
  and compared in constant time.
- Session and CSRF tokens are random url-safe strings; the database keeps their sha256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

from warta.errors import FieldError

KEY_SCHEME = "wrt"
_KEY = re.compile(r"(wrt_[A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})")
_ALPHABET = string.ascii_letters + string.digits

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made: ``key`` is shown once; ``prefix`` and ``hash`` are stored."""

    key: str
    prefix: str
    hash: str


def new_api_key() -> NewKey:
    prefix = f"{KEY_SCHEME}_" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, prefix=prefix, hash=hash_api_key(key))


def key_prefix(key: str) -> str | None:
    """The public prefix of a well-formed key, or None if ``key`` is not shaped like one."""
    m = _KEY.fullmatch(key)
    return m.group(1) if m else None


def hash_api_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def api_key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(key), stored_hash)


def new_token() -> str:
    """A random session or CSRF token (256 bits, url-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise FieldError(
            f"the password has {len(password)} characters",
            hint=f"choose a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            field="password",
        )
    return password


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$<salt b64>$<hash b64>`` of a password that passes :func:`check_password`."""
    check_password(password)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return "$".join(
        ("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest))
    )


def verify_password(password: str, stored: str) -> bool:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or len(password) > MAX_PASSWORD:
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
        actual = _scrypt(password, salt=salt, n=n, r=r, p=p)
    except ValueError:  # not base64, or scrypt parameters that cannot be (n not a power of 2)
        return False
    return hmac.compare_digest(actual, expected)


def dummy_password_check(password: str) -> None:
    """Spend the time of a real check, so an unknown email answers as slowly as a wrong password."""
    _scrypt(password[:MAX_PASSWORD], salt=b"\0" * 16, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)


def _scrypt(password: str, *, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
