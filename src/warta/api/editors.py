"""Admins manage the editors of their site, on the login session: list, add (with a generated
password, shown once), change the role, disable and enable.

Only admins (403 for editors); each change is in the site's audit log with the admin as actor. A
change that would leave the site without an active admin is refused (409), so an admin cannot
demote or disable themselves while they are the last one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from warta.api.auth import EditorDep, EditorWriteDep
from warta.api.deps import IntegrationsDep
from warta.api.responses import errors
from warta.domain import EditorRole
from warta.store.editors import MAX_EMAIL, Editor

router = APIRouter(
    prefix="/editor/editors", tags=["editor"], responses=errors(400, 401, 403, 408, 413, 422)
)

EmailPath = Annotated[str, Path(min_length=3, max_length=MAX_EMAIL)]
Email = Annotated[str, StringConstraints(min_length=3, max_length=MAX_EMAIL)]


class EditorAccount(BaseModel):
    email: str
    role: EditorRole
    disabled: bool = Field(description="A disabled editor cannot log in.")
    created_at: datetime
    disabled_at: datetime | None = None

    @classmethod
    def from_domain(cls, editor: Editor) -> EditorAccount:
        return cls(
            email=editor.email,
            role=editor.role,
            disabled=editor.disabled_at is not None,
            created_at=editor.created_at,
            disabled_at=editor.disabled_at,
        )


class EditorAccountList(BaseModel):
    items: list[EditorAccount]


class NewEditorRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    role: EditorRole = EditorRole.EDITOR


class NewEditorResult(BaseModel):
    editor: EditorAccount
    password: str = Field(
        description="Generated for the new editor and shown only this once (only its hash is "
        "stored): hand it over, they log in with it."
    )


class EditorChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: EditorRole | None = None
    disabled: bool | None = Field(
        default=None, description="true: cannot log in (sessions end); false: enabled again."
    )


@router.get("")
def list_editors(session: EditorDep, integrations: IntegrationsDep) -> EditorAccountList:
    """The editors of the site, disabled ones too (admins only)."""
    found = integrations.accounts.editors(admin=session.editor)
    return EditorAccountList(items=[EditorAccount.from_domain(e) for e in found])


@router.post("", status_code=status.HTTP_201_CREATED, responses=errors(409))
def add_editor(
    body: NewEditorRequest, session: EditorWriteDep, integrations: IntegrationsDep
) -> NewEditorResult:
    """Add an editor of the site with a generated password, shown only in this answer."""
    made = integrations.accounts.add(admin=session.editor, email=body.email, role=body.role)
    return NewEditorResult(editor=EditorAccount.from_domain(made.editor), password=made.password)


@router.patch("/{email}", responses=errors(404, 409))
def change_editor(
    email: EmailPath, body: EditorChange, session: EditorWriteDep, integrations: IntegrationsDep
) -> EditorAccount:
    """Change an editor's role and/or disable or enable them (admins only). The last active
    admin of the site cannot be demoted or disabled (409)."""
    admin = session.editor
    found = integrations.accounts.get(admin=admin, email=email)  # 403 for editors, 404
    if body.role is not None:
        found = integrations.accounts.change_role(admin=admin, email=email, role=body.role)
    if body.disabled is not None:
        found = integrations.accounts.set_disabled(admin=admin, email=email, disabled=body.disabled)
    return EditorAccount.from_domain(found)
