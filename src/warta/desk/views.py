"""What the desk's templates show, built from domain records: pure functions, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from warta.desk.i18n import N_
from warta.domain import Edition, EditionStatus, PublishingPolicy, SegmentOrigin
from warta.languages import Lang
from warta.publishing import Hold, Publication
from warta.quality.explain import Explanation, explain_all
from warta.web.i18n import Translator
from warta.web.locales import LOCALES, WebLocale

ORIGIN_LABELS = {
    SegmentOrigin.ENGINE: N_("machine translation"),
    SegmentOrigin.MEMORY: N_("from the translation memory"),
    SegmentOrigin.HUMAN: N_("corrected by an editor"),
    SegmentOrigin.VERBATIM: N_("copied unchanged"),
}
STATUS_LABELS = {
    "pending": N_("pending"),
    "translated": N_("translated"),
    "needs_review": N_("needs review"),
    "held": N_("held"),
    "failed": N_("failed"),
    "rejected": N_("rejected"),
}
POLICY_LABELS = {
    PublishingPolicy.AUTO: N_("auto: publish every translation"),
    PublishingPolicy.CLEAN: N_("clean: publish only editions without flagged sentences"),
    PublishingPolicy.APPROVAL: N_("approval: publish only what an editor approves"),
}


def trusted(fragment: str) -> Markup:
    """Stored segment HTML: sanitised on the way in (ingest, pipeline, corrections)."""
    return Markup(fragment)  # noqa: S704 -- sanitised before it was stored


def when(t: Translator, moment: datetime | None) -> str:
    if moment is None:
        return ""
    locale = LOCALES[t.lang]
    # Jakarta time, said as such: an editor elsewhere must not misread it as their own.
    return f"{locale.format_datetime(moment)} ({locale.format_zone(moment)})"


@dataclass(frozen=True, slots=True)
class SegmentRow:
    index: int
    block: int
    new_block: bool
    source: Markup
    target: Markup
    target_html: str  # what the editor edits
    version: int
    origin: str  # "engine" | "memory" | "human" | "verbatim"
    origin_label: str
    edited_by: str
    edited_at: str
    flags: tuple[Explanation, ...]
    suggestion: Markup | None


def segment_rows(edition: Edition, t: Translator) -> list[SegmentRow]:
    rows: list[SegmentRow] = []
    previous_block: int | None = None
    for segment in edition.segments:
        rows.append(
            SegmentRow(
                index=segment.index,
                block=segment.block,
                new_block=previous_block is not None and segment.block != previous_block,
                source=trusted(segment.source_html),
                target=trusted(segment.target_html),
                target_html=segment.target_html,
                version=segment.version,
                origin=segment.origin.value,
                origin_label=t.gettext(ORIGIN_LABELS[segment.origin]),
                edited_by=segment.edited_by or "",
                edited_at=when(t, segment.edited_at),
                flags=tuple(explain_all(segment.flags, lang=t.lang)),
                suggestion=trusted(segment.suggestion_html) if segment.suggestion_html else None,
            )
        )
        previous_block = segment.block
    return rows


@dataclass(frozen=True, slots=True)
class Notice:
    published: bool
    text: str


def publication_notice(
    t: Translator, *, edition: Edition, publication: Publication | None
) -> Notice:
    """Whether readers see the edition and, if not, why (the status, the policy, a decision)."""
    if publication is not None and publication.published:
        return Notice(True, t.gettext("Published: readers see this edition."))
    hold = publication.hold if publication is not None else Hold.NOT_TRANSLATED
    if edition.status is EditionStatus.FAILED:
        text = t.gettext("Not published: the translation failed.")
    elif hold is Hold.AWAITING_APPROVAL:
        text = t.gettext(
            "Held: this language's publishing policy is \u201capproval\u201d, so readers see "
            "the Indonesian original until an editor approves this edition."
        )
    elif hold is Hold.FLAGGED:
        text = t.gettext(
            "Held: this language's publishing policy is \u201cclean\u201d, and this edition "
            "still has flagged sentences. Correct them, or approve it as it is."
        )
    elif hold is Hold.REJECTED:
        text = t.gettext(
            "Held: an editor rejected this translation. It is published again once it changes "
            "and is approved, or under the policy once it is corrected."
        )
    else:
        text = t.gettext("Not published: the translation is not ready yet.")
    if edition.reason and edition.status in (EditionStatus.PENDING, EditionStatus.FAILED):
        text += f" ({edition.reason})"
    return Notice(False, text)


@dataclass(frozen=True, slots=True)
class LangTab:
    code: str
    autonym: str
    href: str
    current: bool


def target_locale(lang: Lang) -> WebLocale:
    return LOCALES[lang]


def status_label(t: Translator, status: object) -> str:
    code = str(getattr(status, "value", status))
    label = STATUS_LABELS.get(code)
    return t.gettext(label) if label else code


_FLAGGED_SUMMARY = re.compile(r"^\d+ of \d+ segments flagged for review")


def reason_words(reason: str) -> str:
    """A status reason, unless it only lists flag codes (the flags are shown in words)."""
    return "" if _FLAGGED_SUMMARY.match(reason) else reason


def editor_reason(edition: Edition) -> str:
    return reason_words(edition.reason)


def count_flagged(edition: Edition) -> int:
    return sum(1 for s in edition.segments if s.flags)


ACTION_LABELS = {
    "engine": N_("translated by the engine"),
    "correct": N_("corrected"),
    "rollback": N_("rolled back"),
}


def action_label(t: Translator, action: str) -> str:
    label = ACTION_LABELS.get(action)
    return t.gettext(label) if label else action
