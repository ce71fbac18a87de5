"""`warta quality calibrate` and `warta eval`: how good the checks are, and the engine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from warta.commands._context import AppContext, handled, pass_app, print_table
from warta.engines.base import Engine
from warta.errors import FieldError
from warta.languages import SOURCE_LANG, Lang, parse_lang, parse_targets


@click.group()
def quality() -> None:
    """Quality estimation of translations: calibration of the checks."""


@quality.command("calibrate")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=Path("data/flores101-dev"),
    show_default=True,
    help="FLORES-style folder (id.txt, en.txt, zh.txt, ja.txt, ar.txt, fr.txt).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the figures as JSON here.",
)
@click.option(
    "--markdown",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report as Markdown here.",
)
@click.option(
    "--split",
    type=click.Choice(["held-out", "tuning", "all"]),
    default="held-out",
    show_default=True,
    help="Which lines: the held-out second half, the tuning first half, or all.",
)
@click.option(
    "--seed", type=int, default=None, help="Seed of the corruptions (default: the report's)."
)
@pass_app
def calibrate(
    app: AppContext,
    data: Path,
    out: Path | None,
    markdown: Path | None,
    split: str,
    seed: int | None,
) -> None:
    """Measure the quality flags on references corrupted in known ways (FLORES dev).

    Prints recall per corruption type and language, precision on a balanced set, and the false-flag
    rate on clean references. The checks were tuned on the first half; report the second.
    """
    from warta.quality.calibration import DEFAULT_SEED, render_markdown
    from warta.quality.calibration import calibrate as run
    from warta.quality.estimator import QualityEstimator
    from warta.quality.flores import load_flores

    with handled(app):
        corpus = load_flores(data)
        part = {"held-out": corpus.second_half(), "tuning": corpus.first_half(), "all": corpus}[
            split
        ]
        label = {
            "held-out": "held-out second half",
            "tuning": "tuning first half",
            "all": "all lines",
        }[split]
        report = run(part, estimator=QualityEstimator(), seed=seed or DEFAULT_SEED, split=label)
    langs = [lang for lang in report.clean if lang != "all"]
    rows = []
    for kind in dict.fromkeys(c.kind for c in report.cells):
        pooled = report.cell(kind)
        rows.append(
            [kind]
            + [f"{report.cell(kind, lang).recall:.3f}" for lang in langs]
            + [f"{pooled.recall:.3f} ({pooled.corrupted})", f"{pooled.precision:.3f}"]
        )
    rows.append(
        ["clean false-flag rate"]
        + [f"{report.false_flag_rate(lang):.3f}" for lang in langs]
        + [f"{report.false_flag_rate():.3f} ({report.clean['all'][0]})", ""]
    )
    print_table(
        app.out,
        title=f"quality flags, lines {report.first_line}-{report.last_line} "
        f"({report.split}): recall",
        columns=["corruption", *langs, "all (n)", "precision"],
        rows=rows,
    )
    met = report.meets_targets()
    app.out.print(
        "targets (recall ≥ 0.95, precision ≥ 0.9): "
        + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items())
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        app.err.print(f"wrote {out}")
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(render_markdown(report, source=str(data)), encoding="utf-8")
        app.err.print(f"wrote {markdown}")


def _engine(app: AppContext, **overrides: object) -> Engine:
    """The installed engine, with the decoding settings overridden where asked (not None)."""
    update = {name: value for name, value in overrides.items() if value is not None}
    if not update:
        return app.services.engine()
    from warta.services import EngineProvider

    settings = app.settings.model_validate({**app.settings.model_dump(), **update})
    return EngineProvider(store=app.services.store, settings=settings)()


def _named_engine(
    app: AppContext, name: str | None, *, kind: str, url: str, model: str, key_env: str
) -> Engine | None:
    """The engine ``--engine NAME`` names (configured with `warta engines add` or in the engines
    file), or one made on the spot from ``--kind/--url/--model/--key-env``; None: neither."""
    if not name and not kind:
        return None
    from warta.engines import remote
    from warta.engines.setup import DEFAULT_ENGINE

    config: remote.RemoteConfig | None = None
    if kind:
        if kind == DEFAULT_ENGINE:
            return app.services.engine.local()
        config = remote.RemoteSettings(
            name=name or kind, kind=kind, url=url.rstrip("/"), model=model, key_env=key_env
        )
    else:
        configs, _ = app.services.engine.configuration()
        found = next((c for c in configs if c.name == name), None)
        if found is None and name == DEFAULT_ENGINE:
            return app.services.engine.local()
        if found is None:
            raise FieldError(
                f"no engine named {name!r}",
                hint="list engines with `warta engines list`, or describe one here with "
                "--kind KIND [--url URL] [--model M] [--key-env VAR]",
                engine=name,
            )
        if found.kind == DEFAULT_ENGINE:
            return app.services.engine.local()
        config = found
    keys = remote.KeySource(secrets_file=app.settings.engine_secrets_file)
    return remote.build_remote(config, keys=keys)


@click.command("eval")
@click.option(
    "--engine",
    "engine_name",
    default=None,
    metavar="NAME",
    help="A configured engine (`warta engines list`) instead of the installed models.",
)
@click.option(
    "--kind",
    default="",
    help="With no configured engine of that name: its kind (openai, deepl, google, "
    "libretranslate), as for `warta engines add`.",
)
@click.option("--url", default="", help="With --kind: the server URL.")
@click.option("--model", default="", help="With --kind: the model name.")
@click.option("--key-env", default="", metavar="VAR", help="With --kind: the key's variable.")
@click.option(
    "--src", type=click.Path(path_type=Path), default=None, help="Source sentences, one per line."
)
@click.option(
    "--ref", type=click.Path(path_type=Path), default=None, help="Reference translations, aligned."
)
@click.option(
    "--flores",
    type=click.Path(path_type=Path),
    default=None,
    help="A FLORES-style folder (id.txt, en.txt, ...) instead of --src/--ref.",
)
@click.option("--source", "source_code", default="id", show_default=True, help="Source language.")
@click.option(
    "--target",
    "target_code",
    required=True,
    help="Target language; with --flores a list: en,zh,ja.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N lines.")
@click.option(
    "--beam-size", type=click.IntRange(1, 16), default=None, help="Beam size (default: settings)."
)
@click.option(
    "--length-penalty", type=float, default=None, help="Length penalty (default: settings)."
)
@click.option(
    "--num-hypotheses",
    type=click.IntRange(1, 16),
    default=None,
    help="n-best candidates reranked by quality estimation (default: settings).",
)
@click.option(
    "--context/--no-context",
    default=None,
    help="Document context (the previous line) for models trained with it (default: settings).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the results (and the translations) as JSON here.",
)
@click.option(
    "--qe/--no-qe",
    default=True,
    show_default=True,
    help="Count the outputs the quality estimator flags.",
)
@pass_app
def eval_(
    app: AppContext,
    engine_name: str | None,
    kind: str,
    url: str,
    model: str,
    key_env: str,
    src: Path | None,
    ref: Path | None,
    flores: Path | None,
    source_code: str,
    target_code: str,
    limit: int | None,
    beam_size: int | None,
    length_penalty: float | None,
    num_hypotheses: int | None,
    context: bool | None,
    out: Path | None,
    qe: bool,
) -> None:
    """Translate a test set with the installed models (or --engine NAME: any configured engine,
    to compare engines on the same sentences) and score it: BLEU, chrF++ (sacrebleu, with their
    signatures), COMET if WARTA_COMET_MODEL names a local checkpoint, and sentences per second.

    Either --src FILE --ref FILE --target LANG, or --flores DIR --target en,zh,... . Every file is
    checked (present, UTF-8, no empty line, aligned) before anything is translated; bad input
    exits with code 2.
    """
    from warta.quality.estimator import QualityEstimator
    from warta.quality.evaluate import comet_scorer, evaluate, load_test_pair
    from warta.quality.flores import load_flores

    with handled(app):
        source = parse_lang(source_code)
        sets: list[tuple[Lang, list[str], list[str]]] = []
        if flores is not None:
            if src is not None or ref is not None:
                raise FieldError(
                    "give either --flores DIR or --src and --ref, not both",
                    hint="--flores reads id.txt, en.txt, ... from one folder",
                )
            targets = (
                parse_targets(target_code)
                if source is SOURCE_LANG
                else tuple(parse_lang(t) for t in target_code.split(",") if t.strip())
            )
            corpus = load_flores(flores, langs=[source, *targets])
            sets = [(t, list(corpus.lines[source]), list(corpus.lines[t])) for t in targets]
        else:
            if src is None or ref is None:
                raise FieldError(
                    "give --src FILE and --ref FILE (or --flores DIR)",
                    hint="e.g. warta eval --src test.id --ref test.en --target en",
                )
            target = parse_lang(target_code)
            if target is source:
                raise FieldError(
                    f"source and target are both {source.value}",
                    hint="pick a target language other than the source",
                )
            sources, references = load_test_pair(src, ref)
            sets = [(target, sources, references)]
        if limit is not None:
            sets = [(t, s[:limit], r[:limit]) for t, s, r in sets]
        comet_path = os.environ.get("WARTA_COMET_MODEL")
        comet = comet_scorer(Path(comet_path)) if comet_path else None
        if comet is None:
            app.err.print(
                "COMET skipped: no local COMET model (set WARTA_COMET_MODEL to a checkpoint)"
            )
        engine = _named_engine(
            app, engine_name, kind=kind.strip().lower(), url=url, model=model, key_env=key_env
        ) or _engine(
            app,
            beam_size=beam_size,
            length_penalty=length_penalty,
            num_hypotheses=num_hypotheses,
            context_sentences=None if context is None else int(context),
        )
        try:
            for target, _, _ in sets:
                engine.describe(source=source, target=target)  # no model: fail before translating
            estimator = QualityEstimator() if qe else None
            results = [
                evaluate(engine, s, r, source=source, target=t, comet=comet, estimator=estimator)
                for t, s, r in sets
            ]
        finally:
            close = getattr(engine, "close", None) if (engine_name or kind) else None
            if callable(close):  # a remote engine's HTTP connections
                close()
    print_table(
        app.out,
        title="evaluation",
        columns=[
            "pair",
            "sentences",
            "BLEU",
            "chrF++",
            "COMET",
            "QE flagged",
            "tokenize",
            "sent/s",
        ],
        rows=[
            (
                f"{r.source.value}→{r.target.value}",
                r.sentences,
                f"{r.bleu:.2f}",
                f"{r.chrf:.2f}",
                "skipped" if r.comet is None else f"{r.comet:.4f}",
                "" if r.flagged is None else f"{r.flagged}/{r.sentences}",
                r.tokenize,
                f"{r.sentences_per_second:.2f}",
            )
            for r in results
        ],
    )
    for r in results:
        app.out.print(f"{r.source.value}→{r.target.value} BLEU signature: {r.bleu_signature}")
        app.out.print(f"{r.source.value}→{r.target.value} chrF++ signature: {r.chrf_signature}")
        app.out.print(f"{r.source.value}→{r.target.value} model: {r.provenance['signature']}")
        for note in r.notes:
            app.out.print(f"note: {note}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"results": [r.to_dict(with_hypotheses=True) for r in results]}
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        app.err.print(f"wrote {out}")


COMMANDS = (quality, eval_)
