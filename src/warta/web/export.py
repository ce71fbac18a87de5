"""The static export: every public page, feed and sitemap of a site as files, kept up to date.

:class:`SiteExporter` asks the site itself for each page, in process (the ASGI app of
:func:`warta.web.app.create_app`, no server), so a file holds exactly the bytes ``warta serve``
answers. Which pages: the six front pages, feeds and sitemaps, then every link they and the
pages found lead to within the URL scheme (:mod:`warta.web.urls`): articles in six languages,
categories and their further pages. Files:

* ``/en/`` -> ``en/index.html``; ``/en/12-slug`` -> ``en/12-slug/index.html``;
  ``/en/sport/?page=2`` -> ``en/sport/page-2.html``; ``/en/rss.xml`` -> ``en/rss.xml``;
* ``static/`` (the stylesheet), ``_headers`` (content types, Cache-Control and CDN tags per
  path, the format of Netlify, Cloudflare Pages and others), ``nginx.conf`` (a snippet for a
  ``server`` block: index files, ``?page=N``, content types of feeds) and ``_manifest.json``
  (path -> file, content type, headers: what the next update compares with).

Every file is written atomically (a temporary file in the same folder, then ``os.replace``) and
only when its bytes differ, so :meth:`SiteExporter.update` after an edition change rewrites
exactly what changed: the article's pages, the lists that show it, feeds and sitemaps.

:func:`follow` polls the store's change counter and, when articles of the site change, updates
the export and/or calls the purge webhook (:mod:`warta.web.cdn`); ``warta publish --watch`` and
``warta serve`` (with ``WARTA_PUBLISH_DIR`` or ``WARTA_PURGE_URL``) run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from warta.domain import Site
from warta.errors import FieldError
from warta.services import Services
from warta.store.counter import ChangeCounter, Fingerprint
from warta.web import cdn
from warta.web.fast import ChangeWatch
from warta.web.locales import SITE_LANGS
from warta.web.urls import parse_article_segment

_T = TypeVar("_T")

log = logging.getLogger("warta.publish")

MANIFEST = "_manifest.json"
HEADERS_FILE = "_headers"
NGINX_FILE = "nginx.conf"
_HREF = re.compile(r'href="([^"]+)"')
_LANG_CODES = "|".join(lang.value for lang in SITE_LANGS)
_PAGE_PATH = re.compile(rf"^/(?:{_LANG_CODES})/(?:[^/?#]+/?)?$")
_KEPT_HEADERS = ("cache-control", "surrogate-key", "cache-tag")


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """One exported URL: its file (relative to the folder) and what the site sent with it."""

    url: str  # path with query, as the site serves it
    file: str
    content_type: str
    headers: dict[str, str]

    @property
    def article_id(self) -> int | None:
        parts = self.url.split("/")
        if len(parts) != 3 or not parts[2]:
            return None
        found = parse_article_segment(parts[2])
        return None if found is None else found[0]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "content_type": self.content_type, "headers": self.headers}


@dataclass
class ExportResult:
    written: list[str] = field(default_factory=list)  # files written (relative), in order
    removed: list[str] = field(default_factory=list)  # files of pages that moved or went away
    unchanged: int = 0
    urls: list[str] = field(default_factory=list)  # URLs of the files written or removed

    @property
    def pages(self) -> int:
        return len(self.written) + self.unchanged


def file_for(url: str) -> str:
    """The file (relative, POSIX) that holds the page at ``url`` (path, maybe ``?page=N``)."""
    path, _, query = url.partition("?")
    page = query.removeprefix("page=") if query.startswith("page=") else ""
    if path.endswith("/"):
        name = f"page-{page}.html" if page and page != "1" else "index.html"
        return path.lstrip("/") + name
    if path.endswith((".xml", ".txt")):
        return path.lstrip("/")
    return path.lstrip("/") + "/index.html"


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target``, then rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as sink:
            sink.write(data)
        os.chmod(temporary, 0o644)  # public web files
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes


class SiteExporter:
    """Exports one site into ``out`` (``site``: a slug, default the default site) with absolute
    links to ``base_url`` (default: the site's ``Settings.public_urls`` entry)."""

    def __init__(
        self,
        services: Services,
        *,
        out: Path,
        site: str | None = None,
        base_url: str | None = None,
    ) -> None:
        from warta.web.app import create_app

        settings = services.settings
        self.slug = site or settings.default_site
        base = (base_url or settings.public_urls.get(self.slug) or "").rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise FieldError(
                f"the export of site {self.slug!r} needs the site's public address, got {base!r}",
                hint="pass --base-url https://news.example or set WARTA_PUBLIC_URLS",
                field="base_url",
            )
        self.base_url = base
        self._scheme, self._host = parts.scheme, parts.netloc
        self.site: Site = services.store.get_site(self.slug)
        # The export asks the store every time (no fast path) and serves this site on any Host.
        own = settings.model_copy(
            update={"default_site": self.slug, "site_hosts": {}, "cache_check_ms": 0}
        )
        self._app = create_app(replace(services, settings=own))
        self.out = out
        self.manifest: dict[str, ExportedFile] = self._load_manifest()

    # --- whole site and updates ---------------------------------------------------------------

    def export_all(self) -> ExportResult:
        """Every page the site links to; files of pages no longer found are removed."""
        result = ExportResult()
        found = _run(lambda: self._crawl(self._roots(), follow_articles=True, result=result))
        gone = [url for url in self.manifest if url not in found]
        self._remove(gone, result)
        self._copy_static(result)
        self._write_indexes(result)
        return result

    def update(self, article_ids: Iterable[int]) -> ExportResult:
        """After editions of these articles changed: their pages in six languages, every list
        (front, category pages), feeds and sitemaps; only files whose bytes differ are written."""
        result = ExportResult()
        ids = sorted(set(article_ids))
        old = {url for url, f in self.manifest.items() if f.article_id in ids}
        lists = [url for url, f in self.manifest.items() if f.article_id is None]
        articles = [f"/{lang.value}/{article_id}" for article_id in ids for lang in SITE_LANGS]
        roots = list(dict.fromkeys([*self._roots(), *lists, *articles]))
        found = _run(lambda: self._crawl(roots, follow_articles=False, result=result))
        self._remove(sorted(old - found), result)
        self._write_indexes(result)
        return result

    # --- fetching -----------------------------------------------------------------------------

    def _roots(self) -> list[str]:
        roots = ["/robots.txt", "/sitemap.xml", "/news-sitemap.xml"]
        for lang in SITE_LANGS:
            roots += [f"/{lang.value}/", f"/{lang.value}/rss.xml", f"/{lang.value}/atom.xml"]
        return roots

    async def _crawl(
        self, roots: Sequence[str], *, follow_articles: bool, result: ExportResult
    ) -> set[str]:
        """Fetch ``roots`` and the pages they link to (lists always; articles if asked); write
        each page that answers 200. The URLs written or unchanged."""
        queue = list(dict.fromkeys(roots))
        seen = set(queue)
        exported: set[str] = set()
        while queue:
            url = queue.pop(0)
            response = await self._get(url)
            if response.status in (301, 302, 307, 308):
                target = self._local(response.headers.get("location", ""))
                if target is not None and target not in seen:
                    seen.add(target)
                    queue.append(target)
                continue
            if response.status != 200:
                continue
            self._save(url, response, result)
            exported.add(url)
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            for href in _HREF.findall(response.body.decode("utf-8", "replace")):
                link = self._local(html.unescape(href))
                if link is None or link in seen:
                    continue
                is_article = ExportedFile(link, "", "", {}).article_id is not None
                if is_article and not follow_articles:
                    continue
                seen.add(link)
                queue.append(link)
        return exported

    def _local(self, href: str) -> str | None:
        """The site-relative URL of a link to one of the site's pages, else None."""
        if href.startswith(self.base_url + "/"):
            href = href[len(self.base_url) :]
        href = href.partition("#")[0]
        path, _, query = href.partition("?")
        if not _PAGE_PATH.match(path):
            return None
        if query and not re.fullmatch(r"page=[0-9]{1,5}", query):
            return None
        return f"{path}?{query}" if query else path

    async def _get(self, url: str) -> _Response:
        path, _, query = url.partition("?")
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": self._scheme,
            "path": path,
            "raw_path": path.encode("utf-8"),
            "query_string": query.encode("ascii"),
            "root_path": "",
            "headers": [(b"host", self._host.encode("ascii")), (b"user-agent", b"warta-publish")],
            "client": ("127.0.0.1", 0),
            "server": (self._host.partition(":")[0], None),
        }
        status = 0
        headers: dict[str, str] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    headers[name.decode("latin-1").lower()] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self._app(scope, receive, send)
        return _Response(status, headers, b"".join(chunks))

    # --- files --------------------------------------------------------------------------------

    def _save(self, url: str, response: _Response, result: ExportResult) -> None:
        name = file_for(url)
        if self._write(name, response.body):
            result.written.append(name)
            result.urls.append(url)
        else:
            result.unchanged += 1
        kept = {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS}
        self.manifest[url] = ExportedFile(
            url, name, response.headers.get("content-type", "application/octet-stream"), kept
        )

    def _write(self, name: str, data: bytes) -> bool:
        target = self.out / name
        try:
            if target.read_bytes() == data:
                return False
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
        write_atomic(target, data)
        return True

    def _remove(self, urls: Iterable[str], result: ExportResult) -> None:
        for url in urls:
            gone = self.manifest.pop(url, None)
            if gone is None:
                continue
            target = self.out / gone.file
            if target.is_file():
                target.unlink()
                result.removed.append(gone.file)
                result.urls.append(url)
                if target.name == "index.html":
                    with contextlib.suppress(OSError):  # not empty: a page lives below
                        target.parent.rmdir()

    def _copy_static(self, result: ExportResult) -> None:
        folder = files("warta.web") / "static"
        for item in folder.iterdir():
            if item.is_file() and self._write(f"static/{item.name}", item.read_bytes()):
                result.written.append(f"static/{item.name}")

    def _write_indexes(self, result: ExportResult) -> None:
        entries = sorted(self.manifest.values(), key=lambda f: f.url)
        manifest = {
            "site": self.slug,
            "base_url": self.base_url,
            "pages": {f.url: f.to_dict() for f in entries},
        }
        texts = {
            MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            HEADERS_FILE: headers_file(entries),
            NGINX_FILE: nginx_snippet(entries),
        }
        for name, text in texts.items():
            if self._write(name, text.encode("utf-8")):
                result.written.append(name)

    def _load_manifest(self) -> dict[str, ExportedFile]:
        try:
            data = json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        if data.get("site") != self.slug or data.get("base_url") != self.base_url:
            return {}
        return {
            url: ExportedFile(url, e["file"], e["content_type"], dict(e["headers"]))
            for url, e in data.get("pages", {}).items()
        }


