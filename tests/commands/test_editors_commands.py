"""`warta editors disable|enable|password`, run in-process with click's CliRunner against a
temporary home: the account changes, is audited as "cli", and the last admin stays."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from warta.cli import cli
from warta.config import Settings
from warta.integrations import build_integrations
from warta.services import build_services
from warta.store.audit import AuditStore

Run = Callable[..., Result]
PASSWORD = "kopi-tubruk-pagi"  # noqa: S105 -- a test account's password
BOSS = "boss@kabar.id"
DESK = "desk@kabar.id"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run(home: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, ["--home", str(home), *args], input=stdin, catch_exceptions=False)

    assert invoke("sites", "create", "kabar").exit_code == 0
    for email, role in ((BOSS, "admin"), (DESK, "editor")):
        made = invoke(
            "editors",
            "create",
            email,
            "--site",
            "kabar",
            "--role",
            role,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        assert made.exit_code == 0, made.output
    return invoke


def _login(home: Path, email: str, password: str) -> bool:
    services = build_services(Settings(home=home))
    try:
        integrations = build_integrations(services)
        try:
            integrations.accounts.login(site="kabar", email=email, password=password)
        except Exception:  # noqa: BLE001 -- refused, whatever the reason
            return False
        return True
    finally:
        services.close()


def _actions(home: Path) -> list[tuple[str, str, str]]:
    services = build_services(Settings(home=home))
    try:
        site = services.store.get_site("kabar")
        return [
            (e.action, e.actor, e.subject) for e in AuditStore(services.db).entries(site_id=site.id)
        ]
    finally:
        services.close()


def test_disable_and_enable_an_editor(run: Run, home: Path) -> None:
    disabled = run("editors", "disable", DESK, "--site", "kabar")
    assert disabled.exit_code == 0, disabled.output
    assert f"disabled {DESK} of site kabar" in disabled.stderr
    assert not _login(home, DESK, PASSWORD)

    enabled = run("editors", "enable", DESK, "--site", "kabar")
    assert enabled.exit_code == 0, enabled.output
    assert _login(home, DESK, PASSWORD)
    assert _actions(home)[:2] == [
        ("editor.enabled", "cli", f"editor {DESK}"),
        ("editor.disabled", "cli", f"editor {DESK}"),
    ]


def test_the_last_admin_is_not_disabled_or_demoted(run: Run, home: Path) -> None:
    refused = run("editors", "disable", BOSS, "--site", "kabar")
    assert refused.exit_code != 0
    assert "last active admin of site 'kabar'" in refused.stderr
    assert "make another editor an admin first" in refused.stderr
    demoted = run("editors", "role", BOSS, "--site", "kabar", "--role", "editor")
    assert demoted.exit_code != 0
    assert _login(home, BOSS, PASSWORD)
    unknown = run("editors", "disable", "nobody@kabar.id", "--site", "kabar")
    assert unknown.exit_code != 0
    assert "has no editor 'nobody@kabar.id'" in unknown.stderr


def test_password_prints_a_new_one_once_and_the_old_one_stops_working(run: Run, home: Path) -> None:
    reset = run("editors", "password", "--site", "kabar", DESK)

    assert reset.exit_code == 0, reset.output
    password = reset.stdout.strip()
    assert len(password) >= 16
    assert "shown only now" in reset.stderr
    assert _login(home, DESK, password)
    assert not _login(home, DESK, PASSWORD)
    assert _actions(home)[0] == ("editor.password_reset", "cli", f"editor {DESK}")

    chosen = run(
        "editors", "password", "--site", "kabar", DESK, "--password-stdin", stdin="teh-manis-sore\n"
    )
    assert chosen.exit_code == 0, chosen.output
    assert chosen.stdout == ""
    assert _login(home, DESK, "teh-manis-sore")
