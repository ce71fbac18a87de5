"""The static export: the same bytes as the site, served by a plain file server; an edition
change rewrites only what shows it; `follow` keeps the folder up to date and calls the purge
webhook (warta.web.export, warta.web.cdn)."""

from __future__ import annotations

import json
import queue
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.sitedata import SampleSite, marker, populate, store_test_edition

from warta.config import Settings
from warta.languages import Lang
from warta.services import Services, build_services
from warta.web.cdn import purge_hook
from warta.web.export import ExportResult, SiteChanges, SiteExporter, file_for, follow
from warta.web.locales import SITE_LANGS

BASE = "http://testserver"  # TestClient's address: the site's absolute links match


@dataclass
class Exported:
    services: Services
    sample: SampleSite
    out: Path
    exporter: SiteExporter
    first: ExportResult


@pytest.fixture
def exported(tmp_path: Path) -> Iterator[Exported]:
    services = build_services(Settings(home=tmp_path / "home", purge_url="http://127.0.0.1:9/"))
    try:
        sample = populate(services)
        out = tmp_path / "out"
        exporter = SiteExporter(services, out=out, base_url=BASE)
        yield Exported(services, sample, out, exporter, exporter.export_all())
    finally:
        services.close()


@pytest.fixture
def static_server(exported: Exported) -> Iterator[str]:
    """Python's own file server over the export folder, in a thread."""
    handler = partial(_QuietFiles, directory=str(exported.out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _static(base: str, url: str) -> bytes:
    served = url.partition("?")[0]
    if file_for(url).endswith("/index.html") and not served.endswith("/"):
        served += "/"  # a folder with index.html: what nginx's try_files does without redirect
    with urllib.request.urlopen(base + served, timeout=10) as response:
        assert response.status == 200
        return bytes(response.read())


def _sample_urls(exported: Exported) -> list[str]:
    urls = list(exported.exporter.manifest)
    articles = [u for u in urls if exported.exporter.manifest[u].article_id is not None]
    lists = [u for u in urls if u.endswith("/") and u.count("/") == 3]
    fixed = ["/robots.txt", "/sitemap.xml", "/en/rss.xml", "/ar/atom.xml"]
    fixed += [f"/{lang.value}/" for lang in SITE_LANGS]
    return fixed + articles[::7] + lists[:4]


def test_every_language_has_front_page_feeds_articles_and_sitemaps(exported: Exported) -> None:
    manifest = exported.exporter.manifest
    for lang in SITE_LANGS:
        for url in (f"/{lang.value}/", f"/{lang.value}/rss.xml", f"/{lang.value}/atom.xml"):
            assert url in manifest
        articles = {f.article_id for f in manifest.values() if f.url.startswith(f"/{lang.value}/")}
        assert {a.id for a in exported.sample.articles} <= articles
    assert (exported.out / "sitemap.xml").is_file()
    assert (exported.out / "static" / "site.css").is_file()
    assert manifest["/en/rss.xml"].content_type == "application/rss+xml; charset=utf-8"
    headers = (exported.out / "_headers").read_text(encoding="utf-8")
    assert "/en/rss.xml\n  Content-Type: application/rss+xml; charset=utf-8\n" in headers
    nginx = (exported.out / "nginx.conf").read_text(encoding="utf-8")
    assert 'location = /en/atom.xml {\n    types { } default_type "application/atom' in nginx


def test_a_static_server_answers_the_sites_bytes(exported: Exported, static_server: str) -> None:
    from warta.web.app import create_app

    urls = _sample_urls(exported)
    assert len(urls) > 20
    with TestClient(create_app(exported.services), follow_redirects=False) as client:
        for url in urls:
            live = client.get(url)
            assert live.status_code == 200, url
            assert _static(static_server, url) == live.content, url
            assert exported.exporter.manifest[url].content_type == live.headers["content-type"]


def test_one_edition_change_rewrites_its_pages_the_lists_showing_it_feeds_and_sitemaps(
    exported: Exported,
) -> None:
    out, pending = exported.out, exported.sample.pending
    before = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    store_test_edition(exported.services.store, pending, Lang.EN)
    result = exported.exporter.update([pending.id])
    written = set(result.written)
    after = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    replaced = {str(p.relative_to(out)) for p in after if before.get(p) != after[p]}
    assert replaced == written  # the write log is what happened on disk
    en_page = next(f for f in exported.exporter.manifest.values()
                   if f.article_id == pending.id and f.url.startswith("/en/"))  # fmt: skip
    assert marker(Lang.EN) in (out / en_page.file).read_text(encoding="utf-8")
    assert {en_page.file, "en/rss.xml", "en/atom.xml", "sitemap.xml", "en/index.html"} <= written
    for name in written:
        page = next((f for f in exported.exporter.manifest.values() if f.file == name), None)
        if page is None:
            assert name in {"_manifest.json", "_headers", "nginx.conf"}
            continue
        assert page.article_id in (None, pending.id), name  # no other article's page
        if page.article_id is None and not name.startswith("en/"):
            assert name.endswith("sitemap.xml"), name  # no list of another language
    assert all(file_for(u) not in written for u in ("/id/", "/zh/rss.xml", "/fr/"))


def test_an_update_with_nothing_changed_writes_nothing(exported: Exported) -> None:
    result = exported.exporter.update([exported.sample.full.id])
    assert result.written == []
    assert result.unchanged > 0


class _PurgeSink(BaseHTTPRequestHandler):
    received: queue.Queue[dict[str, object]]

    def do_POST(self) -> None:
        length = int(self.headers["content-length"])
        self.received.put(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_following_the_store_updates_the_export_and_calls_the_purge_webhook(
    exported: Exported,
) -> None:
    received: queue.Queue[dict[str, object]] = queue.Queue()
    sink = type("Sink", (_PurgeSink,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    updates: queue.Queue[SiteChanges] = queue.Queue()
    stop, ready = threading.Event(), threading.Event()
    settings = exported.services.settings.model_copy(
        update={"purge_url": f"http://127.0.0.1:{server.server_address[1]}/purge"}
    )
    pending = exported.sample.pending
    try:
        with purge_hook(settings, base_url="https://berita.example") as purge:
            follower = threading.Thread(
                target=follow,
                kwargs={
                    "services": exported.services, "site": "demo", "stop": stop,
                    "interval_s": 0.05, "exporter": exported.exporter, "purge": purge,
                    "on_update": lambda changes, _: updates.put(changes),
                    "on_ready": lambda _: ready.set(),
                },
            )  # fmt: skip
            follower.start()
            assert ready.wait(timeout=30)  # the baseline is taken: what follows is a change
            store_test_edition(exported.services.store, pending, Lang.FR)
            body = received.get(timeout=30)
            changes = updates.get(timeout=30)
            stop.set()
            follower.join(timeout=30)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    assert changes.articles == frozenset({pending.id})
    assert body["site"] == "demo"
    assert body["tags"] == [f"site-demo-article-{pending.id}", "site-demo-lists"]
    paths = body["paths"]
    assert isinstance(paths, list)
    assert "https://berita.example/fr/rss.xml" in paths
    fr_page = next(f for f in exported.exporter.manifest.values()
                   if f.article_id == pending.id and f.url.startswith("/fr/"))  # fmt: skip
    assert f"https://berita.example{fr_page.url}" in paths
    assert marker(Lang.FR) in (exported.out / fr_page.file).read_text(encoding="utf-8")