def headers_file(entries: Sequence[ExportedFile]) -> str:
    """``_headers`` (Netlify, Cloudflare Pages): per served path, its content type and the
    Cache-Control and CDN tags ``warta serve`` sends. Pages past the first of a category are
    served under their file's path (``/en/sport/page-2.html``)."""
    lines: list[str] = []
    for entry in entries:
        served = entry.url if "?" not in entry.url else "/" + entry.file
        lines.append(served)
        lines.append(f"  Content-Type: {entry.content_type}")
        for name in ("Cache-Control", "Surrogate-Key", "Cache-Tag"):
            value = entry.headers.get(name.lower())
            if value:
                lines.append(f"  {name}: {value}")
    return "\n".join(lines) + "\n"


def nginx_snippet(entries: Sequence[ExportedFile]) -> str:
    """An nginx snippet for a ``server`` block whose ``root`` is the export folder."""
    lines = [
        "# warta static export: include inside server { root /path/to/export; ... }",
        "index index.html;",
        "location / {",
        '    if ($arg_page ~ "^[0-9]+$") { rewrite ^(.*/)$ $1page-$arg_page.html? last; }',
        "    try_files $uri $uri/index.html =404;",
        "}",
    ]
    for entry in entries:
        if entry.content_type.startswith("text/html"):
            continue
        lines += [
            f"location = {entry.url} {{",
            f'    types {{ }} default_type "{entry.content_type}";',
            "}",
        ]
    return "\n".join(lines) + "\n"


