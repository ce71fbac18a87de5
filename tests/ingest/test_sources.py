from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from warta.errors import EncodingError, FieldError, IngestError, MarkupError, NotIndonesianError
from warta.ingest.markup import plain_text
from warta.ingest.sources import IngestItem, Source, StaticSource, open_source
from warta.ingest.validate import Validator


def warta_record(row: dict[str, object], **changes: object) -> dict[str, object]:
    """A record in warta's schema made from an IndoSum row (real Indonesian text)."""
    paragraphs = row["paragraphs"]
    assert isinstance(paragraphs, list)
    record: dict[str, object] = {
        "external_id": row["id"],
        "title": row["title"],
        "body_html": "".join(f"<p>{p}</p>" for p in paragraphs),
        "category": row["category"],
        "source_url": row["source_url"],
    }
    record.update(changes)
    return record


def page(row: dict[str, object]) -> str:
    paragraphs = row["paragraphs"]
    assert isinstance(paragraphs, list)
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><body><article><h1>{row['title']}</h1>\n{body}"
        "</article></body></html>"
    )


def read(path: Path, validator: Validator) -> list[IngestItem]:
    return list(open_source(path, site="demo", validator=validator))


def test_all_sixty_indosum_articles_load_and_read_as_indonesian(
    sample_path: Path, validator: Validator
) -> None:
    source = open_source(sample_path, site="demo", validator=validator)
    assert isinstance(source, Source)
    assert source.count() == 60
    items = list(source)
    assert [item.error for item in items if not item.ok] == []
    assert len(items) == 60
    assert items[0].origin == f"{sample_path}:1"
    for item in items:
        assert item.draft is not None
        draft = item.draft
        assert draft.site == "demo"
        assert draft.title
        assert draft.body_html.startswith("<p>")
        text = "\n".join((draft.title, draft.lead, plain_text(draft.body_html)))
        assert validator.check_language(text).language == "id", item.origin


def test_wrong_type_names_the_field_and_spares_the_other_records(
    tmp_path: Path, validator: Validator, indosum_rows: list[dict[str, object]]
) -> None:
    records = [warta_record(row) for row in indosum_rows[:5]]
    records[3]["title"] = ["not", "a", "string"]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"articles": records}), encoding="utf-8")
    items = read(path, validator)
    assert [item.ok for item in items] == [True, True, True, False, True]
    bad = items[3]
    assert bad.origin == f"{path}:articles[3]"
    assert isinstance(bad.error, FieldError)
    assert bad.error.context["field"] == "articles[3].title"
    assert "must be a string, got an array" in bad.error.message


@pytest.mark.parametrize(
    ("name", "content", "origins"),
    [
        # a JSON array
        ("a.json", lambda r: json.dumps([r[0], r[1]]), [":[0]", ":[1]"]),
        # a single object
        ("a.json", lambda r: json.dumps(r[0]), [""]),
        # JSON Lines in a .json file
        ("a.json", lambda r: json.dumps(r[0]) + "\n" + json.dumps(r[1]) + "\n", [":1", ":2"]),
        # JSON Lines with blank lines, which are not records
        ("a.jsonl", lambda r: "\n" + json.dumps(r[0]) + "\n\n" + json.dumps(r[1]), [":2", ":4"]),
    ],
)
def test_json_shapes(
    tmp_path: Path,
    validator: Validator,
    indosum_rows: list[dict[str, object]],
    name: str,
    content: Callable[[list[dict[str, object]]], str],
    origins: list[str],
) -> None:
    path = tmp_path / name
    path.write_text(content(indosum_rows), encoding="utf-8")
    items = read(path, validator)
    assert [item.origin for item in items] == [f"{path}{suffix}" for suffix in origins]
    assert all(item.ok for item in items)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.jsonl", ""),  # an empty file
        ("a.jsonl", "\n  \n\n"),  # blank lines only
        ("a.json", ""),
        ("a.json", "[]"),  # an empty array
        ("a.json", '{"articles": []}'),
    ],
)
def test_a_file_without_articles_is_one_refused_item(
    tmp_path: Path, validator: Validator, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    (item,) = read(path, validator)
    assert not item.ok
    assert item.origin == str(path)
    assert isinstance(item.error, IngestError)
    assert item.error.message == "the file has no articles"
    assert item.error.context["path"] == str(path)


def test_broken_json_line_refuses_that_line_only(
    tmp_path: Path, validator: Validator, indosum_rows: list[dict[str, object]]
) -> None:
    path = tmp_path / "a.jsonl"
    lines = [json.dumps(indosum_rows[0]), '{"id": "x", "title": ', json.dumps(indosum_rows[1])]
    path.write_text("\n".join(lines), encoding="utf-8")
    source = open_source(path, site="demo", validator=validator)
    assert source.count() == 3
    items = list(source)
    assert [item.ok for item in items] == [True, False, True]
    assert isinstance(items[1].error, IngestError)
    assert items[1].origin == f"{path}:2"
    assert items[1].error.context["line"] == 2


def test_articles_that_are_not_an_array_are_one_error(tmp_path: Path, validator: Validator) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"articles": {"id": "x"}}', encoding="utf-8")
    (item,) = read(path, validator)
    assert isinstance(item.error, FieldError)
    assert item.error.context["field"] == "articles"


