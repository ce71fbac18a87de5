from __future__ import annotations

import pytest

from warta.errors import MarkupError
from warta.ingest.markup import Position, check_binary, check_markup, plain_text, remove_controls
from warta.ingest.sanitize import sanitize_html


def check(html: str) -> None:
    check_markup(html, sanitized=sanitize_html(html))


@pytest.mark.parametrize(
    "html",
    [
        "<p>satu<p>dua",  # unclosed <p>
        "<ul><li>satu<li>dua</ul>",  # missing </li>
        "<p>a <b>b <i>c</b> d</i> e</p>",  # misnested inline tags
        "<P>Huruf Besar</P>",  # upper-case tags
        "<p>teks</p></div></span>",  # stray end tags
        "<p class=lead>tanpa kutip</p>",  # unquoted attribute value
        "<p>AT&T &copy2024 &amp x &lt; 5 dan y > 3</p>",  # entities without ';', bare < and >
        "<p>x < 5, 3<4 dan <= 2</p>",  # "<" before a space, a digit or a symbol is text
        "<!DOCTYPE html><html><head><title>Judul</title><style>p{}</style></head>"
        "<body><p>isi</p></body></html>",  # a whole document
        "<p>a</p><script>var s = '<p>bukan teks</p>';</script><p>b</p>",  # closed script
        "<p>a</p><svg><text>ikon</text></svg><p>b</p>",  # closed foreign content
        "<p>a</p><!-- komentar --><p>b</p><!---->",  # closed comments
        "<p>a</p><!--><p>b</p>",  # HTML5's abrupt empty comment
        "<p>x<![CDATA[ y ]]>z</p>",  # CDATA is a bogus comment in HTML
        '<a title="5 > 3" href="/a">judul</a>',  # ">" inside a quoted value
        "<img alt=Jum'at src=/a.jpg><p>foto</p>",  # apostrophe in an unquoted value
        "<table>judul<tr><td>sel</td></tr></table>",  # foster-parented text keeps its order
        "<p>isi</p><!--",  # an unclosed comment that hides nothing
        "<p>a</p><script>",  # an unclosed script that hides nothing
        "",  # nothing at all
        "<p>   </p>",  # no text
    ],
)
def test_benign_sloppiness_is_accepted(html: str) -> None:
    check(html)


@pytest.mark.parametrize(
    ("html", "problem", "line", "column", "lost"),
    [
        # an unterminated comment swallows the rest of the article
        (
            "<p>Satu.</p>\n<!-- catatan redaksi\n<p>Dua.</p>\n<p>Tiga.</p>",
            "comment is never closed",
            2,
            1,
            "catatan redaksi Dua. Tiga.",
        ),
        # an unterminated attribute quote swallows text up to the next quote
        (
            '<p>Baca <a href="https://contoh.id/a>berita lain</a> dan "kutipan" ini.</p>',
            'attribute value opened with " is never closed',
            1,
            17,
            'berita lain dan "kutipan" ini.',
        ),
        # an unclosed raw-text element swallows the rest
        (
            "<p>Satu.</p><textarea><p>Dua.</p>",
            "<textarea> is never closed",
            1,
            13,
            "Dua.",
        ),
        (
            "<p>Satu.</p>\n  <script>track()\n<p>Dua.</p>",
            "<script> is never closed",
            2,
            3,
            "track() Dua.",
        ),
        # "<!" that never reaches ">" is a bogus comment swallowing the rest
        (
            "<p>Satu.</p><!x sisa teks",
            "'<!' is never closed by '>'",
            1,
            13,
            "<!x sisa teks",
        ),
        # a "<" before a letter that never reaches ">" is read as a tag
        (
            "<p>Harga <Rp 5.000 per kg</p><p>Kedua</p>",
            "'<Rp' starts a tag that is never closed",
            1,
            10,
            "<Rp 5.000 per kg Kedua",
        ),
    ],
)
def test_markup_that_would_lose_text_is_refused_with_its_place(
    html: str, problem: str, line: int, column: int, lost: str
) -> None:
    with pytest.raises(MarkupError) as info:
        check(html)
    err = info.value
    assert problem in err.message
    assert f"line {line}, column {column}" in err.message
    assert (err.context["line"], err.context["column"]) == (line, column)
    assert err.context["lost"] == lost


def test_text_moved_out_of_a_table_row_is_refused() -> None:
    # text directly inside <tr> is moved in front of the table: its order changes
    with pytest.raises(MarkupError) as info:
        check("<table><tr><td>Sel</td> teks nyasar </tr></table>")
    assert "lose or reorder" in info.value.message
    assert "<table>" in info.value.hint


def test_reordered_text_starting_with_an_entity_is_located_at_the_entity() -> None:
    with pytest.raises(MarkupError) as info:
        check("<table><tr><td>&amp;Sel</td>nyasar</tr></table>")
    assert (info.value.context["line"], info.value.context["column"]) == (1, 16)
    assert info.value.context["lost"] == "&Sel nyasar"


def test_plain_text_body_is_not_html() -> None:
    with pytest.raises(MarkupError) as info:
        check("Paragraf satu.\n\nParagraf dua.")
    assert "plain text, not HTML" in info.value.message
    assert "<p>" in info.value.hint


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("<p>ok</p>\x00", True),  # any NUL
        ("<p>" + "\x01" * 3 + "x" * 100 + "</p>", True),  # 3 controls in 110 characters: >= 1%
        ("<p>" + "\x01" + "x" * 200 + "</p>", False),  # one stray control in 208 characters
        ("<p>tab\tnewline\ncr\rform feed\x0c</p>", False),  # whitespace is not binary
    ],
)
def test_binary_data_is_refused(text: str, refused: bool) -> None:
    if refused:
        with pytest.raises(MarkupError, match="binary data"):
            check_binary(text, what="the body")
    else:
        check_binary(text, what="the body")


def test_binary_error_names_the_first_control_character() -> None:
    with pytest.raises(MarkupError) as info:
        check_binary("<p>a</p>\n<p>b\x00</p>", what="the body")
    assert "U+0000" in info.value.message
    assert (info.value.context["line"], info.value.context["column"]) == (2, 5)


def test_remove_controls_keeps_whitespace() -> None:
    assert remove_controls("a\x01b\tc\nd\x7f") == "ab\tc\nd"


def test_plain_text_turns_tags_into_spaces() -> None:
    assert plain_text("<p>satu</p><p>dua &amp; <b>ti</b>ga</p>") == "satu dua & ti ga"


def test_position_counts_lines_and_columns_from_one() -> None:
    text = "ab\ncd\nef"
    assert Position.of(text, 0) == Position(offset=0, line=1, column=1)
    assert Position.of(text, 4) == Position(offset=4, line=2, column=2)
    assert str(Position.of(text, 6)) == "line 3, column 1"


@pytest.mark.parametrize(
    "hostile",
    [
        "<a" * 50_000,  # tags that never close
        '<a ="' * 20_000,  # quotes that never close
        "<script>" * 20_000,  # raw-text elements that never close
        "<!--" * 40_000,  # comments that never close
        "<!" * 50_000,  # bogus comments that never close
    ],
)
def test_pathological_input_is_answered(hostile: str) -> None:
    # the scanner is linear; these would take minutes if it were quadratic
    outcome: MarkupError | None = None
    try:
        check(hostile + "<p>teks</p>")
    except MarkupError as err:
        outcome = err
    assert outcome is None or outcome.context["line"] == 1
