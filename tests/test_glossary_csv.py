from __future__ import annotations

import pytest

from warta.domain import GlossaryTerm
from warta.errors import EncodingError, InputError
from warta.glossary_csv import COLUMNS, CsvTerm, read, write
from warta.languages import Lang

HEADER = "source,keep,case_sensitive,en,zh,ja,ar,fr\n"

TERMS = (
    GlossaryTerm(source="Bank Indonesia", translations={Lang.EN: "Bank Indonesia"}),
    GlossaryTerm(
        source="DPR",
        translations={
            Lang.EN: "House of Representatives",
            Lang.ZH: "人民代表会议",
            Lang.JA: "国民議会",
            Lang.AR: "مجلس النواب",
            Lang.FR: "Chambre des représentants, Indonésie",  # a comma: quoted
        },
        case_sensitive=False,
    ),
    GlossaryTerm(source="Jokowi", do_not_translate=True),
    GlossaryTerm(source='Kabinet "Merah Putih"', translations={Lang.EN: "Red-White Cabinet"}),
    GlossaryTerm(source="-isme", translations={Lang.EN: "=ism"}),  # formula-like cells
)


def test_written_glossary_reads_back_as_the_same_terms() -> None:
    data = write(TERMS)
    assert tuple(row.term for row in read(data)) == TERMS


def test_written_csv_has_a_bom_a_header_and_every_column() -> None:
    text = write(TERMS[2:3]).decode("utf-8")
    assert text == "\ufeff" + ",".join(COLUMNS) + "\r\nJokowi,yes,yes,,,,,\r\n"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text() -> None:
    text = write(TERMS[4:]).decode("utf-8-sig")
    assert text.splitlines()[1] == "'-isme,no,yes,'=ism,,,,"


def test_utf8_without_bom_semicolons_any_column_order_and_blank_lines_are_read() -> None:
    data = "fr;Source;en;KEEP\n\nGaruda;Garuda;;\nPrésident;Presiden;;\n".encode()
    rows = read(data)
    assert rows == (
        CsvTerm(line=3, term=GlossaryTerm(source="Garuda", translations={Lang.FR: "Garuda"})),
        CsvTerm(line=4, term=GlossaryTerm(source="Presiden", translations={Lang.FR: "Président"})),
    )


def test_yes_no_words_and_defaults() -> None:
    data = (HEADER + "Jokowi,ya,,,,,,\nDPR,,tidak,House,,,,\nMPR,no,TRUE,Assembly\n").encode()
    assert [row.term for row in read(data)] == [
        GlossaryTerm(source="Jokowi", do_not_translate=True),
        GlossaryTerm(source="DPR", translations={Lang.EN: "House"}, case_sensitive=False),
        GlossaryTerm(source="MPR", translations={Lang.EN: "Assembly"}),
    ]


def test_a_header_only_file_has_no_terms() -> None:
    assert read(HEADER.encode()) == ()


def test_line_numbers_count_lines_of_the_file_not_rows() -> None:
    data = (HEADER + 'DPR,,,"House of\nRepresentatives",,,,\n\nJokowi,yes\n').encode()
    assert [row.line for row in read(data)] == [2, 5]


# --- refused files: nothing comes out, the message names the line ------------------------------


def refused(data: bytes) -> InputError:
    with pytest.raises(InputError) as err:
        read(data)
    return err.value


def test_one_bad_row_refuses_the_file_naming_its_line() -> None:
    data = (
        HEADER + "Jokowi,yes,,,,,,\nDPR,,,House,,,,\nMPR,yes,,Assembly,,,,\nBI,,,Bank,,,,\n"
    ).encode()
    err = refused(data)
    assert err.message.startswith("line 4: ")
    assert "keep-as-is and also has renderings" in err.message
    assert err.context["line"] == 4
    assert "correct line 4" in err.hint
    assert "nothing was imported" in err.hint


def test_every_bad_row_is_counted_and_the_first_ones_named() -> None:
    data = (HEADER + "DPR,,,,,,,\nok,yes\nMPR,maybe\n,yes\n").encode()
    err = refused(data)
    assert err.message.startswith("line 2: glossary term 'DPR' says nothing")
    assert "(and 2 more bad row(s): line 4, 5)" in err.message
    assert err.context["errors"] == [
        "line 2: glossary term 'DPR' says nothing: no rendering and not keep-as-is",
        "line 4: keep is 'maybe', not yes or no",
        "line 5: a glossary term needs its Indonesian text",
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        # the same term twice
        (HEADER + "DPR,,,House\nJokowi,yes\nDPR,,,Parliament\n", "line 4: the term 'DPR' repeats"),
        # the same term in another case, one row ignoring case
        (HEADER + "DPR,,no,House\ndpr,yes\n", "line 3: the term 'dpr' repeats 'DPR' of line 2"),
        # a language warta does not translate into
        ("source,keep,de\nDPR,,Parlament\n", "line 1: column 'de' is not a glossary column"),
        # Indonesian as a rendering column
        ("source,id\nDPR,DPR\n", "column 'id': Indonesian is the source language"),
        # no source column
        ("term,en\nDPR,House\n", "column 'term' is not a glossary column"),
        ("keep,en\nyes,House\n", "has no 'source' column"),
        # a column twice
        ("source,en,en\nDPR,House,House\n", "names the column 'en' twice"),
        # more cells than columns (an unquoted comma)
        (HEADER + "DPR,,,House, Parliament,,,,\n", "line 2: the row has 9 cells"),
        # markup in a term
        (HEADER + "<b>DPR</b>,yes\n", "line 2: glossary term '<b>DPR</b>' contains markup"),
        # a quote left open
        (HEADER + 'DPR,,,"House\n', "cannot be read as CSV"),
        # nothing at all
        ("\n\n", "the file is empty"),
    ],
)
def test_a_bad_file_is_refused_with_the_problem_named(data: str, words: str) -> None:
    err = refused(data.encode())
    assert words in err.message
    assert err.hint


def test_a_file_that_is_not_utf8_names_the_line() -> None:
    data = HEADER.encode() + b"Jokowi,yes\n" + "Prancis,,,,,,,Fran\xe7ais\n".encode("latin-1")
    err = refused(data)
    assert isinstance(err, EncodingError)
    assert err.message == "line 3 is not UTF-8 text"
    assert "CSV UTF-8" in err.hint


def test_a_utf16_file_is_refused_with_how_to_save_it() -> None:
    err = refused(HEADER.encode("utf-16"))
    assert isinstance(err, EncodingError)
    assert "UTF-16" in err.message