# --- following the store ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteChanges:
    site_wide: bool  # the site's name, policies or the models changed: every page
    articles: frozenset[int]  # articles whose pages changed (new, edited, editions, decisions)


class ChangeFeed:
    """Which articles of a site changed since the last :meth:`poll` (the first poll: none)."""

    def __init__(self, counter: ChangeCounter, *, site_id: int) -> None:
        self._counter = counter
        self._site_id = site_id
        self._site: Fingerprint | None = None
        self._articles: dict[int, Fingerprint] = {}

    def poll(self) -> SiteChanges:
        site, articles = self._counter.site_state(self._site_id)
        first = self._site is None
        site_wide = not first and site != self._site
        changed = frozenset(
            a
            for a in set(articles) | set(self._articles)
            if articles.get(a) != self._articles.get(a)
        )
        self._site, self._articles = site, articles
        return SiteChanges(site_wide, frozenset() if first else changed)


def purge_for(
    slug: str, changes: SiteChanges, *, paths: Sequence[str] = ()
) -> cdn.PurgeRequest | None:
    if not changes.site_wide and not changes.articles:
        return None
    tags = [cdn.site_tag(slug)] if changes.site_wide else cdn.purge_tags(slug, changes.articles)
    return cdn.PurgeRequest(slug, tuple(paths), tuple(tags))


