"""Publishing policies per site and language, and the batched reads that decide "published".

A site has one :class:`~warta.domain.PublishingPolicy` per target language (no row: ``auto``).
Whether an edition is published is decided by :func:`warta.publishing.publication`; the functions
here gather its inputs for many editions at once, in a fixed number of queries whatever their
count: the site's policies (one query), the latest decisions on the revisions (one), and, for
editions read without their segments, the number of flagged segments of each (one).

Row-level functions take an open Session (other stores use them inside their own transactions);
:class:`PolicyStore` draws the transactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warta.domain import Edition, EditionContent, EditionStatus, PublishingPolicy, Revision
from warta.errors import FieldError
from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang
from warta.publishing import DEFAULT_POLICY, EditionDecision, Publication, publication
from warta.store import _sql, audit, catalog, mapping
from warta.store.approvals import decisions_for
from warta.store.tables import (
    ArticleRow,
    EditionRow,
    EditionSegmentRow,
    PublishingPolicyRow,
    RevisionRow,
)
from warta.store.transactional import Transactional

EditionKey = tuple[int, Lang]  # (revision id, language)
EXCERPT_CHARS = 4000  # of a body read for a list: a teaser's summary needs its first paragraph


def check_target(lang: Lang) -> Lang:
    if lang is SOURCE_LANG or lang not in TARGET_LANGS:
        raise FieldError(
            f"{lang.value!r} is not a target language; Indonesian is the source and is always "
            "published",
            hint="name one of " + ", ".join(t.value for t in TARGET_LANGS),
            field="lang",
        )
    return lang


def policies_for(session: Session, site_id: int) -> dict[Lang, PublishingPolicy]:
    """The policy of every target language of the site (``auto`` where none is stored)."""
    found = {
        Lang(lang): PublishingPolicy(policy)
        for lang, policy in session.execute(
            select(PublishingPolicyRow.lang, PublishingPolicyRow.policy).where(
                PublishingPolicyRow.site_id == site_id
            )
        )
    }
    return {lang: found.get(lang, DEFAULT_POLICY) for lang in TARGET_LANGS}


def flagged_counts(session: Session, revision_ids: Sequence[int]) -> dict[EditionKey, int]:
    """The number of flagged segments of each edition of these revisions (one query)."""
    if not revision_ids:
        return {}
    rows = session.execute(
        select(EditionRow.revision_id, EditionRow.lang, func.count(EditionSegmentRow.id))
        .join(EditionSegmentRow, EditionSegmentRow.edition_id == EditionRow.id)
        .where(
            EditionRow.revision_id.in_(list(dict.fromkeys(revision_ids))),
            func.json_array_length(EditionSegmentRow.flags) > 0,
        )
        .group_by(EditionRow.revision_id, EditionRow.lang)
    )
    return {(revision_id, Lang(lang)): int(count) for revision_id, lang, count in rows}


def publications_for(
    session: Session,
    *,
    site_id: int,
    editions: Sequence[Edition],
    with_segments: bool,
    policies: Mapping[Lang, PublishingPolicy] | None = None,
    decisions: Mapping[EditionKey, EditionDecision] | None = None,
    digests: Mapping[EditionKey, str | None] | None = None,
) -> dict[EditionKey, Publication]:
    """The publication of each edition (all of one site), in at most three queries.

    ``with_segments``: the editions were read with their segments (flags are counted from them);
    otherwise the flagged segments are counted in the database. ``digests``: the editions'
    stored content hashes, where they were read without their whole body.
    """
    if not editions:
        return {}
    revision_ids = [e.revision_id for e in editions]
    policies = policies if policies is not None else policies_for(session, site_id)
    decisions = decisions if decisions is not None else decisions_for(session, revision_ids)
    flagged: dict[EditionKey, int] | None = None
    if not with_segments:  # flags only matter under ``clean``: counted for those editions only
        clean = [e.revision_id for e in editions if policies.get(e.lang) is PublishingPolicy.CLEAN]
        flagged = flagged_counts(session, clean)
    return {
        (e.revision_id, e.lang): publication(
            e,
            policy=policies.get(e.lang, DEFAULT_POLICY),
            decision=decisions.get((e.revision_id, e.lang)),
            flagged=None if flagged is None else flagged.get((e.revision_id, e.lang), 0),
            digest=None if digests is None else digests.get((e.revision_id, e.lang)),
        )
        for e in editions
    }


@dataclass(frozen=True, slots=True)
class CurrentEditions:
    """An article's current revision, its editions (no segments) and what is published."""

    article_id: int
    revision: Revision
    editions: Mapping[Lang, Edition]
    publications: Mapping[Lang, Publication]

    @property
    def published(self) -> dict[Lang, Edition]:
        return {lang: e for lang, e in self.editions.items() if self.publications[lang].published}


