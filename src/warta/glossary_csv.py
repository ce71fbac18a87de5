"""A site's glossary as CSV, both ways (pure).

Columns: ``source,keep,case_sensitive,en,zh,ja,ar,fr``, one term per row after a header row.
``keep`` (keep the term as it is in every language) and ``case_sensitive`` are yes/no (empty:
``keep`` no, ``case_sensitive`` yes); a language column holds the term's rendering in that
language, empty when it has none. Only ``source`` is required in the header; columns may come in
any order.

Reading accepts UTF-8 with or without a byte-order mark, and a header separated by ``,``, ``;``
(Excel in an Indonesian locale) or tabs. It is all or nothing: any bad row (its line number in
the message), two rows for one term, or an unknown column refuses the whole file.

Writing produces UTF-8 with a byte-order mark (so spreadsheet programs read Arabic, Chinese and
Japanese right), every column, rows in the glossary's order. A cell that a spreadsheet would run
as a formula (starting with ``=``, ``+``, ``-``, ``@``) is written with a leading ``'``, which
reading takes off again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from warta.domain import GlossaryTerm
from warta.errors import EncodingError, InputError, WartaError
from warta.glossary_rules import check_term, clash_hint, first_clash
from warta.languages import TARGET_LANGS, Lang

FLAG_COLUMNS = ("source", "keep", "case_sensitive")
COLUMNS: tuple[str, ...] = (*FLAG_COLUMNS, *(lang.value for lang in TARGET_LANGS))
MAX_CSV_BYTES = 4 * 1024 * 1024
MAX_ROWS = 20_000
MAX_REPORTED = 10  # bad rows named in one error

_YES = frozenset({"yes", "y", "true", "1", "ya", "x"})
_NO = frozenset({"", "no", "n", "false", "0", "tidak"})
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_BOM = "\ufeff"
_NOTHING = "nothing was imported"


@dataclass(frozen=True, slots=True)
class CsvTerm:
    line: int  # line of the file where the row starts (the header is line 1 when first)
    term: GlossaryTerm


def read(data: bytes) -> tuple[CsvTerm, ...]:
    """The terms of a glossary CSV, checked, or :class:`InputError` naming each bad line."""
    text = _decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: list[str] | None = None
    rows: list[CsvTerm] = []
    problems: list[tuple[int, WartaError]] = []
    end = 0
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(
                f"line {reader.line_num} cannot be read as CSV: {exc}",
                hint=f"check the quotes on line {reader.line_num}; {_NOTHING}",
                line=reader.line_num,
            ) from None
        end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        if columns is None:
            columns = _header(cells, line=start)
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            raise InputError(
                f"the file has more than {MAX_ROWS} terms",
                hint=f"split it into several files; {_NOTHING}",
                line=start,
            )
        try:
            rows.append(CsvTerm(line=start, term=_term(cells, columns=columns)))
        except WartaError as exc:
            problems.append((start, exc))
    if columns is None:
        raise InputError(
            "the file is empty: no header row",
            hint="start the file with the header row " + ",".join(COLUMNS),
        )
    if problems:
        raise _bad_rows(problems)
    pair = first_clash([row.term for row in rows])
    if pair is not None:
        first, second = rows[pair[0]], rows[pair[1]]
        raise InputError(
            f"line {second.line}: the term {second.term.source!r} repeats "
            f"{first.term.source!r} of line {first.line}",
            hint=f"{clash_hint(first.term, second.term)}; {_NOTHING}",
            line=second.line,
            other_line=first.line,
        )
    return tuple(rows)


def write(terms: Iterable[GlossaryTerm]) -> bytes:
    """``terms`` as CSV: UTF-8 with a byte-order mark, header row first, every column."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for term in terms:
        writer.writerow(
            [
                _cell(term.source),
                "yes" if term.do_not_translate else "no",
                "yes" if term.case_sensitive else "no",
                *(_cell(term.translations.get(lang, "")) for lang in TARGET_LANGS),
            ]
        )
    return (_BOM + out.getvalue()).encode("utf-8")


