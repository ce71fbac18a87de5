"""The report as table rows (section, figure, value, detail) for the terminal."""

from __future__ import annotations

from collections.abc import Mapping

from warta.bench.runner import Report

Row = tuple[str, str, str, str]
TARGET_RATIO = 0.9
SITE_TARGET_RATIO = 0.5  # cached article pages / the floor app (issue 15)
SITE_TARGET_P99_MS = 20.0


def rows(report: Report) -> list[Row]:
    out: list[Row] = []
    for name, section in report.sections.items():
        if "error" in section:
            out.append((name, "error", "-", str(section["error"])))
            continue
        if "skipped" in section:
            out.append((name, "skipped", "-", str(section["skipped"])))
            continue
        out.extend(_ROWS[name](section))
    return out


def _engine(s: Mapping[str, object]) -> list[Row]:
    out = _engine_rows(s, label="")
    for variant in _l(s.get("variants", [])):
        v = _m(variant)
        settings = _m(v["settings"])
        label = f" (beam {settings['beam_size']}, jobs/batch {settings['jobs_per_batch']})"
        out.extend(_engine_rows(v, label=label))
    return out


def _engine_rows(s: Mapping[str, object], *, label: str) -> list[Row]:
    raw, pipe = _m(s["raw_engine"]), _m(s["pipeline"])
    ingest = _m(pipe["ingest"])
    corpus, settings = _m(s["corpus"]), _m(s["settings"])
    where = f"{settings['device']} {settings['compute_type']}"
    what = (
        f"{corpus['segments']} segments ({corpus['source_units']} FLORES lines), "
        f"beam {settings['beam_size']}, {settings['max_decoding_length']} tokens each, {where}"
    )
    ratio = float(str(s["ratio"]))
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    if s.get("quick"):
        verdict = "not judged on a quick run (small model, one round, one batch)"
    name = "gpu" if settings["device"] == "cuda" else "engine"
    card = f" on {s['card']}" if "card" in s else ""
    split = (
        f"in the pipeline: CTranslate2 {_f(pipe['ctranslate2_s_median'])} s, warta's Python "
        f"{_f(pipe['python_s_median'])} s; raw engine {_f(raw['median_wall_s'])} s"
    )
    return [
        (name, "raw CTranslate2" + label, f"{_f(raw['units_per_s'])} seg/s", what + card),
        (name, "warta pipeline (worker)" + label, f"{_f(pipe['units_per_s'])} seg/s",
         f"median of {s['rounds']} interleaved rounds; SQLite store; {split}"),
        (name, "ingest (newsroom.submit)" + label, f"{_f(ingest['units_per_s'])} articles/s",
         "timed apart from the worker"),
        (name, "pipeline/engine" + label, _f(ratio, 3),
         f"target ≥ {TARGET_RATIO}: {verdict}; median of pairs "
         f"{_f(s['ratio_median_of_pairs'], 3)}, CPU-time ratio {_f(s['ratio_cpu'], 3)}"),
        *(
            (name, f"{p['processes']} worker processes", f"{_f(p['units_per_s'])} seg/s",
             f"{_f(p['ratio_to_engine'], 3)} of the raw engine; {p['segments']} segments, "
             f"all processes together, {_f(p['wall_s'], 2)} s")
            for p in map(_m, _l(s.get("worker_processes", [])))
        ),
    ]  # fmt: skip