def current_editions(
    session: Session,
    *,
    site_id: int,
    article_ids: Sequence[int],
    langs: Sequence[Lang] | None,
    bodies: bool = True,
) -> dict[int, CurrentEditions]:
    """The current revision of each article and its editions in ``langs`` (None: all), with
    their publications: five queries for any number of articles.

    ``bodies=False`` (lists, sitemaps, redirects): no segment and no whole body is read: each
    revision's and edition's ``body_html`` is only its first :data:`EXCERPT_CHARS` characters
    (enough for a teaser's summary), and whether an editor's decision still covers an edition is
    decided from its stored content hash. Never render an article's page from such a read.
    """
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    current_of = (ArticleRow.id == RevisionRow.article_id) & (
        RevisionRow.number == ArticleRow.current_revision
    )
    where = (ArticleRow.id.in_(ids), ArticleRow.site_id == site_id)
    revisions: dict[int, Revision]
    if bodies:
        revisions = {
            row.article_id: mapping.revision(row)
            for row in session.scalars(
                select(RevisionRow).join(ArticleRow, current_of).where(*where)
            )
        }
    else:
        revisions = {
            row.article_id: Revision(
                id=row.id,
                article_id=row.article_id,
                number=row.number,
                title=row.title,
                lead=row.lead,
                body_html=row.excerpt,
                content_hash=row.content_hash,
                created_at=row.created_at,
            )
            for row in session.execute(
                select(
                    RevisionRow.id,
                    RevisionRow.article_id,
                    RevisionRow.number,
                    RevisionRow.title,
                    RevisionRow.lead,
                    func.substr(RevisionRow.body_html, 1, EXCERPT_CHARS).label("excerpt"),
                    RevisionRow.content_hash,
                    RevisionRow.created_at,
                )
                .join(ArticleRow, current_of)
                .where(*where)
            )
        }
    wanted = bool(revisions) and (langs is None or len(langs) > 0)
    found, digests = (
        _editions(session, [r.id for r in revisions.values()], langs=langs, bodies=bodies)
        if wanted
        else ([], {})
    )
    published = publications_for(
        session,
        site_id=site_id,
        editions=found,
        with_segments=False,
        digests=None if bodies else digests,
    )
    by_revision: dict[int, dict[Lang, Edition]] = {}
    for edition in found:
        by_revision.setdefault(edition.revision_id, {})[edition.lang] = edition
    out: dict[int, CurrentEditions] = {}
    for article_id, revision in revisions.items():
        own = by_revision.get(revision.id, {})
        out[article_id] = CurrentEditions(
            article_id=article_id,
            revision=revision,
            editions=own,
            publications={lang: published[(revision.id, lang)] for lang in own},
        )
    return out


