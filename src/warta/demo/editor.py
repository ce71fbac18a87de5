"""The demo's review-desk account: an admin of the demo site, so that `warta serve --demo` gives
a desk one can log in to at once.

Created once (idempotently) with a generated password, stored hashed like any other; the
password can be printed only when it is created. Later starts say how to set a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from warta.demo import DEMO_SITE
from warta.domain import EditorRole
from warta.errors import ConflictError, NotFoundError
from warta.integrations.access import EditorAccounts, generated_password

DEMO_EDITOR = "redaksi@demo.example"


@dataclass(frozen=True, slots=True)
class DeskAccount:
    site: str
    email: str
    password: str | None  # only when it was created just now; None: it existed already

    def greeting(self, *, host: str, port: int) -> str:
        """The line `warta serve --demo` prints: where the desk is and how to log in."""
        url = f"http://{host}:{port}/desk/"
        if self.password is not None:
            return f"Review desk: {url} — log in as {self.email} / {self.password}"
        return (
            f"Review desk: {url} — log in as {self.email} (its password was shown when it was "
            f"created; set a new one with `warta editors password --site {self.site} "
            f"{self.email}`)"
        )


def ensure_demo_editor(
    accounts: EditorAccounts, *, site: str = DEMO_SITE, email: str = DEMO_EDITOR
) -> DeskAccount:
    """The demo site's admin ``email``, created with a generated password if it is missing."""
    try:
        accounts.find(site=site, email=email)
    except NotFoundError:
        password = generated_password()
        try:
            accounts.create(site=site, email=email, password=password, role=EditorRole.ADMIN)
        except ConflictError:  # another process created it meanwhile
            return DeskAccount(site=site, email=email, password=None)
        return DeskAccount(site=site, email=email, password=password)
    return DeskAccount(site=site, email=email, password=None)
