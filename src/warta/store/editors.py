"""Editor accounts of sites and their login sessions.

Passwords and session tokens are hashed by :mod:`warta.integrations.credentials`; the rows hold
only hashes. A session is valid until it expires or the editor logs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warta.domain import EditorRole
from warta.errors import ConflictError, FieldError, NotFoundError
from warta.store import audit, catalog
from warta.store.tables import EditorRow, EditorSessionRow, SiteRow
from warta.store.transactional import Transactional

MAX_EMAIL = 254


@dataclass(frozen=True, slots=True)
class Editor:
    id: int
    site_id: int
    site: str  # the site's slug
    email: str
    created_at: datetime
    disabled_at: datetime | None = None
    role: EditorRole = EditorRole.EDITOR

    @property
    def is_admin(self) -> bool:
        return self.role is EditorRole.ADMIN


@dataclass(frozen=True, slots=True)
class EditorLogin:
    """An editor and the stored password hash, for the password check."""

    editor: Editor
    password_hash: str


@dataclass(frozen=True, slots=True)
class EditorSession:
    editor: Editor
    csrf_hash: str
    expires_at: datetime


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or len(value) > MAX_EMAIL or any(c.isspace() for c in value):
        raise FieldError(
            f"{email[:80]!r} is not an email address",
            hint="give the editor's email address, e.g. redaksi@example.id",
            field="email",
        )
    return value


def _editor(row: EditorRow, slug: str) -> Editor:
    return Editor(
        id=row.id,
        site_id=row.site_id,
        site=slug,
        email=row.email,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
        role=parse_role(row.role),
    )


def parse_role(value: str) -> EditorRole:
    """The :class:`EditorRole` named ``value``, or FieldError naming the roles."""
    try:
        return EditorRole(value.strip().lower())
    except ValueError:
        raise FieldError(
            f"{value[:40]!r} is not an editor's role",
            hint="use " + " or ".join(r.value for r in EditorRole),
            field="role",
        ) from None


def _find(session: Session, *, site_id: int, email: str) -> EditorRow | None:
    return session.scalars(
        select(EditorRow).where(EditorRow.site_id == site_id, EditorRow.email == email)
    ).one_or_none()


def _existing(session: Session, site_row: SiteRow, email: str) -> EditorRow:
    address = normalize_email(email)
    row = _find(session, site_id=site_row.id, email=address)
    if row is None:
        raise NotFoundError(
            f"site {site_row.slug!r} has no editor {address!r}",
            hint="list them with `warta editors list --site SITE`",
            field="email",
        )
    return row


def _keep_an_admin(
    session: Session, site_row: SiteRow, row: EditorRow, *, role: EditorRole, disabled: bool
) -> None:
    """ConflictError when ``row``, an active admin, would stop being one and the site would be
    left with no active admin (nobody could manage editors, glossary or policy at the desk)."""
    if row.role != EditorRole.ADMIN.value or row.disabled_at is not None:
        return
    if role is EditorRole.ADMIN and not disabled:
        return
    others = session.scalars(
        select(EditorRow.id)
        .where(
            EditorRow.site_id == site_row.id,
            EditorRow.id != row.id,
            EditorRow.role == EditorRole.ADMIN.value,
            EditorRow.disabled_at.is_(None),
        )
        .limit(1)
        .with_for_update()
    ).first()
    if others is None:
        raise ConflictError(
            f"{row.email} is the last active admin of site {site_row.slug!r}",
            hint="make another editor an admin first, then change this account",
            field="email",
            email=row.email,
            last_admin=True,
        )


def _end_sessions(session: Session, row: EditorRow, *, now: datetime) -> None:
    session.execute(
        update(EditorSessionRow)
        .where(EditorSessionRow.editor_id == row.id, EditorSessionRow.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def _audit(
    session: Session,
    row: EditorRow,
    *,
    actor: str,
    action: str,
    now: datetime,
    before: str | None = None,
    after: str | None = None,
) -> None:
    audit.record(
        session,
        site_id=row.site_id,
        actor=actor,
        action=action,
        subject=f"editor {row.email}",
        now=now,
        before=before,
        after=after,
    )


class EditorStore(Transactional):
    def create(
        self,
        *,
        site: str,
        email: str,
        password_hash: str,
        role: EditorRole = EditorRole.EDITOR,
        actor: str = "cli",
    ) -> Editor:
        """A new editor of ``site``; ``actor`` (who made it) goes into the audit log."""
        address = normalize_email(email)
        with self._write() as session:
            site_row = catalog.site_row(session, site)
            if _find(session, site_id=site_row.id, email=address) is not None:
                raise ConflictError(
                    f"site {site!r} already has an editor {address!r}",
                    hint="use the existing account, or another email address",
                    field="email",
                )
            row = EditorRow(
                site_id=site_row.id,
                email=address,
                password_hash=password_hash,
                created_at=self._clock(),
                role=role.value,
            )
            session.add(row)
            session.flush()
            _audit(
                session,
                row,
                actor=actor,
                action="editor.created",
                now=row.created_at,
                after=role.value,
            )
            return _editor(row, site_row.slug)

    def login_of(self, *, site: str, email: str) -> EditorLogin | None:
        """The active editor ``email`` of ``site`` with the password hash; None if none."""
        with self._read() as session:
            site_row = catalog.find_site(session, site)
            if site_row is None:
                return None
            row = _find(session, site_id=site_row.id, email=email.strip().lower())
            if row is None or row.disabled_at is not None:
                return None
            return EditorLogin(editor=_editor(row, site_row.slug), password_hash=row.password_hash)

    def list_for(self, *, site: str) -> list[Editor]:
        with self._read() as session:
            site_row = catalog.site_row(session, site)
            rows = session.scalars(
                select(EditorRow).where(EditorRow.site_id == site_row.id).order_by(EditorRow.email)
            )
            return [_editor(row, site_row.slug) for row in rows]

    def get(self, *, site: str, email: str) -> Editor:
        """The editor ``email`` of ``site`` (disabled or not); NotFoundError if there is none."""
        with self._read() as session:
            site_row = catalog.site_row(session, site)
            return _editor(_existing(session, site_row, email), site_row.slug)

    def set_role(self, *, site: str, email: str, role: EditorRole, actor: str = "cli") -> Editor:
        """Change the role of the editor ``email`` of ``site``; NotFoundError if there is none,
        ConflictError if that would leave the site without an active admin."""
        with self._write() as session:
            site_row = catalog.site_row(session, site)
            row = _existing(session, site_row, email)
            if row.role == role.value:
                return _editor(row, site_row.slug)
            _keep_an_admin(session, site_row, row, role=role, disabled=row.disabled_at is not None)
            before, row.role = row.role, role.value
            _audit(
                session,
                row,
                actor=actor,
                action="editor.role",
                now=self._clock(),
                before=before,
                after=row.role,
            )
            return _editor(row, site_row.slug)

    def set_disabled(self, *, site: str, email: str, disabled: bool, actor: str = "cli") -> Editor:
        """Disable (no login, sessions end) or enable the editor ``email`` of ``site``;
        ConflictError if disabling would leave the site without an active admin."""
        with self._write() as session:
            site_row = catalog.site_row(session, site)
            row = _existing(session, site_row, email)
            if (row.disabled_at is not None) is disabled:
                return _editor(row, site_row.slug)
            _keep_an_admin(session, site_row, row, role=parse_role(row.role), disabled=disabled)
            now = self._clock()
            row.disabled_at = now if disabled else None
            if disabled:
                _end_sessions(session, row, now=now)
            action = "editor.disabled" if disabled else "editor.enabled"
            _audit(session, row, actor=actor, action=action, now=now)
            return _editor(row, site_row.slug)

    def set_password(
        self, *, site: str, email: str, password_hash: str, actor: str = "cli"
    ) -> Editor:
        """Replace the editor's password (hash); their sessions end (log in again)."""
        with self._write() as session:
            site_row = catalog.site_row(session, site)
            row = _existing(session, site_row, email)
            now = self._clock()
            row.password_hash = password_hash
            _end_sessions(session, row, now=now)
            _audit(session, row, actor=actor, action="editor.password_reset", now=now)
            return _editor(row, site_row.slug)

    def start_session(
        self, *, editor_id: int, token_hash: str, csrf_hash: str, expires_at: datetime
    ) -> None:
        with self._write() as session:
            session.add(
                EditorSessionRow(
                    editor_id=editor_id,
                    token_hash=token_hash,
                    csrf_hash=csrf_hash,
                    created_at=self._clock(),
                    expires_at=expires_at,
                )
            )

    def session(self, token_hash: str) -> EditorSession | None:
        """The live session with this token hash (not ended, not expired, editor active)."""
        now = self._clock()
        with self._read() as session:
            found = session.execute(
                select(EditorSessionRow, EditorRow, SiteRow.slug)
                .join(EditorRow, EditorRow.id == EditorSessionRow.editor_id)
                .join(SiteRow, SiteRow.id == EditorRow.site_id)
                .where(
                    EditorSessionRow.token_hash == token_hash,
                    EditorSessionRow.ended_at.is_(None),
                    EditorSessionRow.expires_at > now,
                    EditorRow.disabled_at.is_(None),
                )
            ).one_or_none()
            if found is None:
                return None
            row, editor, slug = found
            return EditorSession(
                editor=_editor(editor, slug), csrf_hash=row.csrf_hash, expires_at=row.expires_at
            )

    def end_session(self, token_hash: str) -> None:
        with self._write() as session:
            row = session.scalars(
                select(EditorSessionRow).where(EditorSessionRow.token_hash == token_hash)
            ).one_or_none()
            if row is not None and row.ended_at is None:
                row.ended_at = self._clock()