def test_broken_json_document_is_one_error(tmp_path: Path, validator: Validator) -> None:
    path = tmp_path / "a.json"
    path.write_text('[{"id": "x",\n  "title": }]', encoding="utf-8")
    (item,) = read(path, validator)
    assert isinstance(item.error, IngestError)
    assert (item.error.context["line"], item.error.context["column"]) == (2, 12)
    assert str(path) in item.error.message


def test_latin1_file_is_refused_with_its_offset(tmp_path: Path, validator: Validator) -> None:
    path = tmp_path / "latin1.jsonl"
    text = '{"id": "a", "title": "Kafe baru", "paragraphs": ["Kopi di kafé ini enak."]}\n'
    path.write_bytes(text.encode("latin-1"))
    (item,) = read(path, validator)
    assert isinstance(item.error, EncodingError)
    assert item.error.context["offset"] == text.index("é")
    assert str(path) in item.error.message


def test_english_record_is_refused_as_not_indonesian(
    tmp_path: Path, validator: Validator, flores: Callable[..., str]
) -> None:
    path = tmp_path / "en.json"
    record = {
        "external_id": "en-1",
        "title": "Scientists announce a tool",
        "body_html": f"<p>{flores('en')}</p>",
    }
    path.write_text(json.dumps(record), encoding="utf-8")
    (item,) = read(path, validator)
    assert isinstance(item.error, NotIndonesianError)
    assert item.error.context["detected"] == "en"


def test_html_page_is_one_article(
    tmp_path: Path, validator: Validator, indosum_rows: list[dict[str, object]]
) -> None:
    path = tmp_path / "berita-satu.html"
    path.write_text(page(indosum_rows[2]), encoding="utf-8")
    source = open_source(path, site="demo", validator=validator)
    assert source.count() == 1
    (item,) = list(source)
    assert item.draft is not None
    assert item.draft.external_id == "berita-satu"
    assert item.draft.title == indosum_rows[2]["title"]
    assert "<h1>" not in item.draft.body_html


def test_broken_html_page_is_refused_at_its_place_in_the_file(
    tmp_path: Path, validator: Validator, indosum_rows: list[dict[str, object]]
) -> None:
    path = tmp_path / "rusak.htm"
    path.write_text(page(indosum_rows[2]).replace("</h1>\n", "</h1>\n<!-- ", 1), encoding="utf-8")
    (item,) = read(path, validator)
    assert isinstance(item.error, MarkupError)
    assert (item.error.context["line"], item.error.context["column"]) == (2, 1)


