"""The demo's desk account: created once with a generated password, found again after."""

from __future__ import annotations

from warta.demo.editor import DEMO_EDITOR, DeskAccount, ensure_demo_editor
from warta.domain import EditorRole, Site
from warta.integrations import Integrations


def test_the_demo_editor_is_an_admin_created_once_with_a_password_that_logs_in(
    integrations: Integrations, site: Site
) -> None:
    first = ensure_demo_editor(integrations.accounts, site=site.slug)

    assert first.email == DEMO_EDITOR
    assert first.password is not None
    login = integrations.accounts.login(site=site.slug, email=DEMO_EDITOR, password=first.password)
    assert login.editor.role is EditorRole.ADMIN
    again = ensure_demo_editor(integrations.accounts, site=site.slug)
    assert again == DeskAccount(site=site.slug, email=DEMO_EDITOR, password=None)
    assert len(integrations.editors.list_for(site=site.slug)) == 1


def test_the_greeting_gives_the_password_only_when_it_was_made() -> None:
    made = DeskAccount(site="demo", email=DEMO_EDITOR, password="teh-manis-sore-hari")  # noqa: S106
    assert made.greeting(host="127.0.0.1", port=8000) == (
        f"Review desk: http://127.0.0.1:8000/desk/ — log in as {DEMO_EDITOR} / teh-manis-sore-hari"
    )
    known = DeskAccount(site="demo", email=DEMO_EDITOR, password=None).greeting(
        host="localhost", port=9000
    )
    assert known.startswith(f"Review desk: http://localhost:9000/desk/ — log in as {DEMO_EDITOR}")
    assert f"`warta editors password --site demo {DEMO_EDITOR}`" in known
    assert "teh-manis" not in known