def default_purge_paths(changes: SiteChanges) -> list[str]:
    """Without an export to say which files changed: the lists, feeds, sitemaps and the
    articles' short paths (``/en/12``, redirecting to the page)."""
    paths = ["/sitemap.xml", "/news-sitemap.xml"]
    for lang in SITE_LANGS:
        paths += [f"/{lang.value}/", f"/{lang.value}/rss.xml", f"/{lang.value}/atom.xml"]
        paths += [f"/{lang.value}/{a}" for a in sorted(changes.articles)]
    return paths


def follow(
    services: Services,
    *,
    site: str,
    stop: threading.Event,
    interval_s: float,
    exporter: SiteExporter | None = None,
    purge: cdn.PurgeHook | None = None,
    on_update: Callable[[SiteChanges, ExportResult | None], None] | None = None,
    on_ready: Callable[[ExportResult | None], None] | None = None,
) -> None:
    """Until ``stop`` is set: every ``interval_s``, read the change counter; when it moved,
    find the site's changed articles, update the export and send the purge. Errors are logged
    and tried again on the next change.

    The whole export is written first, after the store's state is taken as the baseline, so
    a change made meanwhile is not missed; ``on_ready`` gets its result."""
    counter = ChangeCounter(services.db)
    site_id = services.store.get_site(site).id
    watch = ChangeWatch(read=counter.read, interval_s=interval_s)
    feed = ChangeFeed(counter, site_id=site_id)
    seen = watch.refresh()
    feed.poll()
    first = exporter.export_all() if exporter is not None else None
    if on_ready is not None:
        on_ready(first)
    while not stop.wait(interval_s):
        try:
            generation = watch.refresh()
            if generation == seen:
                continue
            seen = generation
            changes = feed.poll()
            if not changes.site_wide and not changes.articles:
                continue
            result = _apply(exporter, changes)
            if purge is not None:
                paths = result.urls if result is not None else default_purge_paths(changes)
                request = purge_for(site, changes, paths=paths)
                if request is not None:
                    purge.send(request)
            if on_update is not None:
                on_update(changes, result)
        except Exception:  # the follower outlives one failure; it is logged
            log.exception("publishing the changes of site %s failed", site)


def _apply(exporter: SiteExporter | None, changes: SiteChanges) -> ExportResult | None:
    if exporter is None:
        return None
    if changes.site_wide or any(a not in _known_articles(exporter) for a in changes.articles):
        return exporter.export_all()  # a new article can add a category to every page's menu
    return exporter.update(changes.articles)


def _known_articles(exporter: SiteExporter) -> set[int]:
    return {a for f in exporter.manifest.values() if (a := f.article_id) is not None}


def _run(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from synchronous code.

    In a thread that already runs an event loop (an async caller, or a test session holding
    Playwright's), ``asyncio.run`` refuses: the coroutine then runs on a loop of its own in a
    short-lived thread. The coroutine is made where it runs, so none is left un-awaited.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="warta-export") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()