def _feed(s: Mapping[str, object]) -> list[Row]:
    raw, cost = _m(s["raw_engine"]), _m(s["feeding"])
    where = f"{s['device']}" + (f" on {s['card']}" if s.get("card") else "")
    out: list[Row] = [
        ("feed", "raw CTranslate2", f"{_f(raw['units_per_s'])} seg/s", where),
        (
            "feed",
            "worker process CPU per segment",
            f"{_f(cost['feeding_cpu_ms_per_segment'], 3)} ms",
            f"engine answering at once; ceiling {_f(cost['feeding_ceiling_seg_per_s'])} seg/s "
            f"= {_f(cost['feeding_ceiling/raw_engine'], 3)} of the raw engine",
        ),
        (
            "feed",
            "engine's own Python per segment",
            f"{_f(cost['engine_python_ms_per_segment'], 3)} ms",
            f"tokenise, detokenise, align; both in one process: ceiling "
            f"{_f(cost['one_process_ceiling_seg_per_s'])} seg/s "
            f"= {_f(cost['one_process_ceiling/raw_engine'], 3)} of the raw engine",
        ),
    ]
    for p in map(_m, _l(s.get("engine_process", []))):
        out.append(
            (
                "feed",
                f"{p['processes']} workers, one engine process",
                f"{_f(p['units_per_s'])} seg/s",
                f"{_f(p['ratio_to_engine'], 3)} of the raw engine; {p['segments']} segments, "
                f"{_f(p['wall_s'], 2)} s",
            )
        )
    return out


def _usual(s: Mapping[str, object]) -> list[Row]:
    sides = _m(s["sides"])
    settings = _m(s["settings"])
    out: list[Row] = []
    for name, detail in (
        ("raw engine", "CTranslate2 int8, one translate_batch"),
        ("warta pipeline", "worker run, as in section 1"),
        ("transformers generate", f"float32, batches of {settings['hf_batch']}"),
        ("per-item loop", "LibreTranslate-style: one translate_batch per item"),
    ):
        out.append(("usual", name, f"{_f(_m(sides[name])['units_per_s'])} seg/s", detail))
    for key in ("engine/transformers", "engine/per-item loop", "pipeline/transformers",
                "pipeline/per-item loop"):  # fmt: skip
        ratio = _m(s[key])
        out.append(("usual", key, _f(ratio["ratio"], 2) + "×",
                    f"median of pairs {_f(ratio['ratio_median_of_pairs'], 2)}"))  # fmt: skip
    return out


def _articles(s: Mapping[str, object]) -> list[Row]:
    out: list[Row] = []
    targets = ",".join(str(t) for t in _l(s["targets"]))
    for key, label in (
        ("arriving_concurrently", "arriving concurrently"),
        ("queued_then_worker", "queued, then worker"),
        ("one_batch", "one batch (raw engine)"),
    ):
        f = _m(s[key])
        out.append((
            "articles", label, f"{_f(f['segments_per_s'])} seg/s",
            f"p50 {_f(f['latency_p50_s'])} s, p95 {_f(f['latency_p95_s'])} s to the last edition "
            f"({s['articles']} articles × {targets}; {f['segments']} segments)",
        ))  # fmt: skip
    return out


def _memory(s: Mapping[str, object]) -> list[Row]:
    worker, web = _m(s["worker"]), _m(s["web"])
    return [
        ("memory", "worker, five models", f"{_f(worker['rss_mib_five_models'])} MiB",
         f"{worker['quantization']}, model.bin {_f(worker['model_bin_mib'])} MiB each; "
         f"worker before loading models {_f(worker['rss_mib_worker_no_model'])} MiB"),
        ("memory", "web process", f"{_f(web['rss_mib_after_pages'])} MiB",
         f"warta serve --no-worker after {web['pages_served']} pages (started: "
         f"{_f(web['rss_mib_started'])} MiB"
         + (f"; after wrk: {_f(web['rss_mib_after_wrk'])} MiB)" if "rss_mib_after_wrk" in web
            else ")")),
    ]  # fmt: skip


def _site(s: Mapping[str, object]) -> list[Row]:
    result, wrk = _m(s["result"]), _m(s["wrk"])
    latency = _m(result["latency_ms"])
    p99, p50 = _f(latency.get("p99", "n/a")), _f(latency.get("p50", "n/a"))
    rows: list[Row] = [
        ("site", "cached article pages", f"{_f(result['requests_per_s'])} req/s",
         f"p99 {p99} ms, p50 {p50} ms; "
         f"wrk -t{wrk['threads']} -c{wrk['connections']} -d{wrk['duration_s']}s over "
         f"{s['pages']} pages; errors {result['errors']}"),
    ]  # fmt: skip
    if "floor" in s:
        floor = _m(_m(s["floor"])["result"])
        ratio = float(str(s["ratio_to_floor"]))
        p99_ms = float(str(latency.get("p99", "inf")))
        met = "met" if ratio >= SITE_TARGET_RATIO and p99_ms < SITE_TARGET_P99_MS else "NOT met"
        rows += [
            ("site", "floor: fixed 30 KB ASGI app", f"{_f(floor['requests_per_s'])} req/s",
             f"p99 {_f(_m(floor['latency_ms']).get('p99', 'n/a'))} ms; same uvicorn, same wrk"),
            ("site", "**cached pages/floor**", f"**{_f(ratio, 3)}**",
             f"target >= {SITE_TARGET_RATIO} and p99 < {SITE_TARGET_P99_MS:.0f} ms: {met}; "
             f"rounds {', '.join(_f(_m(r)['ratio'], 3) for r in _l(s['rounds']))}"),
        ]  # fmt: skip
    return rows


