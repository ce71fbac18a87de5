"""`warta keys|editors|webhooks|feeds`: how portals connect (keys, webhooks, feeds) and who
reviews (editors).

Secrets (an API key, a webhook's signing secret) are printed once, alone on stdout, so they can be
captured (`KEY=$(warta keys create --site kabar)`); everything else goes to stderr.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import sys
import time

import click

from warta.commands._context import (
    EXIT_FAILURE,
    AppContext,
    echo_json,
    handled,
    pass_app,
    print_table,
)
from warta.domain import EditorRole
from warta.errors import IngestError
from warta.integrations import IntegrationLimits, Integrations, build_integrations
from warta.integrations.outbound import check_url
from warta.integrations.webhooks import EVENTS
from warta.store.editors import parse_role
from warta.workers.resilience import OutageTracker, is_outage

FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
PRIVATE = click.option(
    "--allow-private-networks",
    is_flag=True,
    help="Also call loopback and private addresses (portal and warta on one network).",
)


def _integrations(app: AppContext, *, allow_private: bool = False) -> Integrations:
    limits = IntegrationLimits()
    if allow_private:
        outbound = dataclasses.replace(limits.outbound, allow_private_networks=True)
        limits = dataclasses.replace(limits, outbound=outbound)
    return build_integrations(app.services, limits=limits)


# --- keys ----------------------------------------------------------------------------------------


@click.group()
def keys() -> None:
    """API keys of sites (Authorization: Bearer KEY); stored hashed, shown once."""


@keys.command("create")
@click.option("--site", required=True, help="The site the key acts for.")
@pass_app
def keys_create(app: AppContext, site: str) -> None:
    """Make a key for SITE and print it (the only time it is shown)."""
    with handled(app):
        record, key = _integrations(app).authenticator.issue(site=site)
    click.echo(key)
    app.err.print(f"created key {record.prefix} for site {record.site}; store it now")


@keys.command("list")
@click.option("--site", required=True)
@FORMAT
@pass_app
def keys_list(app: AppContext, site: str, fmt: str) -> None:
    """List the keys of SITE (prefixes only)."""
    with handled(app, as_json=fmt == "json"):
        rows = _integrations(app).keys.list_for(site=site)
    if fmt == "json":
        echo_json(
            [
                {"prefix": k.prefix, "created_at": k.created_at, "revoked_at": k.revoked_at}
                for k in rows
            ]
        )
        return
    print_table(
        app.out,
        title=f"keys of {site}",
        columns=["prefix", "created", "revoked"],
        rows=[(k.prefix, k.created_at.isoformat(), k.revoked_at or "") for k in rows],
    )


@keys.command("revoke")
@click.argument("prefix")
@pass_app
def keys_revoke(app: AppContext, prefix: str) -> None:
    """Revoke the key with PREFIX (e.g. wrt_AbCd1234); it stops working at once."""
    with handled(app):
        record = _integrations(app).keys.revoke(prefix)
    app.err.print(f"revoked key {record.prefix} of site {record.site}")


# --- editors -------------------------------------------------------------------------------------


@click.group()
def editors() -> None:
    """Editors: review, correct and approve editions through the API's login session."""


ROLE = click.option(
    "--role",
    type=click.Choice([r.value for r in EditorRole], case_sensitive=False),
    default=EditorRole.EDITOR.value,
    show_default=True,
    help="admin: editors, glossary and publishing policy, and all an editor does; "
    "editor: correct, approve, reject, send back.",
)


