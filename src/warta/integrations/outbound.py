"""Outbound HTTP (webhook deliveries, feeds, article pages): timeouts, size caps, address policy.

Every outbound request goes through a client from :func:`make_client`: it has connect/read
timeouts, and a request hook that refuses URLs that are not ``http(s)`` and, unless the policy
allows them, hosts that resolve to loopback, private, link-local or otherwise reserved addresses
(so a registered webhook or a feed cannot make warta call services inside its own network). The
hook runs for every redirect too. Response bodies are read with :func:`read_limited`.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from warta import __version__
from warta.errors import FieldError

MAX_URL = 2048


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    timeout_seconds: float = 10.0
    connect_timeout_seconds: float = 5.0
    max_response_bytes: int = 5 * 1024 * 1024
    allow_private_networks: bool = False  # True for tests and all-in-one installations
    max_redirects: int = 5


class BlockedDestinationError(httpx.RequestError):
    """The URL is not one warta may call (scheme, or an address inside a private network)."""


def check_url(url: str, *, field: str = "url") -> str:
    """An absolute http(s) URL with a host, or FieldError naming ``field``."""
    value = url.strip()
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or len(value) > MAX_URL
        or any(c.isspace() for c in value)
    ):
        raise FieldError(
            f"{field} {value[:100]!r} is not an absolute http(s) URL",
            hint="give a full address such as https://portal.example.id/hooks/warta",
            field=field,
        )
    return value


def is_public_host(host: str) -> bool:
    """True if every address ``host`` resolves to is a public unicast address."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    if not infos:
        return False
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return False
    return True


def make_client(policy: OutboundPolicy, *, follow_redirects: bool) -> httpx.Client:
    def guard(request: httpx.Request) -> None:
        if request.url.scheme not in ("http", "https"):
            raise BlockedDestinationError(f"refused to call {request.url.scheme}: URLs")
        host = request.url.host
        if not policy.allow_private_networks and not is_public_host(host):
            raise BlockedDestinationError(
                f"refused to call {host}: it is not a public internet address"
            )

    return httpx.Client(
        timeout=httpx.Timeout(policy.timeout_seconds, connect=policy.connect_timeout_seconds),
        follow_redirects=follow_redirects,
        max_redirects=policy.max_redirects,
        headers={"User-Agent": f"warta/{__version__}"},
        event_hooks={"request": [guard]},
        trust_env=False,
    )


class ResponseTooLargeError(httpx.HTTPError):
    """The response body is over the policy's ``max_response_bytes``."""


def read_limited(response: httpx.Response, *, max_bytes: int) -> bytes:
    """The body of a streamed response, refusing more than ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLargeError(
                f"the response from {response.url} is larger than {max_bytes} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks)
