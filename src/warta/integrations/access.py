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
neither guessing one account's password nor trying many accounts from one address goes fast.
"""

from __future__ import annotations

import hmac
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


class KeyAuthenticator:
    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    def issue(self, *, site: str) -> tuple[ApiKey, str]:
        """Make a key for ``site``: the record, and the key itself (shown this once only)."""
        new = credentials.new_api_key()
        return self._keys.add(site=site, prefix=new.prefix, key_hash=new.hash), new.key

    def authenticate(self, key: str | None) -> ApiKey:
        """The active key ``key`` is, or AuthenticationError (missing, unknown or revoked)."""
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
        self, *, site: str, email: str, password: str, role: EditorRole = EditorRole.EDITOR
    ) -> Editor:
        return self._editors.create(
            site=site, email=email, password_hash=credentials.hash_password(password), role=role
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