@editors.command("create")
@click.argument("email")
@click.option("--site", required=True)
@ROLE
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@pass_app
def editors_create(app: AppContext, email: str, site: str, role: str, password_stdin: bool) -> None:
    """Create the editor EMAIL of SITE with a role (asks for the password)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    with handled(app):
        editor = _integrations(app).accounts.create(
            site=site, email=email, password=password, role=parse_role(role)
        )
    app.err.print(f"created {editor.role.value} {editor.email} of site {editor.site}")


@editors.command("role")
@click.argument("email")
@click.option("--site", required=True)
@click.option(
    "--role",
    type=click.Choice([r.value for r in EditorRole], case_sensitive=False),
    required=True,
)
@pass_app
def editors_role(app: AppContext, email: str, site: str, role: str) -> None:
    """Give the editor EMAIL of SITE another role."""
    with handled(app):
        editor = _integrations(app).editors.set_role(site=site, email=email, role=parse_role(role))
    app.err.print(f"{editor.email} of site {editor.site} is now {editor.role.value}")


@editors.command("disable")
@click.argument("email")
@click.option("--site", required=True)
@pass_app
def editors_disable(app: AppContext, email: str, site: str) -> None:
    """Disable the editor EMAIL of SITE: logged out, cannot log in (the last admin stays)."""
    with handled(app):
        editor = _integrations(app).editors.set_disabled(site=site, email=email, disabled=True)
    app.err.print(f"disabled {editor.email} of site {editor.site}")


@editors.command("enable")
@click.argument("email")
@click.option("--site", required=True)
@pass_app
def editors_enable(app: AppContext, email: str, site: str) -> None:
    """Enable the editor EMAIL of SITE again."""
    with handled(app):
        editor = _integrations(app).editors.set_disabled(site=site, email=email, disabled=False)
    app.err.print(f"enabled {editor.email} of site {editor.site}")


@editors.command("password")
@click.argument("email")
@click.option("--site", required=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the new password from the first line of stdin instead of generating one.",
)
@pass_app
def editors_password(app: AppContext, email: str, site: str, password_stdin: bool) -> None:
    """Give the editor EMAIL of SITE a new password (generated and printed once, unless read
    from stdin); their sessions end."""
    accounts = _integrations(app).accounts
    with handled(app):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            editor = accounts.set_password(site=site, email=email, password=password)
            app.err.print(f"new password set for {editor.email} of site {editor.site}")
            return
        made = accounts.reset_password(site=site, email=email)
    click.echo(made.password)
    app.err.print(
        f"new password for {made.editor.email} of site {made.editor.site} (shown only now)"
    )


@editors.command("list")
@click.option("--site", required=True)
@pass_app
def editors_list(app: AppContext, site: str) -> None:
    with handled(app):
        rows = _integrations(app).editors.list_for(site=site)
    print_table(
        app.out,
        title=f"editors of {site}",
        columns=["email", "role", "created", "disabled"],
        rows=[(e.email, e.role.value, e.created_at.isoformat(), e.disabled_at or "") for e in rows],
    )


# --- webhooks ------------------------------------------------------------------------------------


@click.group()
def webhooks() -> None:
    """Webhooks: URLs warta POSTs signed events to, and their delivery log."""


@webhooks.command("add")
@click.argument("url")
@click.option("--site", required=True)
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(EVENTS),
    help="Subscribe to this event (repeatable). Default: every event.",
)
@pass_app
def webhooks_add(app: AppContext, url: str, site: str, events: tuple[str, ...]) -> None:
    """Register URL for SITE and print its signing secret (shown once)."""
    with handled(app):
        integrations = _integrations(app)
        site_record = app.services.store.get_site(site)
        hook = integrations.webhooks.add(
            site_id=site_record.id,
            url=check_url(url),
            secret="whsec_" + secrets.token_urlsafe(32),
            events=tuple(dict.fromkeys(events or EVENTS)),
        )
    click.echo(hook.secret)
    app.err.print(f"created webhook {hook.id} for {site}: {hook.url} ({', '.join(hook.events)})")


@webhooks.command("list")
@click.option("--site", default=None)
@pass_app
def webhooks_list(app: AppContext, site: str | None) -> None:
    with handled(app):
        site_id = app.services.store.get_site(site).id if site else None
        rows = _integrations(app).webhooks.list_for(site_id=site_id)
    print_table(
        app.out,
        title="webhooks",
        columns=["id", "site id", "url", "events", "active"],
        rows=[(h.id, h.site_id, h.url, ",".join(h.events), h.active) for h in rows],
    )


@webhooks.command("remove")
@click.argument("webhook_id", type=int)
@pass_app
def webhooks_remove(app: AppContext, webhook_id: int) -> None:
    """Stop deliveries to the webhook (its log stays)."""
    with handled(app):
        _integrations(app).webhooks.disable(webhook_id)
    app.err.print(f"removed webhook {webhook_id}")


@webhooks.command("deliveries")
@click.option("--webhook", "webhook_id", type=int, default=None)
@click.option("--site", default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@FORMAT
@pass_app
def webhooks_deliveries(
    app: AppContext, webhook_id: int | None, site: str | None, limit: int, fmt: str
) -> None:
    """The delivery log, newest first: status code, error and duration of every attempt."""
    with handled(app, as_json=fmt == "json"):
        site_id = app.services.store.get_site(site).id if site else None
        rows = _integrations(app).webhooks.deliveries(
            webhook_id=webhook_id, site_id=site_id, limit=limit
        )
    if fmt == "json":
        echo_json([dataclasses.asdict(d) for d in rows])
        return
    print_table(
        app.out,
        title="webhook deliveries",
        columns=["id", "webhook", "event", "attempt", "status", "ms", "error", "event status"],
        rows=[
            (
                d.id,
                d.webhook_id,
                d.event,
                d.attempt,
                d.status_code or "-",
                d.duration_ms,
                d.error,
                d.event_status,
            )
            for d in rows
        ],
    )


@webhooks.command("deliver")
@click.option(
    "--watch",
    type=click.FloatRange(min=0.5),
    default=None,
    help="Keep delivering, checking every SECONDS (until interrupted).",
)
@PRIVATE
@pass_app
def webhooks_deliver(app: AppContext, watch: float | None, allow_private_networks: bool) -> None:
    """Send the events that are due (signed, with retries and backoff).

    Each round first writes the events that translated editions still owe (a worker that
    stopped between storing an edition and announcing it), then sends. An event is sent until
    a 2xx answer is recorded (at least once): receivers deduplicate on its ``id``. With
    ``--watch`` a database outage is logged and waited out (backoff), and delivery resumes.
    """
    integrations = _integrations(app, allow_private=allow_private_networks)
    with handled(app), integrations.http_client(follow_redirects=False) as http:
        dispatcher = integrations.dispatcher(http)
        outage = OutageTracker("the database", log=logging.getLogger("warta.webhooks"))
        while True:
            try:
                report = dispatcher.deliver_due()
            except Exception as exc:  # with --watch, an outage is waited out, not fatal
                if watch is None or not is_outage(exc):
                    raise
                time.sleep(outage.failed(exc))
                continue
            outage.recovered()
            if report.announced:
                app.err.print(f"{report.announced} translated edition(s) announced")
            if report.sent or watch is None:
                app.err.print(
                    f"{report.delivered} delivered, {report.retrying} to retry, "
                    f"{report.failed} failed for good"
                )
            if watch is None:
                return
            time.sleep(watch)


# --- feeds ---------------------------------------------------------------------------------------


@click.group()
def feeds() -> None:
    """RSS/Atom feeds of an existing portal, imported as articles."""


@feeds.command("add")
@click.argument("url")
@click.option("--site", required=True)
@pass_app
def feeds_add(app: AppContext, url: str, site: str) -> None:
    with handled(app):
        feed = _integrations(app).feeds.add(site=site, url=check_url(url))
    app.err.print(f"added feed {feed.id} for {feed.site}: {feed.url}")


@feeds.command("list")
@click.option("--site", default=None)
@pass_app
def feeds_list(app: AppContext, site: str | None) -> None:
    with handled(app):
        rows = _integrations(app).feeds.list_for(site=site)
    print_table(
        app.out,
        title="feeds",
        columns=["id", "site", "url", "last polled", "last status"],
        rows=[
            (
                f.id,
                f.site,
                f.url,
                f.last_polled_at.isoformat() if f.last_polled_at else "",
                f.last_status,
            )
            for f in rows
        ],
    )


@feeds.command("poll")
@click.option("--site", default=None, help="Only this site's feeds.")
@click.option("--feed", "feed_id", type=int, default=None, help="Only this feed.")
@PRIVATE
@pass_app
def feeds_poll(
    app: AppContext, site: str | None, feed_id: int | None, allow_private_networks: bool
) -> None:
    """Fetch the feeds (conditional GET) and import new or changed entries.

    Exit code 1 if a feed could not be fetched or read (the others are still polled).
    """
    integrations = _integrations(app, allow_private=allow_private_networks)
    failed = 0
    with handled(app), integrations.http_client(follow_redirects=True) as http:
        importer = integrations.feed_importer(http)
        targets = (
            [integrations.feeds.get(feed_id)]
            if feed_id is not None
            else integrations.feeds.list_for(site=site)
        )
        for feed in targets:
            try:
                report = importer.poll(feed)
            except IngestError as exc:
                failed += 1
                app.err.print(f"[red]failed[/] {feed.url}: {exc.message}", markup=True)
                continue
            app.err.print(f"{feed.url}: {report.summary()}", highlight=False)
            for guid, reason in report.refused:
                app.err.print(f"  refused {guid}: {reason}", highlight=False)
    if failed:
        raise SystemExit(EXIT_FAILURE)


COMMANDS = (keys, editors, webhooks, feeds)
