"""The site's editors at the desk: administrators list them, add one with a password shown once,
change roles, disable and enable; the last administrator stays; editors get a 403 in words."""

from __future__ import annotations

import re

import sqlalchemy
from fastapi.testclient import TestClient
from tests.dbfixtures import FakeClock
from tests.desk.conftest import ADMIN, EDITOR, PASSWORD, csrf_of, log_in

from warta.domain import EditorRole, Site
from warta.integrations import Integrations
from warta.store.audit import AuditStore

NEW_PASSWORD = re.compile(r'<code class="password">([^<]+)</code>')


def _roles(integrations: Integrations, site: Site) -> dict[str, tuple[str, bool]]:
    return {
        e.email: (e.role.value, e.disabled_at is not None)
        for e in integrations.editors.list_for(site=site.slug)
    }


def test_an_admin_sees_the_editors_with_role_and_status(client: TestClient, accounts: None) -> None:
    log_in(client, ADMIN)
    page = client.get("/desk/editors?lang=en")

    assert page.status_code == 200
    assert 'href="/desk/editors" aria-current="page"' in page.text
    rows = re.findall(r'<tr class="editor[^"]*" data-email="([^"]+)"', page.text)
    assert rows == [ADMIN, EDITOR]
    assert "(you)" in page.text
    assert page.text.count("active since") == 2
    assert page.headers["cache-control"] == "no-store"


def test_an_admin_adds_an_editor_and_sees_the_password_only_once(
    client: TestClient,
    accounts: None,
    integrations: Integrations,
    site: Site,
    engine: sqlalchemy.Engine,
    clock: FakeClock,
) -> None:
    csrf = log_in(client, ADMIN)

    added = client.post(
        "/desk/editors", data={"csrf_token": csrf, "email": "Baru@Kabar.example", "role": "editor"}
    )

    assert added.status_code == 201, added.text
    found = NEW_PASSWORD.search(added.text)
    assert found is not None
    assert "baru@kabar.example sekarang dapat masuk." in added.text
    assert "hanya ditampilkan sekali" in added.text
    assert found.group(1) not in client.get("/desk/editors").text  # shown once
    newcomer = TestClient(client.app, follow_redirects=False)
    response = newcomer.post(
        "/desk/login",
        data={"site": site.slug, "email": "baru@kabar.example", "password": found.group(1)},
    )
    assert response.status_code == 303
    (entry, *_) = AuditStore(engine, clock=clock).entries(site_id=site.id)
    assert (entry.action, entry.actor) == ("editor.created", ADMIN)


def test_an_admin_changes_a_role_and_disables_and_enables_an_editor(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)

    promoted = client.post(
        "/desk/editors/role", data={"csrf_token": csrf, "email": EDITOR, "role": "admin"}
    )
    assert promoted.status_code == 303
    assert f"{EDITOR} sekarang administrator." in client.get("/desk/editors").text
    client.post("/desk/editors/disable", data={"csrf_token": csrf, "email": EDITOR})
    assert _roles(integrations, site)[EDITOR] == ("admin", True)
    assert "nonaktif sejak" in client.get("/desk/editors").text
    refused = TestClient(client.app, follow_redirects=False).post(
        "/desk/login", data={"site": site.slug, "email": EDITOR, "password": PASSWORD}
    )
    assert refused.status_code != 303
    client.post("/desk/editors/enable", data={"csrf_token": csrf, "email": EDITOR})
    assert _roles(integrations, site)[EDITOR] == ("admin", False)


def test_the_last_admin_cannot_demote_or_disable_themselves(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)

    client.post("/desk/editors/role", data={"csrf_token": csrf, "email": ADMIN, "role": "editor"})
    page = client.get("/desk/editors").text
    assert (
        f"{ADMIN} adalah administrator aktif terakhir situs ini: jadikan editor lain "
        "administrator terlebih dahulu." in page
    )
    client.get("/desk/editors?lang=en")  # the desk in English from now on
    client.post("/desk/editors/disable", data={"csrf_token": csrf, "email": ADMIN})
    assert (
        f"{ADMIN} is the last active administrator of the site: make another editor an "
        "administrator first." in client.get("/desk/editors").text
    )
    assert _roles(integrations, site)[ADMIN] == ("admin", False)


def test_an_editor_gets_a_403_page_in_words_and_changes_nothing(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, EDITOR)
    assert 'href="/desk/editors"' not in client.get("/desk/").text

    page = client.get("/desk/editors")
    assert page.status_code == 403
    assert "Hanya administrator situs yang dapat melakukan ini." in page.text
    for path, data in (
        ("/desk/editors", {"email": "x@kabar.example", "role": "admin"}),
        ("/desk/editors/role", {"email": EDITOR, "role": "admin"}),
        ("/desk/editors/disable", {"email": ADMIN}),
    ):
        refused = client.post(path, data={"csrf_token": csrf, **data})
        assert refused.status_code == 403
    assert _roles(integrations, site) == {ADMIN: ("admin", False), EDITOR: ("editor", False)}
    assert integrations.editors.list_for(site=site.slug)[0].role is EditorRole.ADMIN


def test_changes_need_the_csrf_token_and_a_login(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    assert client.get("/desk/editors").status_code == 303  # to the login page
    log_in(client, ADMIN)
    csrf_of(client.get("/desk/editors").text)
    refused = client.post("/desk/editors/role", data={"email": EDITOR, "role": "admin"})
    assert refused.status_code == 403
    assert "Formulir ini kedaluwarsa" in refused.text
    assert _roles(integrations, site)[EDITOR] == ("editor", False)
