"""Which ``Host`` headers the app answers, and telling caches that pages depend on it.

Without ``WARTA_PUBLIC_URLS`` a page's absolute links (canonical, hreflang, sitemaps, feeds,
robots.txt) are made from the request's ``Host`` header, and ``WARTA_SITE_HOSTS`` picks the site
by it: a forged ``Host`` would put another origin's links into a page a shared cache keeps. So:

* ``WARTA_TRUSTED_HOSTS`` (a comma-separated list; ``*.example.org`` patterns allowed) installs
  Starlette's ``TrustedHostMiddleware``: any other ``Host`` gets 400 before any page is read,
  cached or not (:func:`install_host_checks`), except the probes ``/healthz``, ``/readyz`` and
  ``/metrics``, which orchestrators call by address;
* every response of the site (not ``/api/``, ``/static/``, ``/healthz``) carries ``Vary: Host``
  (:class:`VaryHost`), so a cache keeps one copy per host;
* ``warta serve`` warns at start when it listens on a non-loopback address with neither
  ``WARTA_TRUSTED_HOSTS`` nor ``WARTA_PUBLIC_URLS`` set (:func:`host_warning`).
"""

from __future__ import annotations

import ipaddress

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warta.config import Settings

HOST_INDEPENDENT = ("/api/", "/static/", "/healthz", "/readyz", "/metrics")
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})  # what orchestrators call by address


class TrustedHosts:
    """Starlette's ``TrustedHostMiddleware`` for everything but the probes (:data:`PROBES`).

    Health checks and metric scrapers call a container by its address (``Host: 10.0.0.5:8000``);
    the probes build no link from the ``Host`` header, so refusing them would only make a
    healthy server look dead.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str]) -> None:
        self.app = app
        self.checked = TrustedHostMiddleware(app, allowed_hosts=allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") in PROBES:
            await self.app(scope, receive, send)
        else:
            await self.checked(scope, receive, send)


class VaryHost:
    """ASGI middleware: ``Vary: Host`` on the site's responses (added to any ``Vary`` there)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path.startswith(HOST_INDEPENDENT):
            await self.app(scope, receive, send)
            return

        async def send_varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                vary = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
                if not any(v.lower() == "host" for v in vary):
                    headers["Vary"] = ", ".join([*vary, "Host"])
            await send(message)

        await self.app(scope, receive, send_varying)


def install_host_checks(app: FastAPI, settings: Settings) -> None:
    """``Vary: Host`` on the site's responses, then (outermost) the trusted-host check when
    ``settings.trusted_hosts`` names any. Call it after every other middleware is added."""
    app.add_middleware(VaryHost)
    if settings.trusted_hosts:
        app.add_middleware(TrustedHosts, allowed_hosts=list(settings.trusted_hosts))


def is_loopback(host: str) -> bool:
    """Whether ``warta serve --host HOST`` listens on the loopback interface only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def host_warning(host: str, settings: Settings) -> str | None:
    """The warning ``warta serve`` prints when the Host header decides links on a public address."""
    if is_loopback(host) or settings.trusted_hosts or settings.public_urls:
        return None
    return (
        f"warning: serving on {host} with neither WARTA_TRUSTED_HOSTS nor WARTA_PUBLIC_URLS set: "
        "the request's Host header decides the site's canonical, hreflang, sitemap and feed "
        'links; set WARTA_PUBLIC_URLS=\'{"SITE": "https://your.domain"}\' or '
        "WARTA_TRUSTED_HOSTS=your.domain (see docs/SECURITY.md)"
    )
