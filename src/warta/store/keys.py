"""API keys of sites: stored as a hash, found by their public prefix, revocable.

The key itself is made and hashed by :mod:`warta.integrations.credentials`; this module only
keeps the prefix (shown to people, to tell keys apart) and the hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta.errors import NotFoundError
from warta.store import catalog
from warta.store.tables import ApiKeyRow, SiteRow
from warta.store.transactional import Transactional


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    site_id: int
    site: str  # the site's slug
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key record and its stored hash, for the authenticator to compare against."""

    key: ApiKey
    hash: str


def _key(row: ApiKeyRow, slug: str) -> ApiKey:
    return ApiKey(
        id=row.id,
        site_id=row.site_id,
        site=slug,
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def _row(session: Session, prefix: str) -> tuple[ApiKeyRow, str] | None:
    found = session.execute(
        select(ApiKeyRow, SiteRow.slug)
        .join(SiteRow, SiteRow.id == ApiKeyRow.site_id)
        .where(ApiKeyRow.prefix == prefix)
    ).one_or_none()
    return None if found is None else (found[0], found[1])


class KeyStore(Transactional):
    def add(self, *, site: str, prefix: str, key_hash: str) -> ApiKey:
        """Store a new key of ``site`` (NotFoundError names `warta sites create`)."""
        with self._write() as session:
            site_row = catalog.site_row(session, site)
            row = ApiKeyRow(
                site_id=site_row.id, prefix=prefix, hash=key_hash, created_at=self._clock()
            )
            session.add(row)
            session.flush()
            return _key(row, site_row.slug)

    def find(self, prefix: str) -> StoredKey | None:
        with self._read() as session:
            found = _row(session, prefix)
            if found is None:
                return None
            row, slug = found
            return StoredKey(key=_key(row, slug), hash=row.hash)

    def list_for(self, *, site: str) -> list[ApiKey]:
        with self._read() as session:
            site_row = catalog.site_row(session, site)
            rows = session.scalars(
                select(ApiKeyRow).where(ApiKeyRow.site_id == site_row.id).order_by(ApiKeyRow.id)
            )
            return [_key(row, site_row.slug) for row in rows]

    def revoke(self, prefix: str) -> ApiKey:
        """Revoke the key; revoking twice keeps the first time."""
        with self._write() as session:
            found = _row(session, prefix)
            if found is None:
                raise NotFoundError(
                    f"no API key with prefix {prefix!r}",
                    hint="list keys with `warta keys list --site SITE`",
                    prefix=prefix,
                )
            row, slug = found
            if row.revoked_at is None:
                row.revoked_at = self._clock()
                session.flush()
            return _key(row, slug)
