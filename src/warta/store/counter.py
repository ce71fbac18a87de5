"""The store's change counter: one cheap read that changes whenever a public page could.

:func:`change_fingerprint` reads a few aggregates per table, in one statement: counts, the
newest ids and times, and the sum of the editions' ``version`` (+1 on every change of an
edition: translated, corrected, re-queued, rolled back). Whatever changes a data version of
:mod:`warta.store.versions` (articles, revisions, editions, editors' decisions, publishing
policies) changes it, and so do the models (the "no translation model is installed yet" notice)
and the sites (name, glossary version). Queued jobs, webhooks and the audit log do not count:
they change no page.

The site (:mod:`warta.web.fast`) reads it at most every few hundred milliseconds and keeps its
page versions in memory while it stays the same, so a cache hit touches no database.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from warta.store.tables import (
    ArticleRow,
    EditionApprovalRow,
    EditionRow,
    ModelRow,
    PublishingPolicyRow,
    RevisionRow,
    SiteRow,
)
from warta.store.transactional import Transactional

Fingerprint = tuple[Any, ...]


def change_fingerprint(session: Session) -> Fingerprint:
    """Aggregates of every table a public page is rendered from (one SELECT of subqueries)."""
    aggregates: list[ColumnElement[Any]] = [
        func.count(SiteRow.id), func.max(SiteRow.id), func.sum(SiteRow.glossary_version),
        func.count(ArticleRow.id), func.max(ArticleRow.id), func.max(ArticleRow.updated_at),
        func.count(RevisionRow.id), func.max(RevisionRow.id),
        func.count(EditionRow.id), func.max(EditionRow.id), func.sum(EditionRow.version),
        func.max(EditionRow.updated_at),
        func.count(EditionApprovalRow.id), func.max(EditionApprovalRow.id),
        func.max(EditionApprovalRow.approved_at),
        func.count(PublishingPolicyRow.id), func.max(PublishingPolicyRow.updated_at),
        func.count(ModelRow.id), func.max(ModelRow.id), func.max(ModelRow.added_at),
    ]  # fmt: skip
    columns = [select(a).scalar_subquery() for a in aggregates]
    row = session.execute(select(*columns)).one()
    return tuple(row)


class ChangeCounter(Transactional):
    """Reads :func:`change_fingerprint` in its own short transaction."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        super().__init__(engine)

    def read(self) -> Fingerprint:
        with self._read() as session:
            return change_fingerprint(session)

    def site_state(self, site_id: int) -> tuple[Fingerprint, dict[int, Fingerprint]]:
        """(:func:`site_stamp`, :func:`article_stamps`) of one site, in one transaction."""
        with self._read() as session:
            return site_stamp(session, site_id), article_stamps(session, site_id)


def article_stamps(session: Session, site_id: int) -> dict[int, Fingerprint]:
    """Per article of the site: what its pages show changes when its stamp does (the article,
    its current revision, that revision's editions and the editors' decisions on them)."""
    current = (RevisionRow.article_id == ArticleRow.id) & (
        RevisionRow.number == ArticleRow.current_revision
    )
    editions = session.execute(
        select(
            ArticleRow.id,
            ArticleRow.updated_at,
            ArticleRow.current_revision,
            func.count(EditionRow.id),
            func.sum(EditionRow.version),
            func.max(EditionRow.updated_at),
        )
        .join(RevisionRow, current)
        .outerjoin(EditionRow, EditionRow.revision_id == RevisionRow.id)
        .where(ArticleRow.site_id == site_id)
        .group_by(ArticleRow.id, ArticleRow.updated_at, ArticleRow.current_revision)
    ).all()
    decisions = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            select(
                ArticleRow.id,
                func.count(EditionApprovalRow.id),
                func.max(EditionApprovalRow.id),
                func.max(EditionApprovalRow.approved_at),
            )
            .join(RevisionRow, current)
            .join(EditionApprovalRow, EditionApprovalRow.revision_id == RevisionRow.id)
            .where(ArticleRow.site_id == site_id)
            .group_by(ArticleRow.id)
        )
    }
    return {row[0]: (*row[1:], decisions.get(row[0])) for row in editions}


def site_stamp(session: Session, site_id: int) -> Fingerprint:
    """What every page of the site shows: its name, publishing policies, the models and the
    categories in use (the menu)."""
    name = session.scalar(select(SiteRow.name).where(SiteRow.id == site_id))
    policies = session.execute(
        select(PublishingPolicyRow.lang, PublishingPolicyRow.policy, PublishingPolicyRow.updated_at)
        .where(PublishingPolicyRow.site_id == site_id)
        .order_by(PublishingPolicyRow.lang)
    ).all()
    models = session.execute(
        select(ModelRow.target_lang, ModelRow.id, ModelRow.added_at).order_by(ModelRow.id)
    ).all()
    categories = sorted(
        c
        for c in session.scalars(
            select(ArticleRow.category).where(ArticleRow.site_id == site_id).distinct()
        )
        if c is not None
    )  # the menu on every page
    return (
        name,
        tuple(tuple(p) for p in policies),
        tuple(tuple(m) for m in models),
        tuple(categories),
    )
