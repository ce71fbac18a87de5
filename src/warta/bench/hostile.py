"""Section hostile: does a 400 KB hostile article on one site slow another site's pages?

One home, three sites, served by one ``warta serve --no-worker`` process on loopback
(``WARTA_SITE_HOSTS`` picks the site by ``Host``): ``demo`` (the 60 sample articles, all five
editions made by the :class:`~warta.engines.fake.FakeEngine`), ``biasa`` (one ordinary article)
and ``serangan`` (the same ordinary article and the largest article the limits let in: ~400 KB
sent, as many distinct sentences as ``WARTA_MAX_SEGMENTS`` allows, each a real Indonesian FLORES
sentence, hostile markup in every paragraph, translated into all five languages).

Eight threads flood one site's uncached and costly URLs without pause (news sitemap, sitemap,
feeds, wrong-slug article URLs, the article's pages) while the measuring thread requests
``demo``'s cached pages one after another: *without* is the flood on ``biasa``, *with* the same
flood on ``serangan``. The two alternate, window by window, several times, so the machine's other
load falls on both alike. The figure is the ratio of ``demo``'s median page time with / without
(1.0: unchanged). Also recorded: what the hostile site's URLs cost (first request and cached),
and that a 400 KB body of one repeated sentence (the attack of issue 14) is refused at ingest,
with its reason.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from warta.bench.site import _db_url, _server, article_urls, free_port
from warta.config import Settings
from warta.domain import ArticleDraft
from warta.languages import TARGET_LANGS

HOSTILE_SITE = "serangan"  # holds the hostile article
HOSTILE_HOST = "serangan.test"
PLAIN_SITE = "biasa"  # the same, without it: the baseline
PLAIN_HOST = "biasa.test"
ATTACKERS = 8
TARGET_BYTES = 400 * 1024


def hostile_draft(
    flores_id: Path, *, max_segments: int, target_bytes: int = TARGET_BYTES
) -> ArticleDraft:
    """The largest article the limits let in: distinct sentences up to the sentence limit (title
    included), about ``target_bytes`` sent, a hostile attribute on every paragraph."""
    from warta.text.sentences import split

    lines = [
        line.strip()
        for line in flores_id.read_text(encoding="utf-8").splitlines()
        if line.strip() and len(split(line.strip())) == 1  # one segment each
    ]
    count = max_segments - 1  # the title is a segment too
    sentences = []
    for i in range(count):
        line = lines[i % len(lines)].rstrip(".")
        sentences.append(f"Pada bagian {i + 1} laporan ini, {line[0].lower()}{line[1:]}.")
    text_bytes = sum(len(s.encode()) + 1 for s in sentences)
    paragraphs = [sentences[i : i + 10] for i in range(0, count, 10)]
    hostile = '<p onmouseover="alert(1)" style="background:url(javascript:alert(1))">'
    pad = max(0, (target_bytes - text_bytes) // max(1, len(paragraphs)) - len(hostile) - 4)
    filler = f'<span title="{"x" * max(0, pad - 30)}"></span>' if pad > 30 else ""
    body = "".join(f"{hostile}{' '.join(p)}{filler}</p>" for p in paragraphs)
    return ArticleDraft(
        site=HOSTILE_SITE,
        external_id="serangan-besar",
        title="Laporan panjang dari serangan",
        body_html=body,
    )


def repeated_draft(target_bytes: int = TARGET_BYTES) -> ArticleDraft:
    """Issue 14's attack: one sentence repeated to ~400 KB."""
    sentence = "Harga beras naik di pasar Jakarta hari ini. "
    return ArticleDraft(
        site=HOSTILE_SITE,
        external_id="serangan-ulang",
        title="Harga beras",
        body_html="<p>" + sentence * (target_bytes // len(sentence)) + "</p>",
    )


def _translate_all(home: Path) -> None:
    from warta.engines.fake import FakeEngine
    from warta.services import build_services
    from warta.workers.runner import Worker

    services = build_services(Settings(home=home, database_url=_db_url(home)))
    try:
        engine = FakeEngine()
        Worker(
            store=services.store, queue=services.queue, engine=lambda: engine,
            targets=TARGET_LANGS, name="bench-hostile", jobs_per_batch=32,
        ).run_until_idle()  # fmt: skip
    finally:
        services.close()


def _submit(home: Path, draft: ArticleDraft) -> dict[str, object]:
    from warta.errors import InputError
    from warta.services import build_services

    services = build_services(Settings(home=home, database_url=_db_url(home)))
    try:
        services.store.get_or_create_site(slug=draft.site, name=draft.site.title())
        sent = sum(len(p.encode()) for p in (draft.title, draft.lead, draft.body_html))
        t0 = time.perf_counter()
        try:
            result = services.newsroom.submit(draft)
        except InputError as exc:
            return {"bytes_sent": sent, "refused": exc.code, "reason": exc.message,
                    "seconds": round(time.perf_counter() - t0, 3)}  # fmt: skip
        revision = services.store.get_current_revision(result.article.id)
        return {
            "bytes_sent": sent,
            "article_id": result.article.id,
            "stored_body_bytes": len(revision.body_html.encode()),
            "seconds": round(time.perf_counter() - t0, 3),
        }
    finally:
        services.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: object, **__: object) -> None:
        return None


