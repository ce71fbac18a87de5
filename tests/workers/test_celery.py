"""Celery workers over a real Redis run the same jobs as the in-process worker.

Starts redis-server (Debian package; .ci/run installs it) and a separate `warta celery worker`
process sharing the test's SQLite database, as an operator would run them on other machines.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from warta.config import Settings
from warta.domain import ArticleDraft, EditionStatus
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services, build_services

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if url := os.environ.get("WARTA_TEST_REDIS_URL"):
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    port = _free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def celery_services(tmp_path: Path, redis_url: str) -> Iterator[tuple[Settings, Services]]:
    settings = Settings(
        home=tmp_path / "home", broker_url=redis_url, beam_size=1, max_decoding_length=24
    )
    services = build_services(settings)
    yield settings, services
    services.close()


def test_a_celery_worker_process_translates_queued_editions(
    celery_services: tuple[Settings, Services], shared_tiny_model: Path, tmp_path: Path
):
    from warta.domain import RegisteredModel
    from warta.engines.models import inspect_model_dir
    from warta.workers.celery_app import dispatch_pending, make_celery

    settings, services = celery_services
    family, checksum = inspect_model_dir(shared_tiny_model)
    for lang in TARGET_LANGS:
        services.store.add_model(
            RegisteredModel(
                name="tiny",
                path=str(shared_tiny_model),
                source=Lang.ID,
                target=lang,
                family=family,
                checksum=checksum,
            )
        )
    services.store.create_site(slug="demo", name="Demo")
    result = services.newsroom.submit(
        ArticleDraft(
            site="demo",
            external_id="banjir",
            title="Banjir merendam ratusan rumah di Jakarta Timur",
            body_html="<p>Hujan deras sejak Senin malam membuat sungai meluap. "
            "Warga mengungsi ke masjid.</p>",
        )
    )
    env = {
        **os.environ,
        "WARTA_HOME": str(settings.home),
        "WARTA_BROKER_URL": settings.broker_url,
        "WARTA_BEAM_SIZE": "1",
        "WARTA_MAX_DECODING_LENGTH": "24",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "warta",
            "celery",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        dispatched = dispatch_pending(make_celery(settings), services)
        assert set(dispatched) == set(TARGET_LANGS)

        def done() -> bool:
            editions = services.store.list_editions(result.revision.id)
            return all(
                e.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW) for e in editions
            )

        _wait_for(done, timeout=90, process=worker)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    editions = services.store.list_editions(result.revision.id)
    assert len(editions) == 5, output
    assert all(e.provenance is not None and e.provenance.engine == "ctranslate2" for e in editions)
    assert services.queue.pending_langs() == []


def _wait_for(
    condition: Callable[[], bool], *, timeout: float, process: subprocess.Popen[str]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(
                f"celery worker exited early: {process.stdout.read() if process.stdout else ''}"
            )
        time.sleep(0.2)
    pytest.fail("editions were not translated by the celery worker in time")


def test_make_celery_without_a_broker_names_the_setting(tmp_path: Path):
    from warta.errors import ConfigError
    from warta.workers.celery_app import make_celery

    with pytest.raises(ConfigError, match="no Celery broker") as info:
        make_celery(Settings(home=tmp_path))
    assert "WARTA_BROKER_URL" in info.value.hint
