"""Reading aligned test sets: one sentence per line, line *i* of every file the same sentence.

Everything is checked before anything is used, and every problem is an
:class:`~warta.errors.InputError` that names the file and line: a missing file, bad UTF-8, an
empty line, files of different lengths, an unknown language code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from warta.errors import EncodingError, FieldError, IngestError
from warta.languages import Lang, parse_lang

__all__ = ["ParallelCorpus", "load_flores", "read_lines"]


@dataclass(frozen=True, slots=True)
class ParallelCorpus:
    """Aligned sentences per language; ``offset``: the 0-based file line of the first one."""

    lines: Mapping[Lang, tuple[str, ...]]
    offset: int = 0

    def __len__(self) -> int:
        return len(next(iter(self.lines.values()))) if self.lines else 0

    def slice(self, start: int, stop: int) -> ParallelCorpus:
        return ParallelCorpus(
            lines={lang: lines[start:stop] for lang, lines in self.lines.items()},
            offset=self.offset + start,
        )

    def first_half(self) -> ParallelCorpus:
        """Lines 1 .. n//2: what the checks were tuned on (FLORES-101 dev: lines 1-498)."""
        return self.slice(0, len(self) // 2)

    def second_half(self) -> ParallelCorpus:
        """The remaining lines: held out, for the figures reported (FLORES-101 dev: 499-997)."""
        return self.slice(len(self) // 2, len(self))


def read_lines(path: Path, *, allow_empty: bool = False) -> list[str]:
    """The lines of a UTF-8 text file, without line ends; errors name the file and line."""
    if not path.is_file():
        raise IngestError(
            f"no such file: {path}",
            hint="check the path; test sets are plain UTF-8 text, one sentence per line",
            path=str(path),
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EncodingError(
            f"{path} is not UTF-8 (line {line})", path=str(path), line=line
        ) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline
    lines = [line.removesuffix("\r") for line in lines]
    if not lines:
        raise FieldError(f"{path} is empty", hint="give one sentence per line", path=str(path))
    if not allow_empty:
        empty = [i + 1 for i, line in enumerate(lines) if not line.strip()]
        if empty:
            shown = ", ".join(map(str, empty[:5])) + (" ..." if len(empty) > 5 else "")
            raise FieldError(
                f"{path} has {len(empty)} empty line(s): line {shown}",
                hint="remove the empty lines from every file of the set, keeping the files aligned",
                path=str(path),
                lines=empty[:20],
            )
    return lines


def check_aligned(files: Mapping[str, Sequence[str]]) -> None:
    """Raise FieldError unless every file has the same number of lines."""
    counts = {name: len(lines) for name, lines in files.items()}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{name}: {n}" for name, n in counts.items())
        raise FieldError(
            f"the files are not aligned: different numbers of lines ({listed})",
            hint="line i of every file must be the same sentence; fix the files so they match",
            **counts,
        )


def load_flores(
    directory: Path | str, *, langs: Sequence[Lang | str] | None = None
) -> ParallelCorpus:
    """Read ``<lang>.txt`` for each language from a FLORES-style directory (id.txt, en.txt...)."""
    root = Path(directory)
    if not root.is_dir():
        raise IngestError(
            f"no such directory: {root}",
            hint="pass a folder with id.txt, en.txt, ... (e.g. data/flores101-dev)",
            path=str(root),
        )
    wanted = [parse_lang(str(code)) for code in (langs or [*Lang])]
    files = {lang: read_lines(root / f"{lang.value}.txt") for lang in wanted}
    check_aligned({f"{lang.value}.txt": lines for lang, lines in files.items()})
    return ParallelCorpus(lines={lang: tuple(lines) for lang, lines in files.items()})
