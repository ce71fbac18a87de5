"""Host headers: WARTA_TRUSTED_HOSTS refuses others, site responses vary on Host, and `warta
serve` warns when the Host header alone decides the links on a public address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import LiveSite
from tests.web.sitedata import populate

from warta.config import Settings
from warta.services import build_services
from warta.web.app import create_app
from warta.web.hosts import host_warning, is_loopback


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path, trusted_hosts=("news.example", "*.news.example"))
    services = build_services(settings)
    try:
        populate(services)
        with TestClient(create_app(services), follow_redirects=False) as client:
            yield client
    finally:
        services.close()


@pytest.mark.parametrize("path", ["/id/", "/sitemap.xml", "/robots.txt", "/api/v1/status"])
def test_trusted_hosts_answer_and_any_other_host_is_refused_even_for_a_cached_page(
    guarded: TestClient, path: str
) -> None:
    for host in ("news.example", "www.news.example"):
        first = guarded.get(path, headers={"Host": host})
        assert first.status_code in (200, 401), (host, first.status_code)
        assert guarded.get(path, headers={"Host": host}).status_code == first.status_code
    forged = guarded.get(path, headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert "evil.example" not in forged.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_answer_any_host_since_orchestrators_call_them_by_address(
    guarded: TestClient, path: str
) -> None:
    response = guarded.get(path, headers={"Host": "10.0.0.5:8000"})
    assert response.status_code in (200, 503), response.status_code  # never the host check's 400
    assert guarded.get("/id/", headers={"Host": "10.0.0.5:8000"}).status_code == 400


def test_without_trusted_hosts_every_host_is_answered(site: LiveSite) -> None:
    response = site.client.get("/robots.txt", headers={"Host": "anything.example"})
    assert response.status_code == 200
    assert "http://anything.example/sitemap.xml" in response.text  # what Vary: Host is for


@pytest.mark.parametrize("path", ["/id/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt"])
def test_site_responses_vary_on_host(site: LiveSite, path: str) -> None:
    first = site.client.get(path)
    again = site.client.get(path)  # a page-cache hit, answered early, varies too
    for response in (first, again):
        assert response.status_code == 200
        assert "Host" in [v.strip() for v in response.headers["vary"].split(",")]


def test_vary_host_is_added_to_a_vary_already_there_and_not_to_the_api(site: LiveSite) -> None:
    choose = site.client.get("/")
    assert [v.strip() for v in choose.headers["vary"].split(",")] == ["Accept-Language", "Host"]
    assert "host" not in site.client.get("/api/v1/status").headers.get("vary", "").lower()
    assert "vary" not in site.client.get("/healthz").headers


@pytest.mark.parametrize(
    ("host", "settings", "warns"),
    [
        ("127.0.0.1", {}, False),  # loopback: only this machine can send a Host
        ("localhost", {}, False),
        ("::1", {}, False),
        ("0.0.0.0", {}, True),  # noqa: S104 -- every interface: what the warning is about
        ("203.0.113.5", {}, True),
        ("news.example", {}, True),  # a name may resolve anywhere
        ("0.0.0.0", {"trusted_hosts": ("news.example",)}, False),  # noqa: S104
        ("0.0.0.0", {"public_urls": {"demo": "https://news.example"}}, False),  # noqa: S104
    ],
)
def test_serve_warns_on_a_public_address_without_trusted_hosts_or_public_urls(
    tmp_path: Path, host: str, settings: dict[str, object], warns: bool
) -> None:
    warning = host_warning(host, Settings(home=tmp_path, **settings))  # type: ignore[arg-type]
    assert (warning is not None) is warns
    if warning:
        assert "WARTA_TRUSTED_HOSTS" in warning
        assert "WARTA_PUBLIC_URLS" in warning
        assert host in warning


def test_loopback_addresses_are_recognised() -> None:
    assert [is_loopback(h) for h in ("127.0.0.2", "[::1]", "LOCALHOST", "10.0.0.1", "")] == [
        True,
        True,
        True,
        False,
        False,
    ]
