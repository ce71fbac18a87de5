"""`warta bench`: speed and memory benchmarks (see BENCHMARKS.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from warta.bench.runner import SECTIONS, BenchConfig, parse_sections, run_bench, with_overrides


@click.command()
@click.option("--quick", is_flag=True, help="CI smoke run: small model, few sentences (< 2 min).")
@click.option(
    "--sections",
    default=",".join(SECTIONS),
    show_default=True,
    help="Comma-separated sections to run.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("warta-bench.json"),
    show_default=True,
    help="Write the full report (figures, settings, machine, commit) as JSON here.",
)
@click.option(
    "--size",
    type=click.Choice(["opus", "small", "tiny"]),
    default=None,
    help="Model shape (real opus-mt-id-en vocabulary; default: opus, --quick: small).",
)
@click.option("--lines", type=int, default=None, help="FLORES lines for sections engine/usual.")
@click.option("--length", type=int, default=None, help="Pinned decoding length in tokens.")
@click.option("--beam", type=int, default=None, help="Beam size on every side.")
@click.option("--rounds", type=int, default=None, help="Interleaved rounds in section engine.")
@click.option("--usual-rounds", type=int, default=None, help="Interleaved rounds in section usual.")
@click.option("--articles", type=int, default=None, help="Demo articles in section articles.")
@click.option("--batch-tokens", type=int, default=None, help="Engine batch size in tokens.")
@click.option("--jobs-per-batch", type=int, default=None, help="Worker jobs per batch.")
@click.option("--threads", type=int, default=None, help="CPU threads per side (0: one per core).")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder with flores101-dev/ and opus-mt-id-en/ (default: ./data).",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the benchmark models are built and reused (default: ~/.cache/warta/bench).",
)
def bench(
    quick: bool,
    sections: str,
    out: Path,
    size: str | None,
    lines: int | None,
    length: int | None,
    beam: int | None,
    rounds: int | None,
    usual_rounds: int | None,
    articles: int | None,
    batch_tokens: int | None,
    jobs_per_batch: int | None,
    threads: int | None,
    data_dir: Path | None,
    cache_dir: Path | None,
) -> None:
    """Measure warta against its engine and against the usual way; print a table, write JSON.

    Ends with the lines `pipeline/engine ratio: R` and `engine/transformers ratio: R`.
    """
    try:
        chosen = parse_sections(sections)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--sections") from None
    config = with_overrides(
        BenchConfig.preset(quick=quick),
        sections=chosen,
        size=size,
        lines=lines,
        length=length,
        beam=beam,
        rounds=rounds,
        usual_rounds=usual_rounds,
        articles=articles,
        batch_tokens=batch_tokens,
        jobs_per_batch=jobs_per_batch,
        threads=threads,
        data_dir=data_dir,
        cache_dir=cache_dir,
    )
    err = Console(stderr=True, highlight=False)
    report = run_bench(config, progress=lambda message: err.print(f"[dim]bench:[/] {message}"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8")

    from warta.bench.render import rows

    table = Table(title="warta bench" + (" (quick)" if quick else ""), title_justify="left")
    for column in ("section", "figure", "value", "detail"):
        table.add_column(column, overflow="fold")
    for row in rows(report):
        table.add_row(*row)
    Console(highlight=False, width=max(Console().width, 140)).print(table)
    err.print(f"wrote {out}")
    for name in ("pipeline/engine", "engine/transformers"):
        value = report.ratio(name)
        click.echo(f"{name} ratio: {'n/a' if value is None else f'{value:.3f}'}")


COMMANDS = (bench,)
