"""`warta models add|list|pull|remove`: the registered CTranslate2 model directories."""

from __future__ import annotations

from pathlib import Path

import click

from warta.commands._context import AppContext, echo_json, handled, pass_app, print_table
from warta.domain import RegisteredModel
from warta.languages import parse_lang, parse_targets


@click.group()
def models() -> None:
    """Translation models (CTranslate2 directories), one per language pair."""


@models.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--source", default="id", show_default=True, help="Source language of the model.")
@click.option("--target", required=True, help="Target language(s), e.g. en or en,zh for NLLB.")
@click.option(
    "--name", default=None, help="Name to record in provenance (default: directory name)."
)
@click.option(
    "--context-separator",
    default=None,
    metavar="TOKEN",
    help="The model was trained on 'previous sentence TOKEN sentence': with "
    "WARTA_CONTEXT_SENTENCES=1 it gets the previous sentence (written to its manifest).",
)
@pass_app
def add(
    app: AppContext,
    path: Path,
    source: str,
    target: str,
    name: str | None,
    context_separator: str | None,
) -> None:
    """Register a converted model directory (ct2-transformers-converter output + tokenizer)."""
    from warta.engines.models import declare_context_separator, inspect_model_dir

    with handled(app):
        src = parse_lang(source)
        targets = (
            parse_targets(target)
            if src.value == "id"
            else tuple(parse_lang(t) for t in target.split(","))
        )
        family, checksum = inspect_model_dir(path)
        if context_separator is not None:
            declare_context_separator(
                path,
                context_separator,
                name=name or path.resolve().name,
                family=family,
                pairs=tuple((src, tgt) for tgt in targets),
                checksum=checksum,
            )
            app.err.print(f"{path}: document context with separator {context_separator!r}")
        for tgt in targets:
            model = app.services.store.add_model(
                RegisteredModel(
                    name=name or path.resolve().name,
                    path=str(path.resolve()),
                    source=src,
                    target=tgt,
                    family=family,
                    checksum=checksum,
                )
            )
            app.err.print(
                f"registered {model.name} ({model.family}) for {model.source}→{model.target}"
            )


@models.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """Registered models."""
    with handled(app, as_json=fmt == "json"):
        rows = app.services.store.list_models()
    if fmt == "json":
        echo_json(
            [
                {
                    "name": m.name,
                    "source": m.source.value,
                    "target": m.target.value,
                    "family": m.family,
                    "path": m.path,
                    "checksum": m.checksum,
                }
                for m in rows
            ]
        )
        return
    if not rows:
        app.err.print(
            "no models registered; editions stay pending until one is "
            "(see `warta models pull --help`)"
        )
    print_table(
        app.out,
        title="models",
        columns=["pair", "name", "family", "checksum", "path"],
        rows=[(f"{m.source}→{m.target}", m.name, m.family, m.checksum[:19], m.path) for m in rows],
    )


@models.command("pull")
@click.argument("name")
@click.option(
    "--dest",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Parent directory (default: WARTA_HOME/models).",
)
@click.option("--quantization", default="int8", show_default=True)
@click.option(
    "--register/--no-register",
    default=True,
    show_default=True,
    help="Register the converted model for the pairs it serves.",
)
@pass_app
def pull(app: AppContext, name: str, dest: Path | None, quantization: str, register: bool) -> None:
    """Download a known model from the Hugging Face hub and convert it to CTranslate2.

    Needs network access to the hub (HF_ENDPOINT is honoured).
    Known names: see `warta models known`.
    """
    from warta.engines.models import pull_model

    with handled(app):
        pulled = pull_model(
            name,
            dest_dir=dest or app.settings.resolved_models_dir,
            quantization=quantization,
            progress=True,
        )
        app.err.print(f"converted {pulled.name} into {pulled.path} ({pulled.checksum})")
        if register:
            for src, tgt in pulled.pairs:
                app.services.store.add_model(
                    RegisteredModel(
                        name=pulled.name,
                        path=str(pulled.path),
                        source=src,
                        target=tgt,
                        family=pulled.family,
                        checksum=pulled.checksum,
                    )
                )
                app.err.print(f"registered for {src}→{tgt}")


@models.command("known")
def known() -> None:
    """Models `warta models pull` knows how to fetch and convert."""
    from warta.engines.models import KNOWN_MODELS

    for spec in KNOWN_MODELS.values():
        pairs = ", ".join(f"{s}→{t}" for s, t in spec.pairs)
        click.echo(f"{spec.name:28} {spec.repo_id:40} {spec.family:8} {pairs}")


@models.command("remove")
@click.option("--source", default="id", show_default=True)
@click.option("--target", required=True)
@pass_app
def remove(app: AppContext, source: str, target: str) -> None:
    """Unregister the model of a pair (files are left on disk)."""
    with handled(app):
        app.services.store.remove_model(source=parse_lang(source), target=parse_lang(target))


COMMANDS = (models,)
