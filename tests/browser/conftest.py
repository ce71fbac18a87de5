"""The site in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

A uvicorn server runs the real app in a background thread on 127.0.0.1 and a free port, over a
real SQLite store holding the sample site of ``tests/web/sitedata.py``. The tests are skipped,
saying why, only when ``/usr/bin/chromium`` is missing (CI installs it: apt ``chromium``, plus
``fonts-noto-core`` and ``fonts-noto-cjk`` for Arabic and CJK glyphs in the screenshots).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from tests.web.sitedata import SampleSite, populate

from warta.config import Settings
from warta.services import build_services
from warta.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    sample: SampleSite


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    services = build_services(Settings(home=tmp_path_factory.mktemp("browser-site")))
    sample = populate(services)
    port = free_port()
    config = uvicorn.Config(
        create_app(services), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not uv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", sample)
    finally:
        uv.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)
        services.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Chromium with a fresh profile (Playwright makes a new temporary user-data dir per launch)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} "
            "(apt-get install chromium fonts-noto-core fonts-noto-cjk)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        yield context.new_page()
    finally:
        context.close()
