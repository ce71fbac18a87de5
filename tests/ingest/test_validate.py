from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from warta.domain import ArticleDraft
from warta.errors import (
    ArticleTooLargeError,
    ConfigError,
    EmptyArticleError,
    EncodingError,
    FieldError,
    MarkupError,
    NotIndonesianError,
)
from warta.ingest.validate import Validator

MakeDraft = Callable[..., ArticleDraft]
WIB = timezone(timedelta(hours=7))


@pytest.fixture
def make_draft(indonesian_paragraphs: list[str]) -> MakeDraft:
    """A valid draft of real Indonesian text; keyword arguments replace fields."""

    def make(**changes: object) -> ArticleDraft:
        fields: dict[str, object] = {
            "site": "demo",
            "external_id": "berita-1",
            "title": "Ketua MPR menyesalkan kisruh transportasi online",
            "body_html": "".join(f"<p>{p}</p>" for p in indonesian_paragraphs[:4]),
        }
        fields.update(changes)
        return ArticleDraft(**fields)  # type: ignore[arg-type]

    return make


# --- decode ---------------------------------------------------------------------------------


def test_decode_reads_utf8_and_drops_a_byte_order_mark(validator: Validator) -> None:
    validator.warm_up()  # loads the language models of the shared validator once, up front
    data = "\ufeffBerita: café".encode()
    assert validator.decode(data, origin="a.json") == "Berita: café"


def test_decode_refuses_latin1_naming_file_offset_and_line(validator: Validator) -> None:
    data = b"baris satu\nKafe " + "é".encode("latin-1") + b" enak"
    with pytest.raises(EncodingError) as info:
        validator.decode(data, origin="berita/latin1.json")
    err = info.value
    assert err.context["offset"] == 16
    assert (err.context["line"], err.context["column"]) == (2, 6)
    assert "berita/latin1.json" in err.message
    assert "offset 16" in err.message
    assert "0xe9" in err.message
    assert "Windows-1252" in err.hint


def test_decode_offset_counts_the_byte_order_mark(validator: Validator) -> None:
    with pytest.raises(EncodingError) as info:
        validator.decode(b"\xef\xbb\xbfab\xff", origin="x")
    assert info.value.context["offset"] == 5


def test_decode_of_bytes_that_are_not_windows_1252_either_gives_the_plain_hint(
    validator: Validator,
) -> None:
    with pytest.raises(EncodingError) as info:
        validator.decode(b"ab\x81", origin="x")  # 0x81 is undefined in Windows-1252
    assert info.value.hint == EncodingError.default_hint


def test_decode_recognises_utf16(validator: Validator) -> None:
    with pytest.raises(EncodingError) as info:
        validator.decode("berita".encode("utf-16"), origin="x")
    assert "UTF-16" in info.value.hint


# --- a good article -------------------------------------------------------------------------


def test_valid_article_comes_back_normalised(validator: Validator, make_draft: MakeDraft) -> None:
    published = datetime(2024, 3, 5, 9, 30, tzinfo=WIB)
    draft = make_draft(
        site=" demo ",
        external_id=" berita-1\t",
        title="  Ketua MPR\u00a0 menyesalkan\nkisruh  transportasi online ",
        lead="  Kisruh  belum selesai. ",
        body_html="\n  <p>  Zulkifli  menyarankan   pertemuan.</p>\n\n"
        "<p>Cafe\u0301 <b>baru</b> dibuka.</p>\n",
        category="  tajuk   utama ",
        tags=("politik", " politik ", "", "MPR"),
        author="   ",
        published_at=published,
        source_url=" https://kumparan.com/a ",
    )
    clean = validator.validate(draft)
    assert clean.site == "demo"
    assert clean.external_id == "berita-1"
    assert clean.title == "Ketua MPR menyesalkan kisruh transportasi online"
    assert clean.lead == "Kisruh belum selesai."
    assert clean.body_html == (
        "<p>Zulkifli menyarankan pertemuan.</p><p>Caf\u00e9 <b>baru</b> dibuka.</p>"
    )
    assert clean.category == "tajuk utama"
    assert clean.tags == ("politik", "MPR")
    assert clean.author is None
    assert clean.published_at == published
    assert clean.source_url == "https://kumparan.com/a"


def test_content_hash_ignores_formatting(validator: Validator, make_draft: MakeDraft) -> None:
    tidy = validator.validate(make_draft(body_html="<p>Satu dua tiga.</p><p>Empat lima.</p>"))
    messy = validator.validate(
        make_draft(body_html="<P>Satu\n  dua tiga.\n<p>  Empat   lima.  <!-- akhir -->")
    )
    assert tidy.body_html == messy.body_html
    assert tidy.content_hash() == messy.content_hash()


def test_benign_html_is_repaired(validator: Validator, make_draft: MakeDraft) -> None:
    clean = validator.validate(
        make_draft(
            body_html="<p>Paragraf satu.<p>Paragraf dua.<ul><li>butir satu<li>butir dua</ul>"
        )
    )
    assert clean.body_html == (
        "<p>Paragraf satu.</p><p>Paragraf dua.</p><ul><li>butir satu</li><li>butir dua</li></ul>"
    )


