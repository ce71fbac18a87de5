"""The one rule of "published" (warta.publishing), exhaustively: policy x edition x decision."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime

import pytest

from warta.domain import (
    Edition,
    EditionContent,
    EditionStatus,
    PublishingPolicy,
    SegmentOrigin,
    SegmentTranslation,
)
from warta.languages import Lang
from warta.publishing import (
    Decision,
    EditionDecision,
    Hold,
    content_hash,
    flagged_segments,
    is_published,
    publication,
)

AUTO, CLEAN, APPROVAL = PublishingPolicy.AUTO, PublishingPolicy.CLEAN, PublishingPolicy.APPROVAL
WHEN = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)


def _segment(index: int, *, flags: tuple[str, ...] = ()) -> SegmentTranslation:
    return SegmentTranslation(
        index=index,
        block=0,
        source_html=f"Kalimat {index}.",
        target_html=f"Sentence {index}.",
        origin=SegmentOrigin.ENGINE,
        flags=flags,
    )


def _edition(
    status: EditionStatus, *, content: bool = True, flagged: bool = False, body: str = "<p>A.</p>"
) -> Edition:
    segments = (_segment(0), _segment(1, flags=("number_missing",) if flagged else ()))
    return Edition(
        revision_id=7,
        lang=Lang.JA,
        status=status,
        content=EditionContent(title="T", lead="", body_html=body) if content else None,
        segments=segments if content else (),
    )


def _decision(edition: Edition, decision: Decision) -> EditionDecision:
    return EditionDecision(
        revision_id=edition.revision_id,
        lang=edition.lang,
        decision=decision,
        content_hash=content_hash(edition),
        editor_id=1,
        decided_at=WHEN,
    )


TRANSLATED = _edition(EditionStatus.TRANSLATED)
TRANSLATED_FLAGGED = _edition(EditionStatus.TRANSLATED, flagged=True)  # e.g. a correction warning
NEEDS_REVIEW = _edition(EditionStatus.NEEDS_REVIEW, flagged=True)
PENDING = _edition(EditionStatus.PENDING, content=False)
PENDING_OLD_TEXT = _edition(EditionStatus.PENDING)  # re-queued: the old content is still stored
FAILED = _edition(EditionStatus.FAILED, content=False)
NO_CONTENT = _edition(EditionStatus.TRANSLATED, content=False)

# (edition, policy, decision on it, published, hold) -- every combination that matters.
TABLE: list[tuple[Edition, PublishingPolicy, Decision | None, bool, Hold | None]] = [
    # auto: translated and needs_review with content are published
    (TRANSLATED, AUTO, None, True, None),
    (NEEDS_REVIEW, AUTO, None, True, None),
    (TRANSLATED_FLAGGED, AUTO, None, True, None),
    (TRANSLATED, AUTO, Decision.APPROVED, True, None),
    (NEEDS_REVIEW, AUTO, Decision.REJECTED, False, Hold.REJECTED),
    (TRANSLATED, AUTO, Decision.REJECTED, False, Hold.REJECTED),
    # clean: translated with no flagged segment
    (TRANSLATED, CLEAN, None, True, None),
    (NEEDS_REVIEW, CLEAN, None, False, Hold.FLAGGED),
    (TRANSLATED_FLAGGED, CLEAN, None, False, Hold.FLAGGED),
    (NEEDS_REVIEW, CLEAN, Decision.APPROVED, False, Hold.FLAGGED),  # approval is not "clean"
    (TRANSLATED, CLEAN, Decision.REJECTED, False, Hold.REJECTED),
    # approval: only an approval of the current content
    (TRANSLATED, APPROVAL, None, False, Hold.AWAITING_APPROVAL),
    (NEEDS_REVIEW, APPROVAL, None, False, Hold.AWAITING_APPROVAL),
    (TRANSLATED, APPROVAL, Decision.APPROVED, True, None),
    (NEEDS_REVIEW, APPROVAL, Decision.APPROVED, True, None),
    (TRANSLATED, APPROVAL, Decision.REJECTED, False, Hold.REJECTED),
]
# never published, whatever the policy and decision: nothing translated to show
Row = tuple[Edition, PublishingPolicy, Decision | None, bool, Hold | None]
NOT_TRANSLATED: list[Row] = [
    (edition, policy, decision, False, Hold.NOT_TRANSLATED)
    for edition, policy, decision in itertools.product(
        (PENDING, PENDING_OLD_TEXT, FAILED, NO_CONTENT),
        (AUTO, CLEAN, APPROVAL),
        (None, Decision.APPROVED, Decision.REJECTED),
    )
]


@pytest.mark.parametrize(
    ("edition", "policy", "decided", "published", "hold"), TABLE + NOT_TRANSLATED
)
def test_the_rule_table(
    edition: Edition,
    policy: PublishingPolicy,
    decided: Decision | None,
    published: bool,
    hold: Hold | None,
) -> None:
    decision = _decision(edition, decided) if decided is not None else None
    outcome = publication(edition, policy=policy, decision=decision)
    assert (outcome.published, outcome.hold) == (published, hold)
    assert outcome.policy is policy
    assert is_published(edition, policy=policy, decision=decision) is published
    assert bool(outcome.reason) is not published


def test_a_missing_edition_is_not_published_under_any_policy() -> None:
    for policy in PublishingPolicy:
        assert publication(None, policy=policy, decision=None).hold is Hold.NOT_TRANSLATED


@pytest.mark.parametrize("decided", [Decision.APPROVED, Decision.REJECTED])
def test_a_decision_on_other_content_no_longer_counts(decided: Decision) -> None:
    decision = _decision(TRANSLATED, decided)
    changed = _edition(EditionStatus.TRANSLATED, body="<p>Corrected.</p>")
    assert not decision.covers(changed)
    # a rejection of the old text does not hold the corrected one (auto publishes it) ...
    assert publication(changed, policy=AUTO, decision=decision).published
    # ... and an approval of the old text does not publish it under "approval"
    assert publication(changed, policy=APPROVAL, decision=decision).hold is Hold.AWAITING_APPROVAL


def test_a_decision_on_another_edition_does_not_cover_this_one() -> None:
    decision = _decision(TRANSLATED, Decision.APPROVED)
    assert not decision.covers(dataclasses.replace(TRANSLATED, lang=Lang.FR))
    assert not decision.covers(dataclasses.replace(TRANSLATED, revision_id=8))


def test_flagged_counts_from_a_list_read_override_the_segments() -> None:
    unread = dataclasses.replace(TRANSLATED, segments=())  # a list read has no segments
    assert publication(unread, policy=CLEAN, decision=None, flagged=2).hold is Hold.FLAGGED
    assert publication(unread, policy=CLEAN, decision=None, flagged=0).published
    assert flagged_segments(TRANSLATED_FLAGGED) == 1


def test_held_means_translated_but_not_published() -> None:
    assert publication(TRANSLATED, policy=APPROVAL, decision=None).held
    assert not publication(PENDING, policy=APPROVAL, decision=None).held
    assert not publication(TRANSLATED, policy=AUTO, decision=None).held


def test_the_content_hash_covers_title_lead_and_body() -> None:
    base = _edition(EditionStatus.TRANSLATED)
    assert base.content is not None
    for change in ({"title": "U"}, {"lead": "L"}, {"body_html": "<p>B.</p>"}):
        other = dataclasses.replace(base, content=dataclasses.replace(base.content, **change))
        assert content_hash(other) != content_hash(base)
    assert content_hash(dataclasses.replace(base, status=EditionStatus.NEEDS_REVIEW)) == (
        content_hash(base)
    )
