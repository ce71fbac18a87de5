"""Section 5 (and the web half of section 4): the site under wrk, on loopback.

A temporary home gets the 60 demo articles and all five editions of each (made by the
:class:`~warta.engines.fake.FakeEngine`: page serving does not depend on how a translation was
made, and this keeps the section fast). ``warta serve --no-worker`` then serves it on a free
port in a subprocess, the production web process. Article page URLs are found by crawling the
front pages (the URL scheme lives in :mod:`warta.web.urls`), each is requested once so it is in
the page cache, and ``wrk --latency`` cycles through all of them for a bounded time.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from warta.bench.machine import peak_rss_bytes, rss_bytes
from warta.config import Settings
from warta.languages import SOURCE_LANG, TARGET_LANGS

_LANGS = "|".join(lang.value for lang in (SOURCE_LANG, *TARGET_LANGS))
_ARTICLE_HREF = re.compile(rf'href="((?:https?://[^/"]+)?/(?:{_LANGS})/[0-9]+(?:-[^"#?]*)?)"')
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
MIB = 2**20


def prepare_site_home(parent: Path | None = None) -> Path:
    """A warta home with the demo articles and fake-engine editions in all five languages."""
    from warta.demo import load_demo
    from warta.engines.fake import FakeEngine
    from warta.services import build_services
    from warta.workers.runner import Worker

    home = Path(tempfile.mkdtemp(prefix="warta-bench-site-", dir=parent))
    services = build_services(Settings(home=home, database_url=_db_url(home)))
    try:
        load_demo(store=services.store, newsroom=services.newsroom)
        engine = FakeEngine()
        Worker(
            store=services.store,
            queue=services.queue,
            engine=lambda: engine,
            targets=TARGET_LANGS,
            name="bench-site",
            jobs_per_batch=32,
        ).run_until_idle()
    finally:
        services.close()
    return home


@dataclass
class SiteServer:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss(self) -> tuple[int, int]:
        return rss_bytes(self.pid), peak_rss_bytes(self.pid)


@contextmanager
def site_server(home: Path, *, startup_seconds: float = 90.0) -> Iterator[SiteServer]:
    """``warta serve --no-worker`` on a free loopback port, stopped (and waited for) on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["WARTA_DATABASE_URL"] = _db_url(home)
    argv = [
        sys.executable, "-m", "warta", "--home", str(home),
        "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with _server(argv, env=env, port=port, log=home / "serve.log", ready="/healthz",
                 startup_seconds=startup_seconds) as server:  # fmt: skip
        yield server


@contextmanager
def floor_server(scratch: Path, *, startup_seconds: float = 60.0) -> Iterator[SiteServer]:
    """The floor app (:mod:`warta.bench.floor`: a fixed 30 KB body) under the same uvicorn."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    argv = [sys.executable, "-m", "warta.bench.floor", "--port", str(port)]
    with _server(argv, env=env, port=port, log=scratch / "floor.log", ready="/",
                 startup_seconds=startup_seconds) as server:  # fmt: skip
        yield server


@contextmanager
def _server(
    argv: list[str],
    *,
    env: dict[str, str],
    port: int,
    log: Path,
    ready: str,
    startup_seconds: float,
) -> Iterator[SiteServer]:
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, env=env)  # noqa: S603
    server = SiteServer(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(server, path=ready, timeout=startup_seconds)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def article_urls(server: SiteServer, *, limit: int | None = None) -> list[str]:
    """Paths of article pages that answer 200 (after redirects), found from the front pages."""
    seen: dict[str, None] = {}
    for start in ["/", *(f"/{lang.value}/" for lang in (SOURCE_LANG, *TARGET_LANGS))]:
        status, _, body = fetch(server.base + start)
        if status != 200:
            continue
        for href in _ARTICLE_HREF.findall(body):
            path = re.sub(r"^https?://[^/]+", "", href)
            seen.setdefault(path, None)
    paths: list[str] = []
    for path in seen:
        status, final, _ = fetch(server.base + path)
        if status == 200:
            paths.append(final.removeprefix(server.base))
        if limit is not None and len(paths) >= limit:
            break
    return list(dict.fromkeys(paths))


def fetch(url: str, *, timeout: float = 30.0) -> tuple[int, str, str]:
    """(status, final URL after redirects, body) of a GET; status 0 if nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 -- loopback
            return response.status, response.geturl(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, url, ""
    except (urllib.error.URLError, OSError):
        return 0, url, ""


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests_per_s: float
    latency: dict[str, float]  # "p50", "p75", "p90", "p99" in seconds
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors
    duration_s: float
    raw: str

    def to_dict(self) -> dict[str, object]:
        return {
            "requests_per_s": round(self.requests_per_s, 1),
            "latency_ms": {k: round(v * 1000, 2) for k, v in self.latency.items()},
            "requests": self.requests,
            "errors": self.errors,
            "duration_s": self.duration_s,
        }


def run_wrk(
    base: str,
    paths: Sequence[str],
    *,
    duration_s: int,
    connections: int,
    threads: int,
    scratch: Path,
) -> WrkResult:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise FileNotFoundError("wrk is not installed (Debian: apt-get install wrk)")
    script = scratch / "paths.lua"
    listed = ",\n".join(_lua_string(p) for p in paths)
    script.write_text(
        "local paths = {\n" + listed + "\n}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n',
        encoding="utf-8",
    )
    argv = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency",
        "--timeout", "10s", "-s", str(script), base + paths[0],
    ]  # fmt: skip
    done = subprocess.run(  # noqa: S603
        argv, capture_output=True, text=True, check=True, timeout=duration_s + 60
    )
    return parse_wrk(done.stdout, duration_s=duration_s)


