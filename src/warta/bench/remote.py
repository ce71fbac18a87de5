"""Section ``remote``: the pipeline through the ``openai`` engine against a local
chat-completions server that answers at once, with 1, 4 and 16 concurrent requests.

What it shows is warta's own cost per segment around a remote engine (routing, tags, placeholders,
quality estimation, storage, usage accounting), so that operators know the engine, not warta,
sets the pace. The server (:func:`warta.engines.remote.testing.openai_server`) runs in its own
process so that its work does not share warta's interpreter; it "translates" by rewriting each
word into the target's script, at once.

Per concurrency, in a fresh warta home each (nothing reused from memory):

* ``pipeline``: the demo articles submitted, then one worker run through the router
  (``warta routes set --target ja --engine llm``), timed from the first claim to the last stored
  edition;
* ``engine``: the same requests sent by the same client alone (the texts and article groups the
  pipeline sent), no warta around it;
* ``overhead_ms_per_segment`` = (pipeline - engine) / segments.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from warta.bench.corpus import demo_drafts
from warta.bench.rig import ProgressFn, default_validator, make_estimator, rig
from warta.bench.timing import median
from warta.domain import ArticleDraft
from warta.engines.setup import EngineConfig, RouteConfig
from warta.languages import SOURCE_LANG, Lang
from warta.pipeline import WorkItem, document_for, plan_items
from warta.store.engines import EngineStore

CONCURRENCY = (1, 4, 16)


@contextmanager
def served() -> Iterator[str]:
    """An OpenAI-compatible server in a child process; yields its base URL (``.../v1``)."""
    child = subprocess.Popen(  # this interpreter, this module
        [sys.executable, "-m", "warta.bench.remote"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None  # noqa: S101 -- PIPE above
        url = child.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"the benchmark's chat-completions server did not start: {url!r}")
        yield url + "/v1"
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()


def through_openai(
    *,
    articles: int,
    target: Lang = Lang.JA,
    concurrency: Sequence[int] = CONCURRENCY,
    rounds: int = 1,
    progress: ProgressFn,
    tmp: Path | None = None,
) -> dict[str, object]:
    drafts = demo_drafts(validator=default_validator(), limit=articles)
    estimator = make_estimator()
    estimator.assess(source="Harga beras naik.", target="米の値段が上がった。", lang=target)
    runs: list[dict[str, object]] = []
    with served() as url:
        for wanted in concurrency:
            pipeline_s: list[float] = []
            engine_s: list[float] = []
            segments = requests = 0
            for _ in range(rounds):
                progress(f"remote: {wanted} concurrent request(s)")
                p, e, segments, requests = _one_round(
                    drafts, url=url, target=target, concurrency=wanted, tmp=tmp, estimator=estimator
                )
                pipeline_s.append(p)
                engine_s.append(e)
            p, e = median(pipeline_s), median(engine_s)
            runs.append(
                {
                    "concurrency": wanted,
                    "segments": segments,
                    "requests": requests,
                    "pipeline_s": round(p, 3),
                    "engine_s": round(e, 3),
                    "pipeline_segments_per_s": round(segments / p, 1),
                    "engine_segments_per_s": round(segments / e, 1),
                    "overhead_ms_per_segment": round(1000 * (p - e) / segments, 3),
                    "rounds": rounds,
                }
            )
    return {"articles": len(drafts), "target": target.value, "runs": runs}


def _one_round(
    drafts: Sequence[ArticleDraft],
    *,
    url: str,
    target: Lang,
    concurrency: int,
    tmp: Path | None,
    estimator: object,
) -> tuple[float, float, int, int]:
    from warta.engines.build import build_remote
    from warta.quality.estimator import QualityEstimator

    assert isinstance(estimator, QualityEstimator)  # noqa: S101 -- make_estimator's
    config = EngineConfig(
        name="llm", kind="openai", url=url, model="bench", concurrency=concurrency, timeout=30.0
    )
    with rig(targets=[target], estimator=estimator, parent=tmp) as r:
        engines = EngineStore(r.services.db)
        engines.add(config)
        engines.set_route(RouteConfig(lang=target, engine="llm"))
        r.submit_all(drafts)
        router = r.services.engine()
        # What the pipeline will send, for the engine-alone side (planned before, not timed).
        (site,) = r.services.store.list_sites()
        glossary = r.services.store.glossaries([site.id])[site.id]
        items = [
            WorkItem(
                key=i,
                document=document_for(title=d.title, lead=d.lead, body_html=d.body_html),
                memory={},
                glossary=glossary,
                site=site.slug,
                title=d.title,
            )
            for i, d in enumerate(drafts)
        ]
        planned = plan_items(items, engine=router, target=target)
        texts, groups = planned.model_texts, planned.groups
        worker = r.services.worker(
            name="bench", engine=lambda: router, targets=[target], jobs_per_batch=64,
            estimator=estimator,
        )  # fmt: skip
        started = time.perf_counter()
        summary = worker.run_until_idle()
        pipeline = time.perf_counter() - started
        if summary.failed or summary.segments_reused or not summary.segments_translated:
            raise RuntimeError(f"remote section: the pipeline run was not like for like: {summary}")
        usage = engines.usage(days=1)
        requests = sum(u.requests for u in usage if u.engine == "llm")
    alone = build_remote(config)
    try:
        started = time.perf_counter()
        alone.translate(texts, source=SOURCE_LANG, target=target, groups=groups)
        engine = time.perf_counter() - started
    finally:
        close = getattr(alone, "close", None)
        if callable(close):
            close()
    return pipeline, engine, summary.segments_translated, requests


def _serve_until_stdin_closes() -> None:
    from warta.engines.remote.testing import openai_server

    with openai_server() as server:
        print(server.url, flush=True)  # noqa: T201 -- the parent reads the URL from stdout
        sys.stdin.read()


if __name__ == "__main__":
    _serve_until_stdin_closes()
