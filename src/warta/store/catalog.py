"""Sites, their glossaries, and the installation's registered models (functions on a Session)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from warta.domain import Glossary, GlossaryTerm, RegisteredModel, Site
from warta.errors import ConflictError, FieldError, NotFoundError
from warta.glossary_rules import check_term, clash, clash_hint, first_clash
from warta.languages import Lang
from warta.store import _sql, audit, mapping
from warta.store.clock import utcnow
from warta.store.tables import GlossaryTermRow, ModelRow, SiteRow

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62})")

# --- sites ---------------------------------------------------------------------------------------


def check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise FieldError(
            f"site slug {slug!r} is not valid",
            hint="use 1-63 lowercase letters, digits and hyphens, starting with a letter or digit",
            field="slug",
            slug=slug,
        )
    return slug


def site_row(session: Session, slug: str) -> SiteRow:
    row = session.scalars(select(SiteRow).where(SiteRow.slug == slug)).one_or_none()
    if row is None:
        raise NotFoundError(
            f"no site {slug!r}",
            hint=f"create it with `warta sites create {slug}`",
            site=slug,
        )
    return row


def site_row_by_id(session: Session, site_id: int) -> SiteRow:
    row = session.get(SiteRow, site_id)
    if row is None:
        raise NotFoundError(
            f"no site with id {site_id}",
            hint="list sites with `warta sites list`",
            site_id=site_id,
        )
    return row


def find_site(session: Session, slug: str) -> SiteRow | None:
    return session.scalars(select(SiteRow).where(SiteRow.slug == slug)).one_or_none()


def create_site(session: Session, *, slug: str, name: str, now: datetime) -> Site:
    check_slug(slug)
    name = name.strip()
    if not name:
        raise FieldError("a site needs a name", hint="give the site's display name", field="name")
    if find_site(session, slug) is not None:
        raise ConflictError(
            f"site {slug!r} already exists",
            hint="choose another slug, or use the existing site",
            site=slug,
        )
    row = SiteRow(slug=slug, name=name, glossary_version=0, created_at=now)
    session.add(row)
    session.flush()
    return mapping.site(row)


def list_sites(session: Session) -> list[Site]:
    return [mapping.site(row) for row in session.scalars(select(SiteRow).order_by(SiteRow.slug))]


# --- glossary ------------------------------------------------------------------------------------
#
# Each function below is one change of a site's glossary, made in the caller's transaction: the
# terms, one bump of the site's glossary version, and one audit entry, together or not at all.
# A call that changes nothing writes nothing (no bump, no entry).


@dataclass(frozen=True, slots=True)
class TermChange:
    """One term before and after a change: ``before`` None when added, ``after`` None when
    deleted."""

    before: GlossaryTerm | None
    after: GlossaryTerm | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "deleted" if self.after is None else "changed"

    @property
    def source(self) -> str:
        term = self.after or self.before
        return term.source if term is not None else ""


def glossary(session: Session, site_id: int) -> Glossary:
    site = site_row_by_id(session, site_id)
    rows = session.scalars(
        select(GlossaryTermRow)
        .where(GlossaryTermRow.site_id == site_id)
        .order_by(GlossaryTermRow.source)
    )
    return Glossary(
        version=site.glossary_version, terms=tuple(mapping.glossary_term(r) for r in rows)
    )


def lock_site(session: Session, site_id: int) -> SiteRow:
    """The site's row, locked until the transaction ends (PostgreSQL; SQLite's writer holds the
    database lock already): glossary changes of one site happen one after the other, so two of
    them can neither both pass the clash check nor lose a version bump."""
    row = session.scalars(
        select(SiteRow).where(SiteRow.id == site_id).with_for_update()
    ).one_or_none()
    return row if row is not None else site_row_by_id(session, site_id)


def _bump(session: Session, site_id: int) -> None:
    session.execute(
        update(SiteRow)
        .where(SiteRow.id == site_id)
        .values(glossary_version=SiteRow.glossary_version + 1)
    )


def _stored(session: Session, site_id: int) -> dict[str, GlossaryTerm]:
    rows = session.scalars(select(GlossaryTermRow).where(GlossaryTermRow.site_id == site_id))
    return {row.source: mapping.glossary_term(row) for row in rows}


def _upsert(session: Session, *, site_id: int, term: GlossaryTerm, now: datetime) -> None:
    values = {
        "translations": mapping.glossary_translations(term),
        "do_not_translate": term.do_not_translate,
        "case_sensitive": term.case_sensitive,
        "updated_at": now,
    }
    session.execute(
        _sql.insert(session, GlossaryTermRow)
        .values(site_id=site_id, source=term.source, **values)
        .on_conflict_do_update(index_elements=["site_id", "source"], set_=values)
        .execution_options(synchronize_session=False)
    )


def _delete(session: Session, *, site_id: int, sources: Sequence[str]) -> None:
    if sources:
        session.execute(
            delete(GlossaryTermRow)
            .where(GlossaryTermRow.site_id == site_id, GlossaryTermRow.source.in_(sources))
            .execution_options(synchronize_session=False)
        )
    session.expire_all()  # rows changed behind the ORM: reload anything read again


def _check_no_clash(
    term: GlossaryTerm,
    stored: Mapping[str, GlossaryTerm],
    *,
    site: SiteRow,
    where: str = "",
) -> None:
    for other in stored.values():
        if other.source != term.source and clash(term, other):
            raise ConflictError(
                f"{where}the term {term.source!r} clashes with the term {other.source!r} "
                f"already in the glossary of {site.slug}",
                hint=clash_hint(term, other) + " (edit the existing term)",
                site=site.slug,
                term=term.source,
                existing=other.source,
            )


def term_json(term: GlossaryTerm | None) -> str | None:
    """A term as the audit log shows it (JSON), or None."""
    if term is None:
        return None
    return json.dumps(_term_dict(term), ensure_ascii=False, sort_keys=True)


def _term_dict(term: GlossaryTerm) -> dict[str, object]:
    return {
        "source": term.source,
        "keep": term.do_not_translate,
        "case_sensitive": term.case_sensitive,
        "translations": mapping.glossary_translations(term),
    }


def put_term(
    session: Session, *, site_id: int, term: GlossaryTerm, now: datetime, actor: str = "cli"
) -> TermChange | None:
    """Add or replace a term (checked, see :func:`warta.glossary_rules.check_term`); None when
    the glossary already has it exactly so.

    ConflictError when another term clashes with it (the same source in another case where
    either ignores case).
    """
    site = lock_site(session, site_id)
    term = check_term(term)
    stored = _stored(session, site_id)
    existing = stored.get(term.source)
    if existing == term:
        return None
    _check_no_clash(term, stored, site=site)
    _upsert(session, site_id=site_id, term=term, now=now)
    session.expire_all()
    _bump(session, site_id)
    change = TermChange(before=existing, after=term)
    audit.record(
        session,
        site_id=site_id,
        actor=actor,
        action=f"glossary.term_{change.kind}",
        subject=f"glossary of {site.slug}: term {term.source!r}",
        now=now,
        before=term_json(existing),
        after=term_json(term),
    )
    return change


def delete_term(
    session: Session,
    *,
    site_id: int,
    source: str,
    now: datetime | None = None,
    actor: str = "cli",
) -> TermChange:
    """Delete the term whose source is ``source`` (white space tidied); NotFoundError when there
    is none."""
    site = lock_site(session, site_id)
    wanted = " ".join(source.split())
    existing = _stored(session, site_id).get(wanted)
    if existing is None:
        raise NotFoundError(
            f"site {site.slug!r} has no glossary term {wanted!r}",
            hint=f"list its terms with `warta glossary list --site {site.slug}` "
            "(the term must be written exactly as listed)",
            site=site.slug,
            term=wanted,
        )
    when = now or utcnow()
    _delete(session, site_id=site_id, sources=[wanted])
    _bump(session, site_id)
    audit.record(
        session,
        site_id=site_id,
        actor=actor,
        action="glossary.term_deleted",
        subject=f"glossary of {site.slug}: term {wanted!r}",
        now=when,
        before=term_json(existing),
    )
    return TermChange(before=existing, after=None)


def import_terms(
    session: Session,
    *,
    site_id: int,
    terms: Sequence[GlossaryTerm],
    now: datetime,
    actor: str,
    replace: bool = False,
    lines: Sequence[int] = (),
) -> tuple[TermChange, ...]:
    """Add or replace every term of ``terms`` as one change (one version, one audit entry
    ``glossary.imported``); with ``replace`` the stored terms not in ``terms`` are deleted, so the
    glossary becomes exactly ``terms``.

    All or nothing: a bad term (FieldError), two terms that clash (FieldError) or, without
    ``replace``, a term that clashes with a stored one (ConflictError) refuses them all. ``lines``
    (the line of each term in its file) goes into the messages.
    """
    site = lock_site(session, site_id)

    def where(index: int) -> str:
        return f"line {lines[index]}: " if index < len(lines) else f"term {index + 1}: "

    checked: list[GlossaryTerm] = []
    for index, term in enumerate(terms):
        try:
            checked.append(check_term(term))
        except FieldError as exc:
            raise FieldError(where(index) + exc.message, hint=exc.hint, **exc.context) from None
    pair = first_clash(checked)
    if pair is not None:
        first, second = checked[pair[0]], checked[pair[1]]
        raise FieldError(
            f"{where(pair[1])}the term {second.source!r} repeats {first.source!r} "
            f"({where(pair[0]).rstrip(': ')})",
            hint=clash_hint(first, second),
            field="source",
            term=second.source,
        )
    stored = _stored(session, site_id)
    if not replace:
        for index, term in enumerate(checked):
            _check_no_clash(term, stored, site=site, where=where(index))
    changes = [
        TermChange(before=stored.get(term.source), after=term)
        for term in checked
        if stored.get(term.source) != term
    ]
    if replace:
        keep = {term.source for term in checked}
        changes += [
            TermChange(before=term, after=None)
            for source, term in stored.items()
            if source not in keep
        ]
    if not changes:
        return ()
    for change in changes:
        if change.after is not None:
            _upsert(session, site_id=site_id, term=change.after, now=now)
    _delete(
        session,
        site_id=site_id,
        sources=[c.source for c in changes if c.after is None],
    )
    _bump(session, site_id)
    counts = {
        kind: sum(c.kind == kind for c in changes) for kind in ("added", "changed", "deleted")
    }
    audit.record(
        session,
        site_id=site_id,
        actor=actor,
        action="glossary.imported",
        subject=f"glossary of {site.slug}: "
        + ", ".join(f"{n} {kind}" for kind, n in counts.items())
        + (" (replacing the glossary)" if replace else ""),
        now=now,
        before=json.dumps(
            [_term_dict(c.before) for c in changes if c.before is not None], ensure_ascii=False
        ),
        after=json.dumps(
            [_term_dict(c.after) for c in changes if c.after is not None], ensure_ascii=False
        ),
    )
    return tuple(changes)


# --- registered models ---------------------------------------------------------------------------


def add_model(session: Session, model: RegisteredModel, *, now: datetime) -> RegisteredModel:
    if model.source is model.target:
        raise FieldError(
            f"a model translates between two languages, not {model.source}→{model.target}",
            hint="give different --source and --target",
            field="target",
        )
    values = {
        "name": model.name,
        "path": model.path,
        "family": model.family,
        "checksum": model.checksum,
        "added_at": model.added_at or now,
    }
    session.execute(
        _sql.insert(session, ModelRow)
        .values(source_lang=model.source.value, target_lang=model.target.value, **values)
        .on_conflict_do_update(index_elements=["source_lang", "target_lang"], set_=values)
    )
    return mapping.registered_model(_model_row(session, source=model.source, target=model.target))


def _model_row(session: Session, *, source: Lang, target: Lang) -> ModelRow:
    row = session.scalars(
        select(ModelRow).where(
            ModelRow.source_lang == source.value, ModelRow.target_lang == target.value
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"no model registered for {source}→{target}",
            hint="list registered models with `warta models list`",
            source=source.value,
            target=target.value,
        )
    return row


def list_models(session: Session) -> list[RegisteredModel]:
    order = {lang.value: i for i, lang in enumerate(Lang)}
    rows = sorted(
        session.scalars(select(ModelRow)),
        key=lambda r: (order[r.source_lang], order[r.target_lang]),
    )
    return [mapping.registered_model(r) for r in rows]


def remove_model(session: Session, *, source: Lang, target: Lang) -> None:
    session.delete(_model_row(session, source=source, target=target))