def test_hostile_markup_in_the_body_is_removed(validator: Validator, make_draft: MakeDraft) -> None:
    clean = validator.validate(
        make_draft(
            body_html='<p onclick="alert(1)">Presiden meresmikan jembatan.</p>'
            "<script>alert(1)</script><img src=x onerror=alert(1)>"
            '<a href="javascript:alert(1)">tautan</a>'
        )
    )
    assert clean.body_html == (
        '<p>Presiden meresmikan jembatan.</p><img src="x"><a rel="noopener noreferrer">tautan</a>'
    )


# --- refusals -------------------------------------------------------------------------------


def test_article_at_the_size_limit_passes_and_one_byte_more_is_refused(
    make_draft: MakeDraft,
) -> None:
    draft = make_draft(title="Judul berita ini memakai huruf é")  # é: 2 bytes of UTF-8
    size = sum(len(s.encode()) for s in (draft.title, draft.lead, draft.body_html))
    Validator(max_bytes=size, min_confidence=0.5).validate(draft)
    with pytest.raises(ArticleTooLargeError) as info:
        Validator(max_bytes=size - 1, min_confidence=0.5).validate(draft)
    err = info.value
    assert (err.context["size"], err.context["limit"]) == (size, size - 1)
    assert f"{size} bytes" in err.message
    assert f"at most {size - 1}" in err.message


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_article_without_title_is_empty(
    validator: Validator, make_draft: MakeDraft, title: str
) -> None:
    with pytest.raises(EmptyArticleError) as info:
        validator.validate(make_draft(title=title))
    assert info.value.context["field"] == "title"


@pytest.mark.parametrize(
    "body",
    [
        "",  # nothing
        "<p>  </p><p>&nbsp;</p>",  # only whitespace
        "<script>alert('teks')</script>",  # only what the sanitiser removes
        '<figure><img src="/a.jpg"></figure>',  # an image and no text
    ],
)
def test_article_without_body_text_is_empty(
    validator: Validator, make_draft: MakeDraft, body: str
) -> None:
    with pytest.raises(EmptyArticleError) as info:
        validator.validate(make_draft(body_html=body))
    assert info.value.context["field"] == "body_html"


def test_broken_html_is_refused_with_line_and_column(
    validator: Validator, make_draft: MakeDraft
) -> None:
    body = "<p>Paragraf satu.</p>\n<p>Paragraf <!-- dua.</p>\n<p>Paragraf tiga.</p>"
    with pytest.raises(MarkupError) as info:
        validator.validate(make_draft(body_html=body))
    assert (info.value.context["line"], info.value.context["column"]) == (2, 13)


def test_plain_text_body_is_refused(validator: Validator, make_draft: MakeDraft) -> None:
    with pytest.raises(MarkupError, match="not HTML"):
        validator.validate(make_draft(body_html="Paragraf satu.\n\nParagraf dua."))


def test_binary_body_is_refused(validator: Validator, make_draft: MakeDraft) -> None:
    with pytest.raises(MarkupError, match="binary data"):
        validator.validate(make_draft(body_html="<p>PK\x03\x04\x00\x00</p>"))


def test_english_article_is_refused(
    validator: Validator, make_draft: MakeDraft, flores: Callable[..., str]
) -> None:
    draft = make_draft(
        title="Scientists announce a new diagnostic tool", body_html=f"<p>{flores('en')}</p>"
    )
    with pytest.raises(NotIndonesianError) as info:
        validator.validate(draft)
    assert info.value.context["detected"] == "en"


