"""Sites, their glossaries, and the installation's registered models (functions on a Session)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from warta.domain import Glossary, GlossaryTerm, RegisteredModel, Site
from warta.errors import ConflictError, FieldError, NotFoundError
from warta.languages import SOURCE_LANG, Lang, parse_lang
from warta.store import _sql, mapping
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


def _check_term(term: GlossaryTerm) -> GlossaryTerm:
    source = term.source.strip()
    if not source:
        raise FieldError(
            "a glossary term needs its Indonesian text", hint="give the term", field="source"
        )
    translations: dict[Lang, str] = {}
    for key, value in term.translations.items():
        lang = parse_lang(str(key))
        if lang is SOURCE_LANG:
            raise FieldError(
                f"glossary term {source!r} gives a rendering for Indonesian, the source language",
                hint="give renderings for target languages only",
                field="translations",
            )
        if not value.strip():
            raise FieldError(
                f"glossary term {source!r} has an empty rendering for {lang}",
                hint="give the text the term must become, or leave the language out",
                field="translations",
            )
        translations[lang] = value.strip()
    if not translations and not term.do_not_translate:
        raise FieldError(
            f"glossary term {source!r} says nothing",
            hint="give renderings per language, or mark it do-not-translate",
            field="translations",
        )
    return GlossaryTerm(
        source=source,
        translations=translations,
        do_not_translate=term.do_not_translate,
        case_sensitive=term.case_sensitive,
    )


def _bump(session: Session, site_id: int) -> None:
    session.execute(
        update(SiteRow)
        .where(SiteRow.id == site_id)
        .values(glossary_version=SiteRow.glossary_version + 1)
    )


def put_term(session: Session, *, site_id: int, term: GlossaryTerm, now: datetime) -> None:
    """Add or replace a term; the site's glossary version goes up when anything changed."""
    site_row_by_id(session, site_id)
    term = _check_term(term)
    existing = session.scalars(
        select(GlossaryTermRow).where(
            GlossaryTermRow.site_id == site_id, GlossaryTermRow.source == term.source
        )
    ).one_or_none()
    if existing is not None and mapping.glossary_term(existing) == term:
        return
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
    )
    if existing is not None:
        session.expire(existing)  # the upsert bypassed the ORM; reload it if read again
    _bump(session, site_id)


def delete_term(session: Session, *, site_id: int, source: str) -> None:
    site = site_row_by_id(session, site_id)
    result = session.execute(
        delete(GlossaryTermRow).where(
            GlossaryTermRow.site_id == site_id, GlossaryTermRow.source == source.strip()
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]  # CursorResult for DML
        raise NotFoundError(
            f"site {site.slug!r} has no glossary term {source!r}",
            hint=f"list its terms with `warta glossary list --site {site.slug}`",
            site=site.slug,
            term=source,
        )
    _bump(session, site_id)


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