def _decode(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise InputError(
            f"the file is {len(data)} bytes, over the limit of {MAX_CSV_BYTES}",
            hint=f"split it into several files; {_NOTHING}",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EncodingError(
            "the file is UTF-16 text (a spreadsheet's 'Unicode text'), not UTF-8",
            hint=f"save it as 'CSV UTF-8 (comma delimited)'; {_NOTHING}",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EncodingError(
            f"line {line} is not UTF-8 text",
            hint=f"save the file as 'CSV UTF-8 (comma delimited)'; {_NOTHING}",
            line=line,
        ) from None


def _delimiter(text: str) -> str:
    """``,`` unless the first line is separated by ``;`` or tabs and has no comma."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," not in first:
        for candidate in (";", "\t"):
            if candidate in first:
                return candidate
    return ","


def _header(cells: Sequence[str], *, line: int) -> list[str]:
    columns = [cell.strip().lower().replace("-", "_").replace(" ", "_") for cell in cells]
    for column in columns:
        if column in COLUMNS:
            continue
        if column == Lang.ID.value:
            problem = "column 'id': Indonesian is the source language, its text goes in 'source'"
        elif not column:
            problem = "the header has an empty column name"
        else:
            problem = f"column {column!r} is not a glossary column"
        raise InputError(
            f"line {line}: {problem}",
            hint=f"use the columns {','.join(COLUMNS)} (a language column holds the rendering "
            f"in that language); {_NOTHING}",
            line=line,
            column=column,
        )
    repeated = next((c for i, c in enumerate(columns) if c in columns[:i]), None)
    if repeated is not None:
        raise InputError(
            f"line {line}: the header names the column {repeated!r} twice",
            hint=f"keep one {repeated!r} column; {_NOTHING}",
            line=line,
            column=repeated,
        )
    if "source" not in columns:
        raise InputError(
            f"line {line}: the header has no 'source' column (the Indonesian term)",
            hint=f"start the file with the header row {','.join(COLUMNS)}; {_NOTHING}",
            line=line,
        )
    return columns


def _term(cells: Sequence[str], *, columns: Sequence[str]) -> GlossaryTerm:
    if len(cells) > len(columns):
        raise InputError(
            f"the row has {len(cells)} cells but the header has {len(columns)} columns",
            hint="put a cell that contains the separator in double quotes",
        )
    values = {column: _uncell(cell) for column, cell in zip(columns, cells, strict=False)}
    return check_term(
        GlossaryTerm(
            source=values.get("source", ""),
            translations={
                lang: values[lang.value]
                for lang in TARGET_LANGS
                if values.get(lang.value, "").strip()
            },
            do_not_translate=_flag(values.get("keep", ""), column="keep", default=False),
            case_sensitive=_flag(
                values.get("case_sensitive", ""), column="case_sensitive", default=True
            ),
        )
    )


def _flag(value: str, *, column: str, default: bool) -> bool:
    word = value.strip().lower()
    if not word:
        return default
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise InputError(
        f"{column} is {value.strip()!r}, not yes or no",
        hint=f"write yes or no in the {column} column (empty means {'yes' if default else 'no'})",
    )


def _bad_rows(problems: Sequence[tuple[int, WartaError]]) -> InputError:
    line, first = problems[0]
    message = f"line {line}: {first.message}"
    if len(problems) > 1:
        more = ", ".join(str(n) for n, _ in problems[1:MAX_REPORTED])
        if len(problems) > MAX_REPORTED:
            more += ", ..."
        message += f" (and {len(problems) - 1} more bad row(s): line {more})"
    return InputError(
        message,
        hint=f"{first.hint + '; ' if first.hint else ''}correct line {line} and import the file "
        f"again; {_NOTHING}",
        line=line,
        errors=[f"line {n}: {err.message}" for n, err in problems[:MAX_REPORTED]],
    )


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def _uncell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA) else value