def _get(url: str, *, host: str | None = None, timeout: float = 120.0) -> tuple[int, int]:
    """(status, body bytes) of a GET that does not follow redirects."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as err:
        return err.code, len(err.read())
    except (urllib.error.URLError, OSError):
        return 0, 0


def _attack_paths(base: str, *, host: str, article_id: int) -> list[str]:
    """A site's costly URLs: sitemaps and feeds (all of its articles), wrong slugs, and the
    article's canonical page in two languages."""
    canonical = [_location(base + f"/{lang}/{article_id}", host=host) for lang in ("en", "ja")]
    return [
        "/news-sitemap.xml", "/sitemap.xml", "/en/rss.xml", "/ja/atom.xml",
        f"/en/{article_id}-salah-slug", f"/fr/{article_id}-x", *canonical,
    ]  # fmt: skip


def _location(url: str, *, host: str) -> str:
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=120) as response:
            return str(urlsplit(response.geturl()).path)
    except urllib.error.HTTPError as err:
        return str(err.headers.get("location") or urlsplit(url).path)


@contextmanager
def _attack(base: str, paths: Sequence[str], *, host: str) -> Iterator[list[int]]:
    """``ATTACKERS`` threads requesting ``paths`` of ``host``'s site until the block ends."""
    stop = threading.Event()
    done: list[int] = []

    def run(offset: int) -> None:
        i = offset
        while not stop.is_set():
            _get(base + paths[i % len(paths)], host=host)
            done.append(1)
            i += 1

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(ATTACKERS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # the load is on before the first measurement
        yield done
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=180)


def _measure(base: str, paths: Sequence[str]) -> list[float]:
    times: list[float] = []
    for path in paths:
        t0 = time.perf_counter()
        status, _ = _get(base + path)
        if status == 200:
            times.append(time.perf_counter() - t0)
    return times


def _costs(base: str, paths: Sequence[str], *, host: str) -> dict[str, object]:
    costs: dict[str, object] = {}
    for path in paths:
        t0 = time.perf_counter()
        status, size = _get(base + path, host=host)
        costs[path] = {"status": status, "ms": round((time.perf_counter() - t0) * 1000, 1),
                       "bytes": size}  # fmt: skip
    return costs


def _summary(times: list[float], attacks: int, seconds: float) -> dict[str, object]:
    return {
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p90_ms": round(statistics.quantiles(times, n=10)[-1] * 1000, 2),
        "requests": len(times),
        "attack_requests": attacks,
        "attack_requests_per_s": round(attacks / seconds, 1),
    }