def test_folder_with_one_bad_file_yields_the_good_ones_and_one_error(
    tmp_path: Path, validator: Validator, indosum_rows: list[dict[str, object]]
) -> None:
    folder = tmp_path / "masuk"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "a.jsonl").write_text(
        "\n".join(json.dumps(row) for row in indosum_rows[:2]), encoding="utf-8"
    )
    (folder / "b-rusak.json").write_bytes('{"id": "é"}'.encode("latin-1"))
    (folder / "sub" / "c.html").write_text(page(indosum_rows[3]), encoding="utf-8")
    (folder / "catatan.txt").write_text("bukan berita", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / ".git" / "x.json").write_text("{}", encoding="utf-8")
    source = open_source(folder, site="demo", validator=validator)
    items = list(source)
    assert [(Path(item.origin).name, item.ok) for item in items] == [
        ("a.jsonl:1", True),
        ("a.jsonl:2", True),
        ("b-rusak.json", False),
        ("catatan.txt", False),
        ("c.html", True),
    ]
    errors = [item.error for item in items if item.error is not None]
    assert len(errors) == 1
    assert isinstance(errors[0], EncodingError)
    assert items[3].skipped.startswith("not a file warta reads")
    assert source.count() is None  # a .json file must be parsed to be counted
    again = list(open_source(folder, site="demo", validator=validator))  # reproducible
    assert [(i.origin, i.draft, str(i.error), i.skipped) for i in again] == [
        (i.origin, i.draft, str(i.error), i.skipped) for i in items
    ]


def test_folder_count_adds_up_when_cheap(
    tmp_path: Path, validator: Validator, indosum_rows: list[dict[str, object]]
) -> None:
    (tmp_path / "a.jsonl").write_text(
        "\n".join(json.dumps(row) for row in indosum_rows[:3]), encoding="utf-8"
    )
    (tmp_path / "b.html").write_text(page(indosum_rows[3]), encoding="utf-8")
    (tmp_path / "c.md").write_text("x", encoding="utf-8")
    source = open_source(tmp_path, site="demo", validator=validator)
    assert source.count() == 5
    assert len(list(source)) == 5


def test_links_to_folders_are_reported_not_followed(tmp_path: Path, validator: Validator) -> None:
    (tmp_path / "nyata").mkdir()
    (tmp_path / "nyata" / "x.md").write_text("x", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "tautan").symlink_to(tmp_path / "nyata")
    (item,) = read(tmp_path / "folder", validator)
    assert item.origin == str(tmp_path / "folder" / "tautan")
    assert "not followed" in item.skipped


def test_missing_path_is_an_ingest_error_naming_path_and_fix(
    tmp_path: Path, validator: Validator
) -> None:
    missing = tmp_path / "tidak-ada.jsonl"
    with pytest.raises(IngestError) as info:
        open_source(missing, site="demo", validator=validator)
    assert str(missing) in info.value.message
    assert info.value.context["path"] == str(missing)
    assert ".jsonl" in info.value.hint


def test_unsupported_file_is_an_ingest_error(tmp_path: Path, validator: Validator) -> None:
    path = tmp_path / "berita.docx"
    path.write_bytes(b"PK")
    with pytest.raises(IngestError, match="not a file warta reads"):
        open_source(path, site="demo", validator=validator)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read any file")
def test_unreadable_file_is_an_ingest_error(tmp_path: Path, validator: Validator) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(IngestError, match="cannot read"):
        open_source(path, site="demo", validator=validator)


def test_bad_site_is_refused_before_reading(tmp_path: Path, validator: Validator) -> None:
    with pytest.raises(FieldError) as info:
        open_source(tmp_path, site="situs saya", validator=validator)
    assert info.value.context["field"] == "site"


def test_static_source_is_a_source() -> None:
    item = IngestItem("memori", skipped="contoh")
    source = StaticSource([item])
    assert isinstance(source, Source)
    assert (source.origin, source.count(), list(source)) == ("memory", 1, [item])


@pytest.mark.parametrize(
    "fields",
    [{}, {"skipped": "x", "error": IngestError("x")}],
)
def test_item_holds_exactly_one_outcome(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        IngestItem("x", **fields)  # type: ignore[arg-type]


def test_file_that_vanishes_before_reading_is_an_error_item(
    tmp_path: Path, validator: Validator, indosum_rows: list[dict[str, object]]
) -> None:
    path = tmp_path / "a.html"
    path.write_text(page(indosum_rows[0]), encoding="utf-8")
    source = open_source(path, site="demo", validator=validator)
    path.unlink()
    (item,) = list(source)
    assert isinstance(item.error, IngestError)
    assert item.error.message.startswith(f"cannot read {path}")
    assert item.error.context["path"] == str(path)
