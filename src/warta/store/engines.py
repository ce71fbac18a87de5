"""Configured engines, routes and usage (migration 0005): one transaction per method.

Routes name sites by slug outside the store; ``site_id`` NULL means every site. Usage is added
up per engine, site and UTC day; :meth:`EngineStore.month_characters` is what a monthly cap is
checked against.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warta.engines.setup import EngineConfig, RouteConfig, UsageDay
from warta.errors import ConflictError, NotFoundError
from warta.languages import Lang
from warta.store import catalog
from warta.store.tables import EngineConfigRow, EngineRouteRow, EngineUsageRow, SiteRow
from warta.store.transactional import Transactional


def _config(row: EngineConfigRow) -> EngineConfig:
    return EngineConfig(
        name=row.name,
        kind=row.kind,
        url=row.url,
        model=row.model,
        key_env=row.key_env,
        options=dict(row.options),
        concurrency=row.concurrency,
        timeout=row.timeout,
        monthly_cap_chars=row.monthly_cap_chars,
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
    )


def _engine_row(session: Session, name: str) -> EngineConfigRow:
    row = session.scalars(select(EngineConfigRow).where(EngineConfigRow.name == name)).first()
    if row is None:
        raise NotFoundError(
            f"no engine named {name!r}",
            hint="list engines with `warta engines list`, add one with `warta engines add`",
            engine=name,
        )
    return row


def _site_id(session: Session, slug: str | None) -> int | None:
    return None if slug is None else catalog.site_row(session, slug).id


class EngineStore(Transactional):
    # --- engines ---------------------------------------------------------------------------------

    def add(self, config: EngineConfig) -> EngineConfig:
        """Store a new engine (ConflictError if the name is taken)."""
        with self._write() as session:
            taken = session.scalars(
                select(EngineConfigRow.id).where(EngineConfigRow.name == config.name)
            ).first()
            if taken is not None:
                raise ConflictError(
                    f"an engine named {config.name!r} already exists",
                    hint="choose another name, or look at it with `warta engines list`",
                    engine=config.name,
                )
            row = EngineConfigRow(
                name=config.name,
                kind=config.kind,
                url=config.url,
                model=config.model,
                key_env=config.key_env,
                options=dict(config.options),
                concurrency=config.concurrency,
                timeout=config.timeout,
                monthly_cap_chars=config.monthly_cap_chars,
                created_at=self._clock(),
                disabled_at=None,
                disabled_reason="",
            )
            session.add(row)
            session.flush()
            return _config(row)

    def engines(self) -> list[EngineConfig]:
        with self._read() as session:
            rows = session.scalars(select(EngineConfigRow).order_by(EngineConfigRow.name))
            return [_config(row) for row in rows]

    def get(self, name: str) -> EngineConfig:
        with self._read() as session:
            return _config(_engine_row(session, name))

    def disable(self, name: str, *, reason: str) -> EngineConfig:
        """Mark the engine disabled (kept: the first reason, the first time)."""
        with self._write() as session:
            row = _engine_row(session, name)
            if row.disabled_at is None:
                row.disabled_at = self._clock()
                row.disabled_reason = reason
                session.flush()
            return _config(row)

    def enable(self, name: str) -> EngineConfig:
        with self._write() as session:
            row = _engine_row(session, name)
            row.disabled_at = None
            row.disabled_reason = ""
            session.flush()
            return _config(row)

    # --- routes ----------------------------------------------------------------------------------

    def set_route(self, route: RouteConfig) -> RouteConfig:
        """Store the route, replacing the one for the same site and language."""
        with self._write() as session:
            site_id = _site_id(session, route.site)
            row = session.scalars(
                select(EngineRouteRow).where(
                    EngineRouteRow.lang == route.lang.value,
                    EngineRouteRow.site_id.is_(None)
                    if site_id is None
                    else EngineRouteRow.site_id == site_id,
                )
            ).first()
            if row is None:
                row = EngineRouteRow(site_id=site_id, lang=route.lang.value)
                session.add(row)
            row.engine = route.engine
            row.fallback = list(route.fallback)
            row.updated_at = self._clock()
            session.flush()
            return RouteConfig(
                lang=route.lang, engine=route.engine, fallback=route.fallback, site=route.site
            )

    def routes(self) -> list[RouteConfig]:
        with self._read() as session:
            rows = session.execute(
                select(EngineRouteRow, SiteRow.slug)
                .outerjoin(SiteRow, SiteRow.id == EngineRouteRow.site_id)
                .order_by(SiteRow.slug.is_not(None), SiteRow.slug, EngineRouteRow.lang)
            ).all()
            return [
                RouteConfig(
                    lang=Lang(row.lang), engine=row.engine, fallback=tuple(row.fallback), site=slug
                )
                for row, slug in rows
            ]

    # --- usage -----------------------------------------------------------------------------------

    def record_usage(
        self,
        *,
        engine: str,
        site: str | None,
        characters: int = 0,
        input_tokens: int = 0,
        output_tokens: int = 0,
        requests: int = 0,
        errors: int = 0,
    ) -> None:
        """Add to today's (UTC) counters of ``engine`` for ``site``."""
        day = self._clock().date()
        with self._write() as session:
            site_id = None if site is None else _find_site_id(session, site)
            row = session.scalars(
                select(EngineUsageRow)
                .where(
                    EngineUsageRow.engine == engine,
                    EngineUsageRow.day == day,
                    EngineUsageRow.site_id.is_(None)
                    if site_id is None
                    else EngineUsageRow.site_id == site_id,
                )
                .with_for_update()
            ).first()
            if row is None:
                row = EngineUsageRow(
                    engine=engine,
                    site_id=site_id,
                    day=day,
                    characters=0,
                    input_tokens=0,
                    output_tokens=0,
                    requests=0,
                    errors=0,
                )
                session.add(row)
            row.characters += characters
            row.input_tokens += input_tokens
            row.output_tokens += output_tokens
            row.requests += requests
            row.errors += errors
            session.flush()

    def usage(self, *, site: str | None = None, days: int = 30) -> list[UsageDay]:
        """Usage of the last ``days`` days (today included), newest first."""
        since = self._clock().date() - timedelta(days=max(days, 1) - 1)
        with self._read() as session:
            query = (
                select(EngineUsageRow, SiteRow.slug)
                .outerjoin(SiteRow, SiteRow.id == EngineUsageRow.site_id)
                .where(EngineUsageRow.day >= since)
                .order_by(EngineUsageRow.day.desc(), EngineUsageRow.engine, SiteRow.slug)
            )
            if site is not None:
                query = query.where(EngineUsageRow.site_id == catalog.site_row(session, site).id)
            return [
                UsageDay(
                    engine=row.engine,
                    site=slug,
                    day=row.day,
                    characters=row.characters,
                    input_tokens=row.input_tokens,
                    output_tokens=row.output_tokens,
                    requests=row.requests,
                    errors=row.errors,
                )
                for row, slug in session.execute(query).all()
            ]

    def month_characters(self, *, engine: str, site: str | None) -> int:
        """Characters sent to ``engine`` for ``site`` this calendar month (UTC)."""
        today = self._clock().date()
        with self._read() as session:
            site_id = None if site is None else _find_site_id(session, site)
            query = select(func.coalesce(func.sum(EngineUsageRow.characters), 0)).where(
                EngineUsageRow.engine == engine,
                EngineUsageRow.day >= date(today.year, today.month, 1),
                EngineUsageRow.site_id.is_(None)
                if site_id is None
                else EngineUsageRow.site_id == site_id,
            )
            return int(session.scalar(query) or 0)


def _find_site_id(session: Session, slug: str) -> int | None:
    row = catalog.find_site(session, slug)
    return None if row is None else row.id


def chain_names(routes: Sequence[RouteConfig]) -> set[str]:
    """Every engine a route names."""
    return {name for route in routes for name in route.chain}
