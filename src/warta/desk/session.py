"""Who is at the desk: the editor's login session, its CSRF token, and one-shot messages.

Cookies, all scoped to ``/desk``, ``HttpOnly`` and ``SameSite=Strict``:

- ``warta_desk_session``: the session token of :meth:`EditorAccounts.login` (only its hash is
  stored);
- ``warta_desk_csrf``: the session's CSRF token, so the server can write it into every form
  (hidden ``csrf_token`` field) and into the page for JavaScript (``X-CSRF-Token`` header). Another
  origin can neither read it nor the pages; the check compares what a form or fetch sends with the
  hash stored with the session (:meth:`EditorAccounts.check_csrf`);
- ``warta_desk_flash``: one message for the next page (POST-redirect-GET), shown once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from fastapi import Request, Response

from warta.domain import EditorRole
from warta.errors import WartaError
from warta.integrations import Integrations
from warta.integrations.access import Login
from warta.store.editors import Editor, EditorSession

SESSION_COOKIE = "warta_desk_session"
CSRF_COOKIE = "warta_desk_csrf"
FLASH_COOKIE = "warta_desk_flash"
COOKIE_PATH = "/desk"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FLASH_CHARS = 700

FlashKind = Literal["ok", "error"]


def role_of(editor: Editor) -> EditorRole:
    """The editor's role on their site."""
    return editor.role


@dataclass(frozen=True, slots=True)
class DeskUser:
    session: EditorSession
    csrf_token: str  # "" when the CSRF cookie is gone (forms then fail the check, in words)

    @property
    def editor(self) -> Editor:
        return self.session.editor

    @property
    def site_id(self) -> int:
        return self.session.editor.site_id

    @property
    def is_admin(self) -> bool:
        return role_of(self.session.editor) is EditorRole.ADMIN


def current_user(request: Request, integrations: Integrations) -> DeskUser | None:
    """The logged-in editor of this request, or None (no, expired or ended session)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        session = integrations.accounts.session(token)
    except WartaError:
        return None
    return DeskUser(session=session, csrf_token=request.cookies.get(CSRF_COOKIE, ""))


def check_csrf(integrations: Integrations, user: DeskUser, submitted: str | None) -> None:
    """ForbiddenError unless ``submitted`` is the session's CSRF token."""
    integrations.accounts.check_csrf(user.session, submitted)


def _cookie(
    response: Response, name: str, value: str, *, secure: bool, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        secure=secure,
        samesite="strict",
    )


def start(response: Response, login: Login, *, secure: bool, max_age: int) -> None:
    _cookie(response, SESSION_COOKIE, login.token, secure=secure, max_age=max_age)
    _cookie(response, CSRF_COOKIE, login.csrf_token, secure=secure, max_age=max_age)


def end(response: Response) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path=COOKIE_PATH, httponly=True, samesite="strict")


@dataclass(frozen=True, slots=True)
class Flash:
    kind: FlashKind
    text: str


def set_flash(response: Response, flash: Flash, *, secure: bool) -> None:
    payload = json.dumps({"k": flash.kind, "t": flash.text[:MAX_FLASH_CHARS]}, ensure_ascii=True)
    _cookie(response, FLASH_COOKIE, quote(payload, safe=""), secure=secure, max_age=120)


def read_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(unquote(raw))
        kind, text = data["k"], data["t"]
    except (ValueError, KeyError, TypeError):
        return None
    if kind not in ("ok", "error") or not isinstance(text, str):
        return None
    return Flash(kind=kind, text=text)


def clear_flash(response: Response) -> None:
    response.delete_cookie(FLASH_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
