"""`warta sites policy` and `warta editors create --role`, through click on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from warta.commands._context import AppContext
from warta.commands.integrations import COMMANDS as INTEGRATION_COMMANDS
from warta.commands.sites import COMMANDS as SITE_COMMANDS
from warta.config import Settings
from warta.domain import EditorRole, PublishingPolicy
from warta.languages import TARGET_LANGS, Lang
from warta.services import build_services
from warta.store.audit import AuditStore
from warta.store.editors import EditorStore
from warta.store.policies import PolicyStore


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", default_site="kabar")


@pytest.fixture
def warta(settings: Settings) -> click.Group:
    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        app = AppContext(settings)
        ctx.obj = app
        ctx.call_on_close(app.close)

    for command in (*SITE_COMMANDS, *INTEGRATION_COMMANDS):
        root.add_command(command)
    services = build_services(settings)
    services.store.create_site(slug="kabar", name="Kabar")
    services.close()
    return root


def run(warta: click.Group, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(warta, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _policies(settings: Settings) -> dict[Lang, PublishingPolicy]:
    services = build_services(settings)
    try:
        site = services.store.get_site("kabar")
        return PolicyStore(services.db).policies(site.id)
    finally:
        services.close()


def test_policy_of_one_language_is_set_audited_and_listed(
    warta: click.Group, settings: Settings
) -> None:
    code, _, err = run(warta, "sites", "policy", "kabar", "--lang", "ja", "--policy", "approval")
    assert code == 0, err
    assert "set kabar ja: approval" in err
    assert _policies(settings)[Lang.JA] is PublishingPolicy.APPROVAL
    assert _policies(settings)[Lang.EN] is PublishingPolicy.AUTO
    code, out, err = run(warta, "sites", "policy", "kabar", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == {
        "en": "auto",
        "zh": "auto",
        "ja": "approval",
        "ar": "auto",
        "fr": "auto",
    }
    services = build_services(settings)
    try:
        site = services.store.get_site("kabar")
        (entry,) = AuditStore(services.db).entries(site_id=site.id)
    finally:
        services.close()
    assert (entry.actor, entry.action, entry.before, entry.after) == (
        "cli",
        "policy.changed",
        "auto",
        "approval",
    )


def test_policy_without_lang_sets_all_five_languages(
    warta: click.Group, settings: Settings
) -> None:
    code, _, err = run(warta, "sites", "policy", "kabar", "--policy", "CLEAN")
    assert code == 0, err
    assert _policies(settings) == dict.fromkeys(TARGET_LANGS, PublishingPolicy.CLEAN)
    code, out, _ = run(warta, "sites", "policy", "kabar")
    assert code == 0
    assert out.count("clean") == 5


@pytest.mark.parametrize(
    ("args", "message", "fix"),
    [
        (("--lang", "ja", "--policy", "manual"), "unknown publishing policy 'manual'", "approval"),
        (("--lang", "de", "--policy", "auto"), "unknown language code 'de'", "en, zh, ja"),
        (("--lang", "id", "--policy", "auto"), "unknown language code 'id'", "source language"),
    ],
)
def test_bad_policy_input_exits_2_with_a_clear_message_and_changes_nothing(
    warta: click.Group, settings: Settings, args: tuple[str, ...], message: str, fix: str
) -> None:
    code, _, err = run(warta, "sites", "policy", "kabar", *args)
    assert code == 2, err
    assert message in err
    assert fix in err
    assert _policies(settings) == dict.fromkeys(TARGET_LANGS, PublishingPolicy.AUTO)


def test_policy_of_an_unknown_site_fails_with_the_fix(warta: click.Group) -> None:
    code, _, err = run(warta, "sites", "policy", "tidak-ada", "--policy", "auto")
    assert code != 0
    assert "tidak-ada" in err


def test_editors_are_created_with_a_role_editor_by_default(
    warta: click.Group, settings: Settings
) -> None:
    code, _, err = run(
        warta,
        "editors",
        "create",
        "--site",
        "kabar",
        "boss@kabar.id",
        "--role",
        "admin",
        "--password-stdin",
        input="kopi-tubruk-pagi\n",
    )
    assert code == 0, err
    assert "created admin boss@kabar.id" in err
    code, _, err = run(
        warta,
        "editors",
        "create",
        "--site",
        "kabar",
        "desk@kabar.id",
        "--password-stdin",
        input="kopi-tubruk-pagi\n",
    )
    assert code == 0, err
    services = build_services(settings)
    try:
        roles = {e.email: e.role for e in EditorStore(services.db).list_for(site="kabar")}
    finally:
        services.close()
    assert roles == {"boss@kabar.id": EditorRole.ADMIN, "desk@kabar.id": EditorRole.EDITOR}
    code, out, _ = run(warta, "editors", "list", "--site", "kabar")
    assert "admin" in out
    code, _, err = run(
        warta, "editors", "role", "desk@kabar.id", "--site", "kabar", "--role", "admin"
    )
    assert code == 0, err
    assert "is now admin" in err


def test_an_unknown_role_is_refused_with_the_choices(warta: click.Group) -> None:
    code, _, err = run(
        warta,
        "editors",
        "create",
        "--site",
        "kabar",
        "x@kabar.id",
        "--role",
        "owner",
        "--password-stdin",
        input="kopi-tubruk-pagi\n",
    )
    assert code == 2
    assert "'owner' is not one of 'admin', 'editor'" in err