def _incremental(s: Mapping[str, object]) -> list[Row]:
    return [
        ("incremental", "one-paragraph edit / full", _f(s["cost_fraction"], 3),
         f"{s['segments_retranslated']} of {s['segments_full']} segments re-translated "
         f"({s['articles']} articles, en); full {_f(s['full_median_s'])} s, "
         f"edit {_f(s['edit_median_s'])} s"),
    ]  # fmt: skip


def _reuse(s: Mapping[str, object]) -> list[Row]:
    edit, glossary = _m(s["edit"]), _m(s["glossary"])
    return [
        ("reuse", "one-paragraph edit: re-translated", _f(edit["fraction_retranslated"], 4),
         f"{edit['segments_retranslated']} of {edit['segments']} segments; edited paragraphs "
         f"{edit['segments_in_edited_paragraphs']} ({_f(edit['edited_paragraphs_share'], 4)}); "
         f"reused {edit['segments_reused']}, {edit['segments_reused_flagged']} of them flagged "
         f"({s['articles']} articles, {s['target']}, random-weight model)"),
        ("reuse", "glossary term added: re-translated", str(glossary["segments_retranslated"]),
         f"sentences containing {glossary['term']!r}: {glossary['sentences_with_term']}; "
         f"re-translated without it: {glossary['retranslated_without_term']}"),
    ]  # fmt: skip


def _hostile(s: Mapping[str, object]) -> list[Row]:
    without, with_article = _m(s["without"]), _m(s["with"])
    stored, refused = _m(s["hostile_article"]), _m(s["repeated_400kb"])
    return [
        ("hostile", "other site's page time with / without", _f(s["ratio"], 3),
         f"median {with_article['median_ms']} ms with, {without['median_ms']} ms without "
         f"({s['demo_pages']} pages; {with_article['attack_requests_per_s']} hostile requests/s); "
         f"article: {stored.get('bytes_sent')} bytes sent, refused repeated body: "
         f"{refused.get('refused')}"),
    ]  # fmt: skip


def _remote(s: Mapping[str, object]) -> list[Row]:
    return [
        ("remote", f"openai engine, {run['concurrency']} at once: warta ms/segment",
         _f(run["overhead_ms_per_segment"], 2),
         f"pipeline {_f(run['pipeline_segments_per_s'])} seg/s, engine alone "
         f"{_f(run['engine_segments_per_s'])} seg/s ({run['segments']} segments, "
         f"{run['requests']} requests, {s['articles']} articles, {s['target']})")
        for run in (_m(r) for r in _l(s["runs"]))
    ]  # fmt: skip


_ROWS = {
    "engine": _engine,
    "usual": _usual,
    "articles": _articles,
    "memory": _memory,
    "site": _site,
    "incremental": _incremental,
    "reuse": _reuse,
    "hostile": _hostile,
    "remote": _remote,
    "gpu": _engine,
    "feed": _feed,
}


def _m(value: object) -> Mapping[str, object]:
    assert isinstance(value, Mapping)  # noqa: S101 -- shapes built by the sections
    return value


def _l(value: object) -> list[object]:
    assert isinstance(value, list)  # noqa: S101
    return value


def _f(value: object, digits: int = 1) -> str:
    try:
        return f"{float(str(value)):.{digits}f}"
    except ValueError:
        return str(value)
