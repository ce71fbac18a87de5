"""What "published" means, decided in one place (pure: no I/O).

An edition is shown to readers as a translation (and advertised in hreflang, sitemaps and feeds,
reported ``published`` by the API, announced by the ``edition.published`` webhook) exactly when
:func:`publication` says so. Its inputs are the site's policy for the language, the edition, and
the latest editor's decision on it:

=========  ==================================================================================
policy     published when
=========  ==================================================================================
auto       the edition is ``translated`` or ``needs_review`` and has content (the default)
clean      the edition is ``translated`` and no segment carries a flag
approval   the edition has content and an *approval* covers its current content
=========  ==================================================================================

Under every policy, a latest decision ``rejected`` that covers the current content holds the
edition. A decision *covers* an edition while the edition's content is still the content it was
made on (:func:`content_hash`): a re-translation or a correction after it needs a new decision.

A held edition looks to readers exactly like a pending one: the Indonesian original is shown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from warta.domain import Edition, EditionStatus, PublishingPolicy
from warta.languages import Lang

TRANSLATED_STATUSES = frozenset({EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW})
DEFAULT_POLICY = PublishingPolicy.AUTO


class Decision(StrEnum):
    """What an editor decided about an edition as it was at that moment."""

    APPROVED = "approved"
    REJECTED = "rejected"


class Hold(StrEnum):
    """Why an edition is not published."""

    NOT_TRANSLATED = "not_translated"  # pending, failed, or no content yet
    FLAGGED = "flagged"  # policy ``clean``: needs review, or a segment is flagged
    AWAITING_APPROVAL = "awaiting_approval"  # policy ``approval``: no approval of this content
    REJECTED = "rejected"  # an editor rejected this content


HOLD_REASONS: dict[Hold, str] = {
    Hold.NOT_TRANSLATED: "not translated yet",
    Hold.FLAGGED: "held: the site publishes only editions with no flagged sentence",
    Hold.AWAITING_APPROVAL: "held: waiting for an editor's approval",
    Hold.REJECTED: "held: an editor rejected this translation",
}


@dataclass(frozen=True, slots=True)
class EditionDecision:
    """The latest decision (approve or reject) on one edition, with the content it was made on."""

    revision_id: int
    lang: Lang
    decision: Decision
    content_hash: str
    editor_id: int | None
    decided_at: datetime
    note: str = ""

    def covers(self, edition: Edition, *, digest: str | None = None) -> bool:
        """True if ``edition`` still has the content the decision was made on.

        ``digest``: the edition's stored :func:`content_hash` when it was read without its body
        (lists); by default the hash is computed from ``edition.content``.
        """
        return (
            edition.revision_id == self.revision_id
            and edition.lang is self.lang
            and (digest if digest is not None else content_hash(edition)) == self.content_hash
        )


@dataclass(frozen=True, slots=True)
class Publication:
    """Whether an edition is published; if not, why (``hold``) in words (``reason``)."""

    published: bool
    policy: PublishingPolicy
    hold: Hold | None = None

    @property
    def reason(self) -> str:
        return HOLD_REASONS[self.hold] if self.hold is not None else ""

    @property
    def held(self) -> bool:
        """Translated, but not published under the policy or by a decision."""
        return self.hold is not None and self.hold is not Hold.NOT_TRANSLATED


def content_hash(edition: Edition) -> str:
    """sha256 of the edition's title, lead and body (what a decision is made on)."""
    content = edition.content
    parts = [content.title, content.lead, content.body_html] if content else []
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def flagged_segments(edition: Edition) -> int:
    """How many of the edition's segments carry a flag (segments must have been read)."""
    return sum(1 for s in edition.segments if s.flags)


def publication(
    edition: Edition | None,
    *,
    policy: PublishingPolicy,
    decision: EditionDecision | None,
    flagged: int | None = None,
    digest: str | None = None,
) -> Publication:
    """Decide whether ``edition`` is published under ``policy`` given the latest ``decision``.

    ``flagged``: the number of flagged segments when the edition was read without its segments
    (lists); by default they are counted from ``edition.segments``. ``digest``: the edition's
    stored content hash when it was read without its body (lists); by default it is computed.
    """
    if edition is None or edition.content is None or edition.status not in TRANSLATED_STATUSES:
        return Publication(False, policy, Hold.NOT_TRANSLATED)
    covering = (
        decision if decision is not None and decision.covers(edition, digest=digest) else None
    )
    if covering is not None and covering.decision is Decision.REJECTED:
        return Publication(False, policy, Hold.REJECTED)
    if policy is PublishingPolicy.CLEAN:
        count = flagged_segments(edition) if flagged is None else flagged
        if edition.status is not EditionStatus.TRANSLATED or count > 0:
            return Publication(False, policy, Hold.FLAGGED)
    elif policy is PublishingPolicy.APPROVAL and covering is None:
        return Publication(False, policy, Hold.AWAITING_APPROVAL)
    return Publication(True, policy)


def is_published(
    edition: Edition | None,
    *,
    policy: PublishingPolicy,
    decision: EditionDecision | None,
    flagged: int | None = None,
    digest: str | None = None,
) -> bool:
    return publication(
        edition, policy=policy, decision=decision, flagged=flagged, digest=digest
    ).published
