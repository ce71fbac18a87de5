"""Webhook signatures: HMAC-SHA256 over a timestamp and the exact body, like Stripe's.

Every delivery carries::

    X-Warta-Signature: t=1741593600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e...

where ``v1`` is the hex HMAC-SHA256, keyed with the webhook's secret (shown once, when the
webhook is registered), of the bytes ``f"{t}.".encode() + body``. ``t`` is the Unix time of
the attempt; a retry is signed anew with its own time, over the same body.

How a portal verifies a delivery (any language; in Python)::

    import hashlib, hmac, time

    def verify(secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
        if abs(time.time() - t) > tolerance:  # refuses replays of old deliveries
            return False
        expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields["v1"])

Use the raw request body as received (not re-serialised JSON), compare in constant time, and
de-duplicate on the ``X-Warta-Delivery`` header (the event id): a delivery may arrive more than
once. :func:`verify_signature` below is that recipe.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Warta-Signature"
EVENT_HEADER = "X-Warta-Event"
DELIVERY_HEADER = "X-Warta-Delivery"
DEFAULT_TOLERANCE = 300


def signature(secret: str, body: bytes, *, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` keyed with ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int) -> str:
    return f"t={timestamp},v1={signature(secret, body, timestamp=timestamp)}"


def verify_signature(
    secret: str, body: bytes, header: str, *, now: float, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """True if ``header`` signs ``body`` with ``secret`` and its time is within ``tolerance``."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp=timestamp)
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))
