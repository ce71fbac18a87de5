"""The integration commands, run through click with a real database (SQLite file)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from tests.integrations.fixtures import article_payload
from tests.integrations.servers import Document, Receiver, Site, receiving, serving

from warta.commands._context import AppContext
from warta.commands.integrations import COMMANDS
from warta.config import Settings
from warta.integrations.feeds import feed_external_id
from warta.services import build_services
from warta.store.session import make_engine


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", default_site="kabar")


@pytest.fixture
def warta(settings: Settings) -> click.Group:
    """The integration commands under a root group like `warta` (cli.py registers them)."""

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        app = AppContext(settings)
        ctx.obj = app
        ctx.call_on_close(app.close)

    for command in COMMANDS:
        root.add_command(command)
    services = build_services(settings)
    services.store.create_site(slug="kabar", name="Kabar")
    services.close()
    return root


def run(warta: click.Group, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(warta, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_keys_create_prints_the_key_once_and_revoke_stops_it(
    warta: click.Group, settings: Settings
) -> None:
    code, out, err = run(warta, "keys", "create", "--site", "kabar")
    assert code == 0, err
    key = out.strip()
    assert key.startswith("wrt_")
    assert len(out.splitlines()) == 1
    prefix = key[:12]
    assert f"created key {prefix}" in err
    code, out, _ = run(warta, "keys", "list", "--site", "kabar", "--format", "json")
    (listed,) = json.loads(out)
    assert listed["prefix"] == prefix
    assert key not in out
    assert run(warta, "keys", "revoke", prefix)[0] == 0
    _, out, _ = run(warta, "keys", "list", "--site", "kabar", "--format", "json")
    assert json.loads(out)[0]["revoked_at"] is not None


def test_unknown_site_and_unknown_prefix_fail_with_the_fix(warta: click.Group) -> None:
    code, _, err = run(warta, "keys", "create", "--site", "tidak-ada")
    assert code == 1
    assert "warta sites create tidak-ada" in err
    code, _, err = run(warta, "keys", "revoke", "wrt_AAAAAAAA")
    assert code == 1
    assert "warta keys list" in err


def test_editors_create_reads_the_password_and_refuses_a_short_one(
    warta: click.Group,
) -> None:
    code, _, err = run(
        warta, "editors", "create", "Redaksi@Kabar.example", "--site", "kabar",
        "--password-stdin", input="kopi-tubruk-pagi\n",
    )  # fmt: skip
    assert code == 0, err
    assert "created editor redaksi@kabar.example" in err
    code, _, err = run(
        warta, "editors", "create", "lain@kabar.example", "--site", "kabar",
        input="pendek\npendek\n",
    )  # fmt: skip
    assert code == 2
    assert "10 to 1024 characters" in err
    _, out, _ = run(warta, "editors", "list", "--site", "kabar")
    assert "redaksi@kabar.example" in out
    assert "lain@" not in out


def test_webhooks_add_deliver_and_show_the_delivery_log(
    warta: click.Group, settings: Settings
) -> None:
    with receiving(Receiver(statuses=[500])) as receiver:
        code, out, err = run(
            warta, "webhooks", "add", receiver.base_url + "/in", "--site", "kabar",
            "--event", "edition.updated",
        )  # fmt: skip
        assert code == 0, err
        assert out.strip().startswith("whsec_")
        services = build_services(settings)
        try:
            from warta.integrations import build_integrations
            from warta.integrations.webhooks import WebhookEvent

            site = services.store.get_site("kabar")
            build_integrations(services).outbox.emit(
                site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={}
            )
        finally:
            services.close()
        code, _, err = run(warta, "webhooks", "deliver")
        assert "0 delivered, 1 to retry" in err  # 127.0.0.1 is refused by default
        assert receiver.requests == []
        code, _, err = run(warta, "webhooks", "deliver", "--allow-private-networks")
    assert "0 delivered" in err  # not due yet: the refused attempt set a backoff
    code, out, _ = run(warta, "webhooks", "deliveries", "--format", "json")
    (attempt,) = json.loads(out)
    assert "not a public internet address" in attempt["error"]
    code, out, _ = run(warta, "webhooks", "list")
    assert "edition.updated" in out
    assert run(warta, "webhooks", "remove", "1")[0] == 0


def test_feeds_add_and_poll(warta: click.Group, settings: Settings) -> None:
    payload = article_payload(0)
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>K</title><item>'
        '<guid isPermaLink="false">kabar-1</guid><title>' + payload["title"] + "</title>"
        "<description><![CDATA[" + payload["body_html"] + "]]></description>"
        "</item></channel></rss>"
    ).encode()
    portal = Site(documents={"/rss.xml": Document(rss, "application/rss+xml")})
    with serving(portal):
        assert run(warta, "feeds", "add", portal.url("/rss.xml"), "--site", "kabar")[0] == 0
        code, _, err = run(warta, "feeds", "poll", "--allow-private-networks")
        assert code == 0, err
        assert "1 new" in err
        code, _, err = run(warta, "feeds", "poll", "--allow-private-networks")
        assert "not modified" in err
        code, _, err = run(warta, "feeds", "poll")  # 127.0.0.1 is refused by default
    assert code == 1
    assert "failed" in err
    _, out, _ = run(warta, "feeds", "list")
    assert "kabar" in out
    assert "http" in out
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT external_id FROM articles"
            ).scalar() == feed_external_id("kabar-1")
    finally:
        engine.dispose()
