"""`warta models add|list|pull|remove`: the registered CTranslate2 model directories."""

from __future__ import annotations

from pathlib import Path

import click

from warta.commands._context import AppContext, echo_json, handled, pass_app, print_table
from warta.domain import RegisteredModel
from warta.languages import TARGET_LANGS, Lang, parse_lang, parse_targets

DEMO_MODEL_NAME = "warta-demo-random"


def warn_if_random(app: AppContext, path: Path, name: str) -> bool:
    """Say on stderr that the model at ``path`` is a test model, if its manifest says so."""
    from warta.engines.models import read_manifest

    manifest = read_manifest(path)
    if manifest is None or not manifest.random_weights:
        return False
    app.err.print(
        f"warning: {name} has random weights (its {path.name}/warta-model.json says "
        '"random_weights": true): a test model, its output is meaningless. Its editions are '
        "marked as made by a test model on the site and in the API, and are not indexed by "
        "search engines. Register a real model before publishing (`warta models pull --help`).",
        markup=False,
        highlight=False,
    )
    return True


def _is_random(path: str) -> bool:
    """The registered directory's manifest says its weights are random (False if unreadable)."""
    from warta.engines.models import read_manifest
    from warta.errors import EngineError

    try:
        manifest = read_manifest(Path(path))
    except EngineError:
        return False
    return manifest is not None and manifest.random_weights


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
        warn_if_random(app, path, name or path.resolve().name)
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
    random = {m.path: _is_random(m.path) for m in rows}
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
                    "random_weights": random[m.path],
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
        columns=["pair", "name", "family", "weights", "checksum", "path"],
        rows=[
            (
                f"{m.source}→{m.target}",
                m.name,
                m.family,
                "random" if random[m.path] else "",
                m.checksum[:19],
                m.path,
            )
            for m in rows
        ],
    )
    if any(random.values()):
        app.err.print(
            "warning: a test model with random weights is registered: its editions are "
            "meaningless, marked as such and not indexed",
            markup=False,
            highlight=False,
        )


@models.command("demo")
@click.option(
    "--dest",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=f"Where to build it (default: WARTA_HOME/models/{DEMO_MODEL_NAME}).",
)
@pass_app
def demo(app: AppContext, dest: Path | None) -> None:
    """Build the tiny random-weight test model and register it for en, zh, ja, ar and fr.

    Offline, in seconds: try the whole pipeline (work queue, site, API) without downloading a
    model. Its output is gibberish; its editions are marked as made by a test model.
    """
    from warta.engines.models import inspect_model_dir, read_manifest

    path = (dest or app.settings.resolved_models_dir / DEMO_MODEL_NAME).resolve()
    with handled(app):
        if read_manifest(path) is None or not (path / "model.bin").is_file():
            _build_demo_model(path)
            app.err.print(f"built a tiny random-weight model in {path}", highlight=False)
        family, checksum = inspect_model_dir(path)
        warn_if_random(app, path, DEMO_MODEL_NAME)
        for target in TARGET_LANGS:
            model = app.services.store.add_model(
                RegisteredModel(
                    name=DEMO_MODEL_NAME,
                    path=str(path),
                    source=Lang.ID,
                    target=target,
                    family=family,
                    checksum=checksum,
                )
            )
            app.err.print(f"registered {model.name} for {model.source}→{model.target}")
    app.err.print(
        "next: `warta demo load` (or `./scripts/serve`), then `warta work --until-idle`; "
        "`warta models remove --target LANG` unregisters it",
        markup=False,
        highlight=False,
    )


def _build_demo_model(path: Path) -> None:
    """The shipped tiny model, its tokenizers trained on the demo articles' Indonesian text."""
    import json
    import shutil
    import tempfile

    from warta.demo import demo_articles_path
    from warta.engines.testing import build_tiny_model

    corpus: list[str] = []
    for line in demo_articles_path().read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            corpus += [record["title"], *record["paragraphs"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".warta-demo-", dir=path.parent) as tmp:
        built = build_tiny_model(Path(tmp) / "model", corpus=corpus)
        if path.exists():
            shutil.rmtree(path)
        built.rename(path)


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
