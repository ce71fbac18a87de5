"""Who may call the API: sites' API keys (Bearer) and editors' login sessions (cookie + CSRF).

A key belongs to exactly one site, and everything a key-authenticated request reads or writes is
looked up *within* that site: an article, webhook or delivery of another site is "not found",
never "forbidden" (so ids of other sites cannot even be probed).

Editors log in with site, email and password and get a session token (an HttpOnly cookie) and a
CSRF token; every write made with the cookie must repeat the CSRF token in the ``X-CSRF-Token``
header, which another origin's page cannot read or set.

Editors have a role per site (:class:`~warta.domain.EditorRole`): ``admin`` manages editors, the
glossary and the publishing policy (:func:`require_admin`), and does everything an ``editor``
does. Logins are rate-limited per account *and* per client address (:class:`LoginThrottle`), so
neither guessing one account's password nor trying many accounts from one address goes fast;
failed API-key checks are limited per client address (:class:`FailureThrottle`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from warta.domain import EditorRole
from warta.errors import AuthenticationError, ForbiddenError, RateLimitError
from warta.integrations import credentials
from warta.integrations.ratelimit import TokenBucketLimiter
from warta.store.editors import Editor, EditorSession, EditorStore
from warta.store.keys import ApiKey, KeyStore

BEARER_HINT = (
    "send `Authorization: Bearer KEY` with an active key of the site "
    "(make one with `warta keys create --site SITE`)"
)


class FailureThrottle:
    """Failed authentications per client address, a token bucket each: an address that spent
    its failures is answered 429 (with ``retry_after``) before its key is even looked at, so keys
    cannot be guessed fast, and an address in good standing is not slowed at all."""

    def __init__(self, limiter: TokenBucketLimiter) -> None:
        self._limiter = limiter

    def check(self, address: str | None) -> None:
        """RateLimitError while ``address`` has no failures left."""
        wait = self._limiter.peek(f"addr:{address}") if address else 0.0
        if wait > 0:
            raise RateLimitError(
                "too many failed authentications from this address: the limit is "
                f"{self._limiter.rate * 60:g} a minute, {self._limiter.burst} at once",
                hint="check the API key you send (`Authorization: Bearer KEY`) and wait",
                retry_after=wait,
            )

    def failed(self, address: str | None) -> None:
        """Count one failed authentication of ``address``."""
        if address:
            self._limiter.acquire(f"addr:{address}")


class KeyAuthenticator:
    def __init__(self, keys: KeyStore, *, failures: FailureThrottle | None = None) -> None:
        self._keys = keys
        self._failures = failures

    def issue(self, *, site: str) -> tuple[ApiKey, str]:
        """Make a key for ``site``: the record, and the key itself (shown this once only)."""
        new = credentials.new_api_key()
        return self._keys.add(site=site, prefix=new.prefix, key_hash=new.hash), new.key

    def authenticate(self, key: str | None, *, address: str | None = None) -> ApiKey:
        """The active key ``key`` is, or AuthenticationError (missing, unknown or revoked).

        With a :class:`FailureThrottle`, each failure counts against the client ``address``, and
        an address with no failures left gets RateLimitError (HTTP 429) instead.
        """
        if self._failures is None:
            return self._check(key)
        self._failures.check(address)
        try:
            return self._check(key)
        except AuthenticationError:
            self._failures.failed(address)
            raise

    def _check(self, key: str | None) -> ApiKey:
        if not key:
            raise AuthenticationError("this endpoint needs an API key", hint=BEARER_HINT)
        prefix = credentials.key_prefix(key)
        stored = self._keys.find(prefix) if prefix else None
        if stored is None or not credentials.api_key_matches(key, stored.hash):
            raise AuthenticationError("the API key is not valid", hint=BEARER_HINT)
        if not stored.key.active:
            raise AuthenticationError(
                f"the API key {stored.key.prefix} was revoked",
                hint="ask the site's administrator for a new key (`warta keys create`)",
                prefix=stored.key.prefix,
            )
        return stored.key


def require_admin(editor: Editor, *, action: str) -> None:
    """ForbiddenError unless ``editor`` is an admin of their site (``action``: what was tried)."""
    if editor.role is not EditorRole.ADMIN:
        raise ForbiddenError(
            f"only an admin of the site may {action}; {editor.email} is an {editor.role.value}",
            hint="ask an admin of the site, or have one given the role "
            "(`warta editors create --site SITE EMAIL --role admin`)",
            role=editor.role.value,
            action=action,
        )


class LoginThrottle:
    """Login attempts per account (site + email) and per client address, each a token bucket."""

    def __init__(self, *, per_account: TokenBucketLimiter, per_address: TokenBucketLimiter) -> None:
        self._per_account = per_account
        self._per_address = per_address

    def check(self, *, site: str, email: str, address: str | None) -> None:
        """RateLimitError (with ``retry_after`` seconds) when either limit is spent."""
        waits = [self._per_account.acquire(f"{site}:{email.strip().lower()}")]
        if address:
            waits.append(self._per_address.acquire(f"addr:{address}"))
        wait = max(waits)
        if wait > 0:
            raise RateLimitError(
                "too many login attempts for this account or from this address",
                retry_after=wait,
                field="email",
            )


@dataclass(frozen=True, slots=True)
class Login:
    editor: Editor
    token: str  # goes into the session cookie; only its hash is stored
    csrf_token: str  # the client sends it back in X-CSRF-Token
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewPassword:
    """An editor with a password generated for them: shown once, only its hash is stored."""

    editor: Editor
    password: str


def generated_password() -> str:
    """A random password for a new or reset account (about 120 bits, url-safe, 20 characters)."""
    return secrets.token_urlsafe(15)


class EditorAccounts:
    def __init__(
        self,
        editors: EditorStore,
        *,
        session_seconds: float,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self._editors = editors
        self._session_seconds = session_seconds
        self._throttle = throttle

    def create(
        self,
        *,
        site: str,
        email: str,
        password: str,
        role: EditorRole = EditorRole.EDITOR,
        actor: str = "cli",
    ) -> Editor:
        return self._editors.create(
            site=site,
            email=email,
            password_hash=credentials.hash_password(password),
            role=role,
            actor=actor,
        )

    def find(self, *, site: str, email: str) -> Editor:
        """The editor ``email`` of ``site`` (the operator's look-up); NotFoundError if none."""
        return self._editors.get(site=site, email=email)

    def reset_password(self, *, site: str, email: str, actor: str = "cli") -> NewPassword:
        """Give the editor a new generated password (shown once); their sessions end."""
        password = generated_password()
        editor = self.set_password(site=site, email=email, password=password, actor=actor)
        return NewPassword(editor=editor, password=password)

    def set_password(self, *, site: str, email: str, password: str, actor: str = "cli") -> Editor:
        """Give the editor the password ``password``; their sessions end."""
        return self._editors.set_password(
            site=site,
            email=email,
            password_hash=credentials.hash_password(password),
            actor=actor,
        )

    # --- an admin manages the editors of their site (require_admin; audit: the admin's email) --

    def editors(self, *, admin: Editor) -> list[Editor]:
        """The editors of the admin's site, disabled ones too, by email."""
        require_admin(admin, action="manage editors")
        return self._editors.list_for(site=admin.site)

    def get(self, *, admin: Editor, email: str) -> Editor:
        """One editor of the admin's site (NotFoundError if there is none)."""
        require_admin(admin, action="manage editors")
        return self._editors.get(site=admin.site, email=email)

    def add(self, *, admin: Editor, email: str, role: EditorRole) -> NewPassword:
        """A new editor of the admin's site, with a generated password to hand over once."""
        require_admin(admin, action="manage editors")
        password = generated_password()
        editor = self.create(
            site=admin.site, email=email, password=password, role=role, actor=admin.email
        )
        return NewPassword(editor=editor, password=password)

    def change_role(self, *, admin: Editor, email: str, role: EditorRole) -> Editor:
        """Another role for an editor of the admin's site (ConflictError: the last admin)."""
        require_admin(admin, action="manage editors")
        return self._editors.set_role(site=admin.site, email=email, role=role, actor=admin.email)

    def set_disabled(self, *, admin: Editor, email: str, disabled: bool) -> Editor:
        """Disable (logged out, cannot log in) or enable an editor of the admin's site
        (ConflictError: the last admin)."""
        require_admin(admin, action="manage editors")
        return self._editors.set_disabled(
            site=admin.site, email=email, disabled=disabled, actor=admin.email
        )

    def login(self, *, site: str, email: str, password: str, address: str | None = None) -> Login:
        """Check the password and start a session; rate-limited per account and per ``address``
        (the client's IP address) when the accounts have a throttle."""
        if self._throttle is not None:
            self._throttle.check(site=site, email=email, address=address)
        found = self._editors.login_of(site=site, email=email)
        if found is None:
            credentials.dummy_password_check(password)
        if found is None or not credentials.verify_password(password, found.password_hash):
            raise AuthenticationError(
                "the site, email or password is wrong",
                hint="check them, or ask the site's administrator to create your account "
                "(`warta editors create --site SITE EMAIL`)",
            )
        token, csrf = credentials.new_token(), credentials.new_token()
        expires_at = self._editors.clock() + timedelta(seconds=self._session_seconds)
        self._editors.start_session(
            editor_id=found.editor.id,
            token_hash=credentials.hash_token(token),
            csrf_hash=credentials.hash_token(csrf),
            expires_at=expires_at,
        )
        return Login(editor=found.editor, token=token, csrf_token=csrf, expires_at=expires_at)

    def session(self, token: str | None) -> EditorSession:
        session = self._editors.session(credentials.hash_token(token)) if token else None
        if session is None:
            raise AuthenticationError(
                "this endpoint needs an editor's login session",
                hint="log in with POST /api/v1/editor/login and send the session cookie",
            )
        return session

    @staticmethod
    def check_csrf(session: EditorSession, token: str | None) -> None:
        """ForbiddenError unless ``token`` is the session's CSRF token."""
        if not token or not hmac.compare_digest(credentials.hash_token(token), session.csrf_hash):
            raise ForbiddenError(
                "this change needs the session's CSRF token",
                hint="send the csrf_token from the login response in the X-CSRF-Token header",
                field="X-CSRF-Token",
            )

    def logout(self, token: str | None) -> None:
        if token:
            self._editors.end_session(credentials.hash_token(token))
