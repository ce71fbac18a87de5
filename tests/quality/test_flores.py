from __future__ import annotations

from pathlib import Path

import pytest

from warta.errors import EncodingError, FieldError, IngestError, InputError, UnknownLanguageError
from warta.languages import Lang
from warta.quality.flores import load_flores, read_lines


def test_flores_dev_loads_six_aligned_languages_and_splits_in_halves(flores):
    assert len(flores) == 997
    assert set(flores.lines) == set(Lang)
    first, second = flores.first_half(), flores.second_half()
    assert (first.offset, len(first), second.offset, len(second)) == (0, 498, 498, 499)
    assert second.lines[Lang.EN][0] == flores.lines[Lang.EN][498]


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(IngestError, match="no such file") as info:
        read_lines(tmp_path / "id.txt")
    assert info.value.context["path"].endswith("id.txt")


def test_empty_lines_are_refused_with_their_line_numbers(tmp_path):
    path = _write(tmp_path / "id.txt", "Satu.\n\nTiga.\n  \n")
    with pytest.raises(FieldError, match=r"2 empty line\(s\): line 2, 4"):
        read_lines(path)
    assert read_lines(path, allow_empty=True) == ["Satu.", "", "Tiga.", "  "]


def test_non_utf8_is_refused_with_the_line(tmp_path):
    path = _write(tmp_path / "id.txt", "Satu.\nDua caf\xe9.\n".encode("latin-1"))
    with pytest.raises(EncodingError, match="not UTF-8 \\(line 2\\)"):
        read_lines(path)


def test_misaligned_files_are_refused_with_their_counts(tmp_path):
    _write(tmp_path / "id.txt", "Satu.\nDua.\n")
    _write(tmp_path / "en.txt", "One.\n")
    with pytest.raises(FieldError, match=r"not aligned.*id.txt: 2, en.txt: 1"):
        load_flores(tmp_path, langs=["id", "en"])


def test_unknown_language_and_missing_folder_are_input_errors(tmp_path):
    with pytest.raises(UnknownLanguageError):
        load_flores(tmp_path, langs=["id", "xx"])
    with pytest.raises(InputError, match="no such directory"):
        load_flores(tmp_path / "nope")


def test_windows_line_ends_and_final_newline_are_handled(tmp_path):
    path = _write(tmp_path / "en.txt", "One.\r\nTwo.\r\n")
    assert read_lines(path) == ["One.", "Two."]