def _editions(
    session: Session, revision_ids: Sequence[int], *, langs: Sequence[Lang] | None, bodies: bool
) -> tuple[list[Edition], dict[EditionKey, str | None]]:
    """The editions of these revisions (no segments), whole or with body excerpts, and their
    stored content hashes."""
    if bodies:
        query = select(EditionRow).where(EditionRow.revision_id.in_(revision_ids))
        if langs is not None:
            query = query.where(EditionRow.lang.in_([lang.value for lang in langs]))
        rows = list(session.scalars(query))
        return [mapping.edition(row, []) for row in rows], {
            (row.revision_id, Lang(row.lang)): row.content_hash for row in rows
        }
    columns = select(
        EditionRow.revision_id,
        EditionRow.lang,
        EditionRow.status,
        EditionRow.reason,
        EditionRow.title,
        EditionRow.lead,
        func.substr(EditionRow.body_html, 1, EXCERPT_CHARS).label("excerpt"),
        EditionRow.provenance,
        EditionRow.quality,
        EditionRow.updated_at,
        EditionRow.version,
        EditionRow.content_hash,
    ).where(EditionRow.revision_id.in_(revision_ids))
    if langs is not None:
        columns = columns.where(EditionRow.lang.in_([lang.value for lang in langs]))
    found: list[Edition] = []
    digests: dict[EditionKey, str | None] = {}
    for row in session.execute(columns):
        lang = Lang(row.lang)
        content = (
            EditionContent(title=row.title or "", lead=row.lead or "", body_html=row.excerpt)
            if row.excerpt is not None
            else None
        )
        found.append(
            Edition(
                revision_id=row.revision_id,
                lang=lang,
                status=EditionStatus(row.status),
                reason=row.reason,
                content=content,
                provenance=mapping.provenance(row.provenance),
                updated_at=row.updated_at,
                quality=row.quality,
                version=row.version,
            )
        )
        digests[(row.revision_id, lang)] = row.content_hash
    return found, digests


@dataclass(frozen=True, slots=True)
class PolicyChange:
    lang: Lang
    before: PublishingPolicy
    after: PublishingPolicy

    @property
    def changed(self) -> bool:
        return self.before is not self.after


class PolicyStore(Transactional):
    def policies(self, site_id: int) -> dict[Lang, PublishingPolicy]:
        with self._read() as session:
            catalog.site_row_by_id(session, site_id)
            return policies_for(session, site_id)

    def set_policy(
        self, *, site_id: int, lang: Lang, policy: PublishingPolicy, actor: str
    ) -> PolicyChange:
        """Set the policy of one target language, with its audit entry (if it changed)."""
        check_target(lang)
        now = self._clock()
        with self._write() as session:
            site = catalog.site_row_by_id(session, site_id)
            before = policies_for(session, site_id)[lang]
            change = PolicyChange(lang=lang, before=before, after=policy)
            if not change.changed:
                return change
            values = {"policy": policy.value, "updated_at": now}
            session.execute(
                _sql.insert(session, PublishingPolicyRow)
                .values(site_id=site_id, lang=lang.value, **values)
                .on_conflict_do_update(index_elements=["site_id", "lang"], set_=values)
            )
            audit.record(
                session,
                site_id=site_id,
                actor=actor,
                action="policy.changed",
                subject=f"site {site.slug} {lang.value} publishing policy",
                now=now,
                lang=lang,
                before=before.value,
                after=policy.value,
            )
            return change

    def publications(
        self, *, site_id: int, editions: Sequence[Edition], with_segments: bool = True
    ) -> dict[EditionKey, Publication]:
        """Whether each edition (of one site) is published, and why not."""
        with self._read() as session:
            return publications_for(
                session, site_id=site_id, editions=editions, with_segments=with_segments
            )

    def current(
        self,
        *,
        site_id: int,
        article_ids: Sequence[int],
        langs: Sequence[Lang] | None = None,
        bodies: bool = True,
    ) -> dict[int, CurrentEditions]:
        """Current revisions, editions and publications of many articles, batched (``bodies``:
        see :func:`current_editions`)."""
        with self._read() as session:
            return current_editions(
                session, site_id=site_id, article_ids=article_ids, langs=langs, bodies=bodies
            )
