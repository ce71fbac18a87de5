"""`warta publish`: the static export of a site (warta.web.export), once or kept up to date."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from warta.commands._context import AppContext, handled, pass_app


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="WARTA_PUBLISH_DIR",
    required=True,
    help="Folder to write the site into (created if missing; env WARTA_PUBLISH_DIR).",
)
@click.option("--site", default=None, help="Site slug. Default: the default site.")
@click.option(
    "--base-url",
    default=None,
    help="Public address of the site (https://news.example) for absolute links. Default: the "
    "site's entry in WARTA_PUBLIC_URLS.",
)
@click.option(
    "--watch/--once",
    default=False,
    help="Keep running and rewrite what each change of the store touches (and call "
    "WARTA_PURGE_URL, if set), until interrupted.",
)
@click.option(
    "--interval-ms",
    type=click.IntRange(50, 600_000),
    default=None,
    help="How often --watch reads the store's change counter. Default: WARTA_CACHE_CHECK_MS.",
)
@pass_app
def publish(
    app: AppContext,
    out: Path,
    site: str | None,
    base_url: str | None,
    watch: bool,
    interval_ms: int | None,
) -> None:
    """Write every public page, feed and sitemap of a site in six languages as files.

    The folder can be served by nginx (include its nginx.conf), any static host (its _headers)
    or a CDN origin, with warta down. Files are replaced atomically and only when they change.
    """
    from warta.web.cdn import purge_hook
    from warta.web.export import ExportResult, SiteExporter, follow

    with handled(app):
        services = app.services
        exporter = SiteExporter(services, out=out, site=site, base_url=base_url)

        def done(result: ExportResult | None) -> None:
            assert result is not None  # noqa: S101 -- follow() was given the exporter
            app.err.print(
                f"published site {exporter.slug!r} to {out}: {result.pages} pages, "
                f"{len(result.written)} files written, {len(result.removed)} removed"
            )

        if not watch:
            done(exporter.export_all())
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        interval = (interval_ms or app.settings.cache_check_ms or 250) / 1000
        app.err.print(f"watching the store every {interval * 1000:.0f} ms (Ctrl-C stops)")
        with purge_hook(app.settings, base_url=exporter.base_url) as purge, _interruptible(app):
            follow(
                services,
                site=exporter.slug,
                stop=stop,
                interval_s=interval,
                exporter=exporter,
                purge=purge,
                on_ready=done,
                on_update=lambda changes, done: app.err.print(
                    f"{len(changes.articles)} articles changed"
                    + (" (site-wide)" if changes.site_wide else "")
                    + (f": {len(done.written)} files written" if done is not None else "")
                ),
            )


@contextmanager
def _interruptible(app: AppContext) -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        app.err.print("stopped")


COMMANDS = (publish,)