def parse_wrk(text: str, *, duration_s: float) -> WrkResult:
    """Read requests/sec, the latency distribution and error counts from wrk's report."""
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    count = re.search(r"([0-9]+) requests in", text)
    if rps is None or count is None:
        raise ValueError(f"cannot read wrk's report:\n{text}")
    latency = {
        f"p{m.group(1)}": float(m.group(2)) * _UNITS[m.group(3)]
        for m in re.finditer(r"^\s+(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    }
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)", text
    )
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    return WrkResult(
        requests_per_s=float(rps.group(1)),
        latency=latency,
        requests=int(count.group(1)),
        errors=errors,
        duration_s=duration_s,
        raw=text,
    )


def serve_and_measure(
    home: Path,
    *,
    duration_s: int | None,
    connections: int,
    threads: int,
    floor_rounds: int = 3,
) -> dict[str, object]:
    """Serve ``home`` with ``warta serve``; RSS when started, after every article page once
    (now in the page cache), and after ``wrk`` (skipped when ``duration_s`` is None).

    With ``wrk``: ``floor_rounds`` interleaved rounds, each the floor app (:mod:`warta.bench.floor`)
    then the site's cached article pages, with the same wrk settings; the figures of the round
    with the median site throughput, and the site's requests/s as a share of the floor's."""
    with site_server(home) as server:
        started, _ = server.rss()
        paths = article_urls(server)
        if not paths:
            raise RuntimeError(
                f"no article page answered 200 from the front pages (server log: {server.log})"
            )
        for path in paths:  # into the page cache
            fetch(server.base + path)
        after_pages, _ = server.rss()
        memory: dict[str, object] = {
            "process": "warta serve --no-worker",
            "pages_served": len(paths),
            "rss_mib_started": round(started / MIB, 1),
            "rss_mib_after_pages": round(after_pages / MIB, 1),
        }
        figures: dict[str, object] = {"memory": memory}
        if duration_s is not None:
            for path in paths:  # a second time: now a hit of the fast layer (warta.web.fast)
                fetch(server.base + path)
            with floor_server(home) as floor:
                rounds = [
                    _round(
                        server.base, floor.base, paths, duration_s=duration_s,
                        connections=connections, threads=threads, scratch=home,
                    )
                    for _ in range(max(1, floor_rounds))
                ]  # fmt: skip
            result = _median_round(rounds, "site")
            floor_result = _median_round(rounds, "floor")
            after_wrk, peak = server.rss()
            memory["rss_mib_after_wrk"] = round(after_wrk / MIB, 1)
            memory["peak_rss_mib"] = round(peak / MIB, 1)
            figures["site"] = {
                "server": "warta serve --no-worker (uvicorn, one process), SQLite, loopback",
                "pages": len(paths),
                "page_examples": paths[:3],
                "wrk": {"threads": threads, "connections": connections, "duration_s": duration_s},
                "result": result.to_dict(),
                "floor": {
                    "server": "python -m warta.bench.floor (a fixed 30 KB body, same uvicorn "
                    "settings), loopback",
                    "result": floor_result.to_dict(),
                },
                "ratio_to_floor": round(result.requests_per_s / floor_result.requests_per_s, 3),
                "rounds": [
                    {
                        "floor": r["floor"].to_dict(),
                        "site": r["site"].to_dict(),
                        "ratio": round(r["site"].requests_per_s / r["floor"].requests_per_s, 3),
                    }
                    for r in rounds
                ],
            }
        else:
            memory["peak_rss_mib"] = round(server.rss()[1] / MIB, 1)
    return figures


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(server: SiteServer, *, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the site server exited with {server.process.returncode}; see {server.log}:\n"
                + server.log.read_text(encoding="utf-8", errors="replace")[-2000:]
            )
        status, _, _ = fetch(server.base + path, timeout=2.0)
        if status == 200:
            return
        time.sleep(0.2)
    raise TimeoutError(f"the server did not answer {path} within {timeout:.0f} s ({server.log})")


def _db_url(home: Path) -> str:
    return f"sqlite:///{home / 'warta.db'}"


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _round(
    site: str,
    floor: str,
    paths: Sequence[str],
    *,
    duration_s: int,
    connections: int,
    threads: int,
    scratch: Path,
) -> dict[str, WrkResult]:
    settings = {"duration_s": duration_s, "connections": connections, "threads": threads}
    return {
        "floor": run_wrk(floor, ["/"], scratch=scratch, **settings),
        "site": run_wrk(site, paths, scratch=scratch, **settings),
    }


def _median_round(rounds: Sequence[dict[str, WrkResult]], side: str) -> WrkResult:
    ordered = sorted((r[side] for r in rounds), key=lambda w: w.requests_per_s)
    return ordered[(len(ordered) - 1) // 2]
