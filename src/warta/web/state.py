"""Everything the site keeps between requests, built once by ``create_app`` and kept on
``app.state.web``: templates, catalogues, the page cache, the site resolver. Nothing global.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape

from warta.domain import Site
from warta.errors import NotFoundError
from warta.languages import Lang
from warta.services import Services
from warta.store.counter import ChangeCounter
from warta.store.policies import PolicyStore
from warta.web.cache import PageCache
from warta.web.cdn import CachePolicy
from warta.web.fast import ChangeWatch, watch_local_writes
from warta.web.i18n import Translator, load_catalogues
from warta.web.views import Reader


def make_templates() -> Environment:
    """The Jinja environment: autoescaped HTML, i18n in Jinja's "newstyle" gettext convention.

    The translations themselves are passed with each render (:meth:`Translator.template_globals`),
    so one environment serves all six languages at once.
    """
    env = Environment(
        loader=PackageLoader("warta.web", "templates"),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Added by the i18n extension; sets the "newstyle" flag (the callables come with each render).
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def static_version() -> str:
    """A short hash of the stylesheet, appended to its URL so browsers fetch a changed one."""
    css = (files("warta.web") / "static" / "site.css").read_bytes()
    return hashlib.sha256(css).hexdigest()[:10]


class SiteResolver:
    """Chooses the site by the request's Host (``Settings.site_hosts``), else the default site.

    Sites found are remembered (sites are never deleted); a missing one is looked up again on the
    next request, so a site created while the app runs is served without a restart.
    """

    def __init__(self, *, services: Services) -> None:
        self._services = services
        self._hosts = {h.lower(): slug for h, slug in services.settings.site_hosts.items()}
        self._known: dict[str, Site] = {}
        self._lock = threading.Lock()

    def slug_for(self, host: str | None) -> str:
        name = (host or "").strip().lower()
        # Without the port; an IPv6 literal keeps its brackets ("[::1]:8000" -> "[::1]").
        name = name.partition("]")[0] + "]" if name.startswith("[") else name.partition(":")[0]
        return self._hosts.get(name, self._services.settings.default_site)

    def site(self, request: Request) -> Site:
        """The request's site; NotFoundError if it does not exist (yet)."""
        slug = self.slug_for(request.headers.get("host"))
        with self._lock:
            site = self._known.get(slug)
        if site is None:
            site = self._services.store.get_site(slug)
            with self._lock:
                self._known[slug] = site
        return site


@dataclass
class WebState:
    services: Services
    templates: Environment
    translators: Mapping[Lang, Translator]
    cache: PageCache
    sites: SiteResolver
    reader: Reader
    css_version: str
    cache_seconds: int
    public_urls: Mapping[str, str]  # site slug -> public base URL (Settings.public_urls)
    watch: ChangeWatch  # the store's change counter, read at most every cache_check_ms
    cache_policy: CachePolicy  # Cache-Control of pages (warta.web.cdn)

    @classmethod
    def build(cls, services: Services, *, clock: Callable[[], float] = time.monotonic) -> WebState:
        settings = services.settings
        watch = ChangeWatch(
            read=ChangeCounter(services.db).read,
            interval_s=settings.cache_check_ms / 1000,
            clock=clock,
        )
        watch_local_writes(services.db, watch)
        return cls(
            services=services,
            templates=make_templates(),
            translators=load_catalogues(),
            cache=PageCache(),
            sites=SiteResolver(services=services),
            reader=Reader(
                store=services.store,
                policies=PolicyStore(services.db),
                mark_doubtful=settings.mark_doubtful_segments,
            ),
            css_version=static_version(),
            cache_seconds=settings.page_cache_seconds,
            public_urls=dict(settings.public_urls),
            watch=watch,
            cache_policy=CachePolicy.from_settings(settings),
        )


def web_state(request: Request) -> WebState:
    state = request.app.state.web
    if not isinstance(state, WebState):  # pragma: no cover -- create_app sets it
        raise NotFoundError("the web site is not set up", hint="build the app with create_app()")
    return state
