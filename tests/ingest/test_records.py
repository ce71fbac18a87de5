from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warta.errors import FieldError
from warta.ingest.records import Schema, detect_schema, draft_from_record

WARTA_RECORD: dict[str, object] = {
    "external_id": "2024-0001",
    "title": "Judul",
    "lead": "Teras berita.",
    "body_html": "<p>Isi.</p>",
    "category": "politik",
    "tags": ["pemilu", "dpr"],
    "author": "Redaksi",
    "published_at": "2024-03-05T09:30:00+07:00",
    "source_url": "https://contoh.id/a",
}


def test_warta_record_maps_every_field() -> None:
    draft = draft_from_record(WARTA_RECORD, site="demo")
    assert draft.site == "demo"
    assert draft.external_id == "2024-0001"
    assert (draft.title, draft.lead, draft.body_html) == ("Judul", "Teras berita.", "<p>Isi.</p>")
    assert (draft.category, draft.tags, draft.author) == ("politik", ("pemilu", "dpr"), "Redaksi")
    assert draft.published_at == datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    assert draft.source_url == "https://contoh.id/a"


def test_warta_record_needs_only_id_title_and_body() -> None:
    draft = draft_from_record(
        {"external_id": 42, "title": "Judul", "body_html": "<p>x</p>", "author": None}, site="s"
    )
    assert (draft.external_id, draft.lead, draft.tags, draft.author) == ("42", "", (), None)


def test_warta_record_accepts_id_for_external_id_as_the_demo_file_names_it() -> None:
    record = {k: v for k, v in WARTA_RECORD.items() if k != "external_id"}
    draft = draft_from_record({**record, "id": "1490674536-ketua-mpr"}, site="demo")
    assert draft.external_id == "1490674536-ketua-mpr"
    assert draft.body_html == "<p>Isi.</p>"
    assert draft_from_record({**record, "id": 7}, site="demo").external_id == "7"


def test_warta_record_with_both_id_and_external_id_is_refused() -> None:
    with pytest.raises(FieldError) as info:
        draft_from_record({**WARTA_RECORD, "id": "other"}, site="demo", path="[4]")
    assert info.value.context["field"] == "[4].id"
    assert "both given" in info.value.message
    assert info.value.hint == "keep only 'external_id'"


def test_indosum_record_becomes_escaped_paragraphs(indosum_rows: list[dict[str, object]]) -> None:
    row = dict(indosum_rows[0])
    row["paragraphs"] = ["Harga <naik> & turun.", "  ", "Kedua."]
    draft = draft_from_record(row, site="demo")
    assert draft.external_id == row["id"]
    assert draft.title == row["title"]
    assert draft.body_html == "<p>Harga &lt;naik&gt; &amp; turun.</p><p>Kedua.</p>"
    assert draft.category == row["category"]
    assert draft.source_url == row["source_url"]


@pytest.mark.parametrize(
    ("record", "schema"),
    [
        ({"external_id": "a"}, Schema.WARTA),
        ({"body_html": "a"}, Schema.WARTA),
        ({"id": "a", "paragraphs": []}, Schema.INDOSUM),
        ({"paragraphs": []}, Schema.INDOSUM),
    ],
)
def test_schema_is_told_by_keys(record: dict[str, object], schema: Schema) -> None:
    assert detect_schema(record) is schema


@pytest.mark.parametrize(
    ("record", "path", "field", "words"),
    [
        ({"title": "x"}, "articles[3]", "articles[3]", "matches no known schema"),
        ("teks", "[0]", "[0]", "must be a JSON object, got a string"),
        (
            {**WARTA_RECORD, "title": 7},
            "articles[3]",
            "articles[3].title",
            "must be a string, got a number",
        ),
        (
            {**WARTA_RECORD, "tags": "pemilu"},
            "",
            "tags",
            "must be an array of strings, got a string",
        ),
        ({**WARTA_RECORD, "tags": ["a", None]}, "[2]", "[2].tags[1]", "must be a string, got null"),
        (
            {**WARTA_RECORD, "external_id": True},
            "",
            "external_id",
            "a string or an integer, got a boolean",
        ),
        (
            {k: v for k, v in WARTA_RECORD.items() if k != "body_html"},
            "",
            "body_html",
            "is missing",
        ),
        (
            {**WARTA_RECORD, "publish_at": "2024"},
            "",
            "publish_at",
            "not a field of warta's article schema",
        ),
        ({**WARTA_RECORD, "published_at": "5 Maret 2024"}, "", "published_at", "not an ISO 8601"),
        (
            {"id": "a", "title": "t", "paragraphs": [["kalimat"]]},
            "",
            "paragraphs[0]",
            "must be a string",
        ),
        ({"id": "a", "title": "t"}, "", "paragraphs", "is missing"),
        ({**WARTA_RECORD, "lead": 5}, "", "lead", "must be a string or null, got a number"),
        ({"id": 1.5, "title": "t", "paragraphs": []}, "", "id", "got a number (1.5)"),
    ],
)
def test_bad_records_name_the_field_path(record: object, path: str, field: str, words: str) -> None:
    with pytest.raises(FieldError) as info:
        draft_from_record(record, site="demo", path=path)
    assert info.value.context["field"] == field
    assert words in info.value.message