def hostile_article(
    home: Path, *, flores_id: Path, rounds: int = 6, progress: Callable[[str], None] = print
) -> dict[str, object]:
    """Run the section on ``home`` (from :func:`~warta.bench.site.prepare_site_home`).

    ``rounds`` pairs of windows, alternating: the flood on the site without the article, then on
    the site with it; in each window every page of ``demo`` is timed once. Alternating windows
    spread the machine's other load over both sides alike.
    """
    settings = Settings(home=home)
    progress("hostile: storing and translating the articles")
    ids: dict[str, int] = {}
    for site in (PLAIN_SITE, HOSTILE_SITE):
        ordinary = ArticleDraft(
            site=site, external_id="biasa", title="Harga beras naik",
            body_html="<p>Harga beras naik di pasar Jakarta hari ini. Pedagang mengeluh sepi.</p>",
        )  # fmt: skip
        ids[site] = int(str(_submit(home, ordinary)["article_id"]))
    stored = _submit(home, hostile_draft(flores_id, max_segments=settings.max_segments))
    refused = _submit(home, repeated_draft())
    _translate_all(home)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["WARTA_DATABASE_URL"] = _db_url(home)
    env["WARTA_SITE_HOSTS"] = (
        f'{{"{HOSTILE_HOST}": "{HOSTILE_SITE}", "{PLAIN_HOST}": "{PLAIN_SITE}"}}'
    )
    argv = [sys.executable, "-m", "warta", "--home", str(home), "serve", "--no-worker",
            "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    with _server(argv, env=env, port=port, log=home / "hostile.log", ready="/healthz",
                 startup_seconds=90.0) as server:  # fmt: skip
        pages = ["/id/", "/en/", "/ja/", *article_urls(server, limit=30)]
        for _ in range(2):  # into the page cache, as a busy site's pages are
            quiet = _measure(server.base, pages)
        plain = _attack_paths(server.base, host=PLAIN_HOST, article_id=ids[PLAIN_SITE])
        hostile_id = int(str(stored["article_id"]))
        attack = _attack_paths(server.base, host=HOSTILE_HOST, article_id=hostile_id)
        costs = {"first": _costs(server.base, attack, host=HOSTILE_HOST)}
        costs["again"] = _costs(server.base, attack, host=HOSTILE_HOST)
        sides: dict[str, tuple[list[float], list[int], list[float]]] = {
            "without": ([], [], []), "with": ([], [], []),
        }  # fmt: skip
        for n in range(rounds):
            progress(f"hostile: round {n + 1} of {rounds}")
            for side, host, paths in (
                ("without", PLAIN_HOST, plain),
                ("with", HOSTILE_HOST, attack),
            ):
                times, attacks, seconds = sides[side]
                t0 = time.perf_counter()
                with _attack(server.base, paths, host=host) as done:
                    times.extend(_measure(server.base, pages))
                    attacks.append(len(done))
                    seconds.append(time.perf_counter() - t0)
    without = _summary(sides["without"][0], sum(sides["without"][1]), sum(sides["without"][2]))
    with_article = _summary(sides["with"][0], sum(sides["with"][1]), sum(sides["with"][2]))
    ratio = float(str(with_article["median_ms"])) / float(str(without["median_ms"]))
    return {
        "setup": f"warta serve --no-worker, SQLite, loopback; {ATTACKERS} threads flood one "
        f"site's costly URLs (sitemaps, feeds, wrong slugs, article pages) while site 'demo''s "
        f"{len(pages)} cached pages are timed; {rounds} alternating pairs of windows: the flood "
        f"on site {PLAIN_SITE!r} (an ordinary article), then on {HOSTILE_SITE!r} (the same and "
        "the hostile article)",
        "demo_pages": len(pages),
        "quiet_median_ms": round(statistics.median(quiet) * 1000, 2),
        "without": without,
        "with": with_article,
        "ratio": round(ratio, 3),
        "hostile_article": stored,
        "hostile_urls": costs,
        "repeated_400kb": refused,
        "limits": {
            "max_segments": settings.max_segments,
            "max_repeated_share": settings.max_repeated_share,
            "max_article_bytes": settings.max_article_bytes,
        },
    }
