"""The calls the desk makes, in one place: the editorial desk and the glossary services of
:class:`~warta.integrations.Integrations` (see ``notes/NEWSROOM.md``). Every call names the
editor's site, so another site's article is "not found" (404), never shown.
"""

from __future__ import annotations

from warta.desk.session import DeskUser
from warta.domain import Edition, EditorRole, Glossary, GlossaryTerm, PublishingPolicy
from warta.glossary import GlossaryChange
from warta.integrations import Integrations
from warta.integrations.access import NewPassword
from warta.languages import TARGET_LANGS, Lang
from warta.store.changes import ArticleView, QueueItem, QueueStatus
from warta.store.editors import Editor
from warta.store.history import EditionVersion, SegmentChange

QUEUE_STATUSES: tuple[str, ...] = ("pending", "translated", "needs_review", "held", "failed")
QUEUE_ORDERS: tuple[str, ...] = ("newest", "flagged")


def queue(
    integrations: Integrations,
    user: DeskUser,
    *,
    lang: Lang | None,
    status: str | None,
    flagged: bool | None,
    order: str,
    limit: int,
    offset: int,
) -> list[QueueItem]:
    return integrations.desk.queue(
        site_id=user.site_id,
        lang=lang,
        status=QueueStatus(status) if status else None,
        flagged=flagged,
        order=order,
        limit=limit,
        offset=offset,
    )


def edition(
    integrations: Integrations, user: DeskUser, *, external_id: str, lang: Lang
) -> tuple[ArticleView, Edition]:
    return integrations.desk.edition(site_id=user.site_id, external_id=external_id, lang=lang)


def policies(integrations: Integrations, user: DeskUser) -> dict[Lang, PublishingPolicy]:
    found = dict(integrations.desk.policies(site_id=user.site_id))
    return {lang: found.get(lang, PublishingPolicy.AUTO) for lang in TARGET_LANGS}


def set_policy(
    integrations: Integrations, user: DeskUser, *, lang: Lang, policy: PublishingPolicy
) -> None:
    integrations.desk.set_policy(site_id=user.site_id, lang=lang, policy=policy, editor=user.editor)


def correct(
    integrations: Integrations,
    user: DeskUser,
    *,
    external_id: str,
    lang: Lang,
    index: int,
    target_html: str,
    base_version: int,
    revision: int | None = None,
) -> tuple[Edition, tuple[str, ...]]:
    result = integrations.desk.correct(
        site_id=user.site_id,
        external_id=external_id,
        lang=lang,
        index=index,
        target_html=target_html,
        base_version=base_version,
        editor=user.editor,
        revision=revision,
    )
    return result.edition, tuple(result.warnings)


def approve(integrations: Integrations, user: DeskUser, *, external_id: str, lang: Lang) -> None:
    integrations.desk.approve(
        site_id=user.site_id,
        external_id=external_id,
        lang=lang,
        editor_id=user.editor.id,
        actor=user.editor.email,
    )


def reject(
    integrations: Integrations, user: DeskUser, *, external_id: str, lang: Lang, note: str
) -> None:
    integrations.desk.reject(
        site_id=user.site_id, external_id=external_id, lang=lang, editor=user.editor, note=note
    )


def send_back(
    integrations: Integrations, user: DeskUser, *, external_id: str, lang: Lang, note: str
) -> None:
    integrations.desk.send_back(
        site_id=user.site_id, external_id=external_id, lang=lang, editor=user.editor, note=note
    )


def history(
    integrations: Integrations, user: DeskUser, *, external_id: str, lang: Lang
) -> list[EditionVersion]:
    return integrations.desk.history(site_id=user.site_id, external_id=external_id, lang=lang)


def diff(
    integrations: Integrations, user: DeskUser, *, external_id: str, lang: Lang, version: int
) -> list[SegmentChange]:
    return integrations.desk.diff(
        site_id=user.site_id, external_id=external_id, lang=lang, version=version
    )


def rollback(
    integrations: Integrations, user: DeskUser, *, external_id: str, lang: Lang, to_version: int
) -> Edition:
    return integrations.desk.rollback(
        site_id=user.site_id,
        external_id=external_id,
        lang=lang,
        to_version=to_version,
        editor=user.editor,
    )


def glossary(integrations: Integrations, user: DeskUser) -> Glossary:
    return integrations.glossary.terms(site_id=user.site_id)


def put_term(integrations: Integrations, user: DeskUser, term: GlossaryTerm) -> GlossaryChange:
    return integrations.glossary.put(site_id=user.site_id, term=term, actor=user.editor)


def delete_term(integrations: Integrations, user: DeskUser, source: str) -> GlossaryChange:
    return integrations.glossary.delete(site_id=user.site_id, source=source, actor=user.editor)


def import_csv(integrations: Integrations, user: DeskUser, data: bytes) -> GlossaryChange:
    return integrations.glossary.import_csv(site_id=user.site_id, data=data, actor=user.editor)


def export_csv(integrations: Integrations, user: DeskUser) -> bytes:
    return integrations.glossary.export_csv(site_id=user.site_id)


# --- editors of the site (admins; the accounts check the role again) ---------------------------


def editors(integrations: Integrations, user: DeskUser) -> list[Editor]:
    return integrations.accounts.editors(admin=user.editor)


def add_editor(
    integrations: Integrations, user: DeskUser, *, email: str, role: EditorRole
) -> NewPassword:
    return integrations.accounts.add(admin=user.editor, email=email, role=role)


def change_role(
    integrations: Integrations, user: DeskUser, *, email: str, role: EditorRole
) -> Editor:
    return integrations.accounts.change_role(admin=user.editor, email=email, role=role)


def set_disabled(
    integrations: Integrations, user: DeskUser, *, email: str, disabled: bool
) -> Editor:
    return integrations.accounts.set_disabled(admin=user.editor, email=email, disabled=disabled)
