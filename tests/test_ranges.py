"""The bounds of ids and times (warta.ranges), and the ingest gate applying them: an article
whose published_at cannot be stored is refused naming the field, whichever way it came in
(API, ``warta ingest``, feeds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from tests.integrations.fixtures import indosum

from warta.domain import ArticleDraft
from warta.errors import FieldError
from warta.ingest.validate import Validator
from warta.ranges import EARLIEST, LATEST, MAX_ROW_ID, check_time, row_id_in_range, time_in_range

FAR_WEST = timezone(-timedelta(hours=23, minutes=59))
FAR_EAST = timezone(timedelta(hours=23, minutes=59))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, True), (MAX_ROW_ID, True), (0, False), (-1, False), (2**63, False), (10**40, False)],
)
def test_row_ids_are_positive_64_bit_integers(value: int, expected: bool) -> None:
    assert row_id_in_range(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 3, 10, 9, 30, tzinfo=UTC), True),
        (EARLIEST, True),
        (LATEST, True),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=FAR_WEST), False),  # no UTC for it
        (datetime(1, 1, 1, tzinfo=FAR_EAST), False),
        (datetime(9999, 12, 31, 12, tzinfo=UTC), False),  # not showable east of UTC
        (datetime(1, 1, 1, 12, tzinfo=UTC), False),
        (datetime(9999, 12, 31, 12), False),  # noqa: DTZ001 -- naive: taken as UTC
    ],
)
def test_times_must_be_storable_and_showable_in_any_zone(value: datetime, expected: bool) -> None:
    assert time_in_range(value) is expected


def test_check_time_names_the_field_and_the_range() -> None:
    with pytest.raises(FieldError) as raised:
        check_time(datetime(1, 1, 1, tzinfo=FAR_EAST), field="since")
    assert raised.value.context["field"] == "since"
    assert "0001-01-02" in raised.value.hint
    assert "9999-12-30" in raised.value.hint


@pytest.mark.parametrize(
    "published_at",
    [
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=FAR_WEST),
        datetime(1, 1, 1, tzinfo=FAR_EAST),
    ],
)
def test_the_ingest_gate_refuses_a_published_at_it_cannot_store(published_at: datetime) -> None:
    row = indosum(0)
    draft = ArticleDraft(
        site="kabar",
        external_id="a-1",
        title=row["title"],
        body_html="".join(f"<p>{p}</p>" for p in row["paragraphs"][:3]),
        published_at=published_at,
    )
    with pytest.raises(FieldError) as raised:
        Validator(max_bytes=512 * 1024, min_confidence=0.5).validate(draft)
    assert raised.value.context["field"] == "published_at"