def test_language_is_judged_on_title_lead_and_body_together(
    validator: Validator, make_draft: MakeDraft, flores: Callable[..., str]
) -> None:
    # an English headline over an Indonesian body is still an Indonesian article
    draft = make_draft(
        title="Breaking: scientists announce a new diagnostic tool", lead=flores("id", 0, 1)
    )
    assert validator.validate(draft).title.startswith("Breaking")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"site": ""}, "site"),
        ({"site": "situs saya"}, "site"),
        ({"site": "x" * 65}, "site"),
        ({"external_id": "  "}, "external_id"),
        ({"external_id": "a\nb"}, "external_id"),
        ({"external_id": "a\u200bb"}, "external_id"),  # zero-width space
        ({"external_id": "x" * 201}, "external_id"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"source_url": "/relatif"}, "source_url"),
        ({"published_at": datetime(2024, 3, 5, 9, 30)}, "published_at"),  # noqa: DTZ001 -- naive on purpose
        ({"category": "k" * 201}, "category"),
        ({"tags": tuple(f"tag{i}" for i in range(51))}, "tags"),
        ({"tags": ("ok", "t" * 101)}, "tags[1]"),
        ({"title": "Judul\x00"}, "title"),
    ],
)
def test_bad_fields_are_named(
    validator: Validator, make_draft: MakeDraft, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(FieldError) as info:
        validator.validate(make_draft(**changes))
    assert info.value.context["field"] == field


def test_good_edge_values_pass(validator: Validator, make_draft: MakeDraft) -> None:
    clean = validator.validate(
        make_draft(
            site="kompas.id_2",
            external_id="x" * 200,
            published_at=datetime(2024, 3, 5, 2, 30, tzinfo=UTC),
            tags=tuple(f"tag{i}" for i in range(50)),
        )
    )
    assert len(clean.tags) == 50


def test_lone_surrogate_is_an_encoding_error(validator: Validator, make_draft: MakeDraft) -> None:
    with pytest.raises(EncodingError) as info:
        validator.validate(make_draft(title="Judul \ud83d rusak"))
    assert info.value.context["field"] == "title"


def test_validator_reports_its_limits() -> None:
    validator = Validator(max_bytes=2048, min_confidence=0.7)
    assert (validator.max_bytes, validator.min_confidence) == (2048, 0.7)


@pytest.mark.parametrize(("max_bytes", "confidence"), [(0, 0.5), (1024, 1.5), (1024, -0.1)])
def test_impossible_settings_are_a_config_error(max_bytes: int, confidence: float) -> None:
    with pytest.raises(ConfigError):
        Validator(max_bytes=max_bytes, min_confidence=confidence)


# --- bounded cost: sentences and repetition --------------------------------------------------


def _sentence_count(draft: ArticleDraft) -> int:
    from warta.text import analyse

    document = analyse(title=draft.title, lead=draft.lead, body_html=draft.body_html)
    return sum(1 for s in document.segments if s.translate)


def test_article_at_the_sentence_limit_passes_and_one_sentence_more_is_refused(
    make_draft: MakeDraft, validator: Validator
) -> None:
    draft = validator.validate(make_draft())
    count = _sentence_count(draft)
    assert count > 3
    Validator(max_bytes=512 * 1024, min_confidence=0.5, max_segments=count).validate(draft)
    with pytest.raises(ArticleTooLargeError) as info:
        Validator(max_bytes=512 * 1024, min_confidence=0.5, max_segments=count - 1).validate(draft)
    assert info.value.context["unit"] == "sentences"
    assert (info.value.context["size"], info.value.context["limit"]) == (count, count - 1)
    assert f"has {count} sentences; at most {count - 1}" in info.value.message
    assert "WARTA_MAX_SEGMENTS" in info.value.hint


@pytest.mark.parametrize(
    "body",
    [
        "<p>" + "Ya.<br>" * 30_000 + "</p>",  # line breaks: segmenting them costs more than linear
        "<p>" + "Harga beras naik. " * 20_000 + "</p>",  # 360 KB of one sentence
        "".join(f"<p>Kalimat nomor {i} ada di sini.</p>" for i in range(5_000)),
    ],
)
def test_a_body_of_far_too_many_sentences_is_refused_by_the_sentence_limit(
    make_draft: MakeDraft, validator: Validator, body: str
) -> None:
    with pytest.raises(ArticleTooLargeError, match="sentences; at most 2000"):
        validator.validate(make_draft(body_html=body))


def test_a_body_that_is_mostly_one_repeated_sentence_is_refused_with_the_reason(
    make_draft: MakeDraft, validator: Validator, indonesian_paragraphs: list[str]
) -> None:
    repeated = "<p>Harga beras naik di pasar Jakarta hari ini.</p>" * 40
    draft = make_draft(body_html=f"<p>{indonesian_paragraphs[0]}</p>" + repeated)
    with pytest.raises(FieldError) as info:
        validator.validate(draft)
    err = info.value
    assert err.context["field"] == "body_html"
    assert err.context["repeated"] == 39
    assert "mostly repetition: 39 of its" in err.message
    assert "WARTA_MAX_REPEATED_SHARE" in err.hint


def test_some_repetition_is_accepted_and_short_articles_may_repeat_themselves(
    make_draft: MakeDraft, validator: Validator
) -> None:
    short = "<p>Harga beras naik di pasar Jakarta hari ini.</p>" * 15  # under 20 sentences
    assert validator.validate(make_draft(body_html=short)).body_html == short
    lenient = Validator(max_bytes=512 * 1024, min_confidence=0.5, max_repeated_share=1.0)
    many = "<p>Harga beras naik di pasar Jakarta hari ini.</p>" * 40
    assert lenient.validate(make_draft(body_html=many)).body_html == many


@pytest.mark.parametrize(
    ("changes", "setting"),
    [({"max_segments": 0}, "WARTA_MAX_SEGMENTS"), ({"max_repeated_share": 1.5}, "REPEATED")],
)
def test_impossible_cost_limits_are_refused_at_construction(
    changes: dict[str, float], setting: str
) -> None:
    with pytest.raises(ConfigError, match="must be") as info:
        Validator(max_bytes=1024, min_confidence=0.5, **changes)  # type: ignore[arg-type]
    assert setting in info.value.hint
