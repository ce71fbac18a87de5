"""Admins manage their site's editors over the API: list, add with a generated password, change
the role, disable and enable; editors are refused; the last admin stays; all of it is audited."""

from __future__ import annotations

import sqlalchemy
from fastapi.testclient import TestClient
from tests.dbfixtures import FakeClock

from warta.domain import EditorRole, Site
from warta.integrations import Integrations
from warta.store.audit import AuditStore

PASSWORD = "kopi-tubruk-pagi"  # noqa: S105 -- a test account's password
BOSS = "pemred@kabar.example"
DESK = "redaksi@kabar.example"
EDITORS = "/api/v1/editor/editors"


def _login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(
        "/api/v1/editor/login", json={"site": "kabar", "email": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def _accounts(integrations: Integrations, site: Site) -> None:
    integrations.accounts.create(
        site=site.slug, email=BOSS, password=PASSWORD, role=EditorRole.ADMIN
    )
    integrations.accounts.create(site=site.slug, email=DESK, password=PASSWORD)


def test_an_admin_adds_an_editor_who_logs_in_with_the_password_shown_once(
    client: TestClient,
    integrations: Integrations,
    site: Site,
    engine: sqlalchemy.Engine,
    clock: FakeClock,
) -> None:
    _accounts(integrations, site)
    headers = _login(client, BOSS)

    added = client.post(
        EDITORS, json={"email": "Baru@Kabar.example", "role": "editor"}, headers=headers
    )

    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["editor"]["email"], body["editor"]["role"]) == ("baru@kabar.example", "editor")
    assert len(body["password"]) >= 16
    listed = client.get(EDITORS).json()["items"]
    assert [(e["email"], e["role"], e["disabled"]) for e in listed] == [
        ("baru@kabar.example", "editor", False),
        (BOSS, "admin", False),
        (DESK, "editor", False),
    ]
    assert "password" not in str(listed)
    _login(TestClient(client.app), "baru@kabar.example", body["password"])
    (entry, *_) = AuditStore(engine, clock=clock).entries(site_id=site.id)
    assert (entry.action, entry.actor, entry.subject, entry.after) == (
        "editor.created",
        BOSS,
        "editor baru@kabar.example",
        "editor",
    )
    again = client.post(EDITORS, json={"email": "baru@kabar.example"}, headers=headers)
    assert again.status_code == 409


def test_an_admin_changes_roles_and_disables_an_editor_who_is_logged_out(
    client: TestClient,
    integrations: Integrations,
    site: Site,
    engine: sqlalchemy.Engine,
    clock: FakeClock,
) -> None:
    _accounts(integrations, site)
    desk = TestClient(client.app)
    _login(desk, DESK)
    headers = _login(client, BOSS)

    promoted = client.patch(f"{EDITORS}/{DESK}", json={"role": "admin"}, headers=headers)
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "admin"
    disabled = client.patch(f"{EDITORS}/{DESK}", json={"disabled": True}, headers=headers)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled"] is True

    assert desk.get("/api/v1/editor/reviews").status_code == 401  # the session ended
    refused = desk.post(
        "/api/v1/editor/login", json={"site": "kabar", "email": DESK, "password": PASSWORD}
    )
    assert refused.status_code == 401
    enabled = client.patch(f"{EDITORS}/{DESK}", json={"disabled": False}, headers=headers)
    assert enabled.json()["disabled"] is False
    _login(desk, DESK)
    actions = [
        (e.action, e.actor, e.before, e.after)
        for e in AuditStore(engine, clock=clock).entries(site_id=site.id)
    ]
    assert actions[:3] == [
        ("editor.enabled", BOSS, None, None),
        ("editor.disabled", BOSS, None, None),
        ("editor.role", BOSS, "editor", "admin"),
    ]
    assert (
        client.patch(f"{EDITORS}/nobody@kabar.example", json={}, headers=headers).status_code == 404
    )


def test_the_last_admin_cannot_demote_or_disable_themselves(
    client: TestClient, integrations: Integrations, site: Site
) -> None:
    _accounts(integrations, site)
    headers = _login(client, BOSS)

    for change in ({"role": "editor"}, {"disabled": True}):
        refused = client.patch(f"{EDITORS}/{BOSS}", json=change, headers=headers)
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert "last active admin" in error["message"]
        assert "make another editor an admin first" in error["hint"]
    assert client.get(EDITORS).status_code == 200  # still an admin, still logged in

    client.patch(f"{EDITORS}/{DESK}", json={"role": "admin"}, headers=headers)
    stepped_down = client.patch(f"{EDITORS}/{BOSS}", json={"role": "editor"}, headers=headers)
    assert stepped_down.status_code == 200
    assert client.get(EDITORS).status_code == 403  # an editor now


def test_editors_cannot_manage_editors_and_writes_need_the_csrf_token(
    client: TestClient, integrations: Integrations, site: Site
) -> None:
    _accounts(integrations, site)
    assert client.get(EDITORS).status_code == 401
    headers = _login(client, DESK)

    assert client.get(EDITORS).status_code == 403
    assert (
        client.post(EDITORS, json={"email": "x@kabar.example"}, headers=headers).status_code == 403
    )
    assert (
        client.patch(f"{EDITORS}/{DESK}", json={"role": "admin"}, headers=headers).status_code
        == 403
    )
    assert [e.role for e in integrations.editors.list_for(site=site.slug)] == [
        EditorRole.ADMIN,
        EditorRole.EDITOR,
    ]
    boss = _login(client, BOSS)
    assert client.post(EDITORS, json={"email": "x@kabar.example"}).status_code == 403
    assert client.post(EDITORS, json={"email": "not an address"}, headers=boss).status_code == 422
