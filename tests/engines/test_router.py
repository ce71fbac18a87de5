"""The router: per site and language, down the fallback chain, provenance after the call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from warta.domain import ArticleDraft, EditionStatus, Glossary, JobStatus, SegmentOrigin
from warta.engines.base import EngineInfo, Hypothesis, SegmentGroup
from warta.engines.fake import FakeEngine
from warta.engines.router import Produced, Router, Withheld, default_gate
from warta.engines.setup import EngineConfig, RouteConfig
from warta.errors import (
    EngineAuthError,
    EngineRateLimitError,
    EngineResponseError,
    EngineUnavailableError,
)
from warta.languages import Lang
from warta.services import Services
from warta.store.engines import EngineStore
from warta.workers.runner import Worker

JA = "これは日本語に訳された文です"


def ja_answer(text: str, target: Lang) -> str:
    return f"{JA}。{len(text)}" if target is Lang.JA else f"a translated sentence of {len(text)}"


class Named(FakeEngine):
    """A fake that answers like a translation (the quality gate passes it), or fails as told."""

    def __init__(
        self,
        name: str,
        *,
        fail: Exception | None = None,
        answer: Callable[[str, Lang], str] = ja_answer,
        drop: int = 0,
        pairs: Sequence[tuple[Lang, Lang]] | None = None,
    ) -> None:
        super().__init__(pairs=pairs)
        self.name = name
        self.fail = fail
        self.answer = answer
        self.drop = drop

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        info = super().describe(source=source, target=target)
        model = replace(info.models[0], name=f"{self.name}-model")
        return replace(info, engine=self.name, models=(model,))

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,
    ) -> list[Hypothesis]:
        self.calls.append((source, target, tuple(texts)))
        self.groups.append(None if groups is None else tuple(groups))
        if self.fail is not None:
            raise self.fail
        out = [Hypothesis(text=self.answer(t, target), score=-0.1) for t in texts]
        return out[: len(out) - self.drop]


def group(site: str) -> SegmentGroup:
    return SegmentGroup(key="1", title="Judul", site=site, glossary=Glossary.empty())


def router(
    engines: dict[str, Named],
    routes: Sequence[RouteConfig],
    *,
    ledger: EngineStore | None = None,
    configs: Sequence[EngineConfig] | None = None,
) -> Router:
    return Router(
        default=engines.get("ctranslate2", Named("ctranslate2")),
        configs=configs
        if configs is not None
        else [EngineConfig(name=n, kind="openai", url="http://x") for n in engines],
        routes=routes,
        build=lambda config, on_usage: engines[config.name],
        ledger=ledger,
    )


TEXTS = ["Pemerintah menaikkan tarif ojek daring.", "Kebijakan itu berlaku mulai Senin."]


@pytest.mark.parametrize(
    "failure",
    [
        EngineUnavailableError("503 after 3 tries", engine="llm"),
        EngineRateLimitError("429", retry_after=30.0, engine="llm"),
        EngineResponseError("misaligned JSON", engine="llm"),
        TimeoutError("read timed out"),
    ],
    ids=["unavailable", "rate-limited", "malformed", "timeout"],
)
def test_a_failing_engine_hands_its_segments_to_the_fallback(failure: Exception) -> None:
    llm, deepl = Named("llm", fail=failure), Named("deepl")
    routes = [RouteConfig(lang=Lang.JA, engine="llm", fallback=("deepl",))]

    out = router({"llm": llm, "deepl": deepl}, routes).translate(
        TEXTS, source=Lang.ID, target=Lang.JA, groups=[group("demo")] * 2
    )

    assert [h.text for h in out] == [ja_answer(t, Lang.JA) for t in TEXTS]
    assert all(isinstance(h, Produced) and h.producer is not None for h in out)
    assert {h.producer.engine for h in out if isinstance(h, Produced) and h.producer} == {"deepl"}
    assert all("llm failed" in h.fallback_note for h in out if isinstance(h, Produced))
    assert len(llm.calls) == 1
    assert deepl.groups == [(group("demo"), group("demo"))]


def test_each_site_gets_its_own_route_and_others_the_general_one() -> None:
    llm, deepl = Named("llm"), Named("deepl")
    routes = [
        RouteConfig(lang=Lang.JA, engine="deepl"),
        RouteConfig(lang=Lang.JA, engine="llm", site="kompas"),
    ]

    out = router({"llm": llm, "deepl": deepl}, routes).translate(
        TEXTS, source=Lang.ID, target=Lang.JA, groups=[group("kompas"), group("tempo")]
    )

    producers = [h.producer.engine for h in out if isinstance(h, Produced) and h.producer]
    assert producers == ["llm", "deepl"]
    assert [c[2] for c in llm.calls] == [(TEXTS[0],)]
    assert [c[2] for c in deepl.calls] == [(TEXTS[1],)]


def test_wrong_language_and_dropped_segments_go_to_the_fallback() -> None:
    def chinese_for_the_second(text: str, target: Lang) -> str:
        return "这是一个中文句子没有假名的翻译结果" if "Senin" in text else ja_answer(text, target)

    wrong, deepl = Named("llm", answer=chinese_for_the_second), Named("deepl")
    routes = [RouteConfig(lang=Lang.JA, engine="llm", fallback=("deepl",))]
    out = router({"llm": wrong, "deepl": deepl}, routes).translate(
        TEXTS, source=Lang.ID, target=Lang.JA
    )
    assert [h.producer.engine for h in out if isinstance(h, Produced) and h.producer] == [
        "llm",
        "deepl",
    ]
    assert deepl.calls[0][2] == (TEXTS[1],)

    dropping, deepl = Named("llm", drop=1), Named("deepl")
    out = router({"llm": dropping, "deepl": deepl}, routes).translate(
        TEXTS, source=Lang.ID, target=Lang.JA
    )
    assert {h.producer.engine for h in out if isinstance(h, Produced) and h.producer} == {"deepl"}
    assert "returned 1 translations for 2 segments" in out[0].fallback_note  # type: ignore[attr-defined]


def test_the_last_engine_keeps_a_doubtful_answer_rather_than_none() -> None:
    def untranslated(text: str, target: Lang) -> str:
        return text

    routes = [RouteConfig(lang=Lang.JA, engine="llm")]
    out = router({"llm": Named("llm", answer=untranslated)}, routes).translate(
        TEXTS, source=Lang.ID, target=Lang.JA
    )
    assert [h.text for h in out] == TEXTS  # quality estimation flags them for review
    assert default_gate(TEXTS[0], TEXTS[0], Lang.JA) is not None


def test_a_refused_key_disables_the_engine_in_the_database_and_it_is_not_called_again(
    services: Services,
) -> None:
    ledger = EngineStore(services.db)
    llm = Named("llm", fail=EngineAuthError("401 Unauthorized: invalid key", engine="llm"))
    deepl = Named("deepl")
    ledger.add(EngineConfig(name="llm", kind="openai", url="http://x"))
    ledger.add(EngineConfig(name="deepl", kind="openai", url="http://y"))
    routes = [RouteConfig(lang=Lang.JA, engine="llm", fallback=("deepl",))]
    routed = router({"llm": llm, "deepl": deepl}, routes, ledger=ledger)

    routed.translate(TEXTS, source=Lang.ID, target=Lang.JA)
    out = routed.translate(TEXTS, source=Lang.ID, target=Lang.JA)

    assert len(llm.calls) == 1
    stored = ledger.get("llm")
    assert stored.disabled
    assert "401 Unauthorized" in stored.disabled_reason
    assert all("llm is disabled" in h.fallback_note for h in out if isinstance(h, Produced))


def test_over_the_cap_the_next_engine_runs_and_with_none_left_the_segments_are_held(
    services: Services,
) -> None:
    services.store.create_site(slug="demo", name="Demo")
    ledger = EngineStore(services.db)
    services.store.create_site(slug="other", name="Other")
    capped = EngineConfig(name="deepl", kind="deepl", key_env="K", monthly_cap_chars=100)
    ledger.add(capped)
    ledger.record_usage(engine="deepl", site="demo", characters=40, requests=1)
    deepl, local = Named("deepl"), Named("ctranslate2")
    engines = {"deepl": deepl, "ctranslate2": local}

    with_fallback = [RouteConfig(lang=Lang.JA, engine="deepl", fallback=("ctranslate2",))]
    out = router(engines, with_fallback, ledger=ledger, configs=[capped]).translate(
        TEXTS, source=Lang.ID, target=Lang.JA, groups=[group("demo")] * 2
    )
    assert deepl.calls == []
    assert {h.producer.engine for h in out if isinstance(h, Produced) and h.producer} == {
        "ctranslate2"
    }

    alone = [RouteConfig(lang=Lang.JA, engine="deepl")]
    out = router(engines, alone, ledger=ledger, configs=[capped]).translate(
        TEXTS, source=Lang.ID, target=Lang.JA, groups=[group("demo")] * 2
    )
    assert all(isinstance(h, Withheld) and h.hold for h in out)
    assert out[0].reason == "over the monthly cap of deepl"  # type: ignore[attr-defined]
    # Another site has its own cap (73 characters of 100).
    out = router(engines, alone, ledger=ledger, configs=[capped]).translate(
        TEXTS, source=Lang.ID, target=Lang.JA, groups=[group("other")] * 2
    )
    assert all(isinstance(h, Produced) for h in out)


def test_a_site_without_a_route_waits_for_a_model_the_other_site_routes_elsewhere() -> None:
    local = Named("ctranslate2", pairs=[(Lang.ID, Lang.EN)])  # no Chinese model installed
    routes = [RouteConfig(lang=Lang.ZH, engine="deepl", site="kompas")]
    routed = router({"ctranslate2": local, "deepl": Named("deepl")}, routes)
    assert routed.supports(source=Lang.ID, target=Lang.ZH)

    out = routed.translate(
        TEXTS, source=Lang.ID, target=Lang.ZH, groups=[group("kompas"), group("tempo")]
    )

    assert isinstance(out[0], Produced)
    assert isinstance(out[1], Withheld)
    assert out[1].hold  # pending with the reason, as without routes
    assert out[1].reason == "engine ctranslate2 has no model for id→zh"


def test_usage_is_recorded_per_engine_site_and_day(services: Services) -> None:
    services.store.create_site(slug="demo", name="Demo")
    ledger = EngineStore(services.db)
    routes = [RouteConfig(lang=Lang.JA, engine="llm", fallback=("deepl",))]
    failing = Named("llm", fail=EngineUnavailableError("503", engine="llm"))
    router({"llm": failing, "deepl": Named("deepl")}, routes, ledger=ledger).translate(
        TEXTS, source=Lang.ID, target=Lang.JA, groups=[group("demo")] * 2
    )

    usage = {u.engine: u for u in ledger.usage(site="demo")}
    assert usage["deepl"].characters == sum(len(t) for t in TEXTS)
    assert (usage["deepl"].requests, usage["deepl"].errors) == (1, 0)
    assert (usage["llm"].characters, usage["llm"].errors) == (0, 1)
    assert ledger.month_characters(engine="deepl", site="demo") == sum(len(t) for t in TEXTS)


# --- through the worker: provenance per segment, memory, held and failed editions ----------------

BODY = (
    "<p>Pemerintah menaikkan tarif ojek daring sebesar 2,5 persen. "
    "Kebijakan itu berlaku mulai Senin.</p>"
    "<p>Para pengemudi menyambut baik keputusan tersebut.</p>"
)


def draft(external_id: str = "tarif") -> ArticleDraft:
    return ArticleDraft(
        site="demo",
        external_id=external_id,
        title="Tarif ojek naik",
        lead="",
        body_html=BODY,
    )


def worker(services: Services, engine: Router) -> Worker:
    return Worker(
        store=services.store,
        queue=services.queue,
        engine=lambda: engine,
        targets=[Lang.JA],
        name="test-worker",
        estimator=services.estimator,
    )


def test_a_mixed_edition_names_the_engine_of_every_segment_and_memory_keys_on_it(
    services: Services,
) -> None:
    services.store.create_site(slug="demo", name="Demo")

    def fails_on_senin(text: str, target: Lang) -> str:
        return text if "Senin" in text else ja_answer(text, target)

    llm, deepl = Named("llm", answer=fails_on_senin), Named("deepl")
    routes = [RouteConfig(lang=Lang.JA, engine="llm", fallback=("deepl",))]
    routed = router({"llm": llm, "deepl": deepl}, routes)
    result = services.newsroom.submit(draft())

    worker(services, routed).run_until_idle()

    edition = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    assert edition.provenance is not None
    assert edition.provenance.engine == "mixed"
    by = edition.provenance.segments_by
    engines = {by[s.provenance_key].engine for s in edition.segments if s.provenance_key}
    assert engines == {"llm", "deepl"}
    senin = next(s for s in edition.segments if "Senin" in s.source_html)
    assert by[senin.provenance_key or ""].engine == "deepl"
    assert by[senin.provenance_key or ""].models[0].name == "deepl-model"
    assert "translated by deepl (llm answered 1 segment(s) badly)" in edition.reason
    # The stored record reads back with every part.
    assert edition.provenance.to_dict()["route"] == "mixed"
    stored = edition.provenance.to_dict()["segments_by"]
    assert isinstance(stored, dict)
    assert set(stored) == set(by)

    # Memory: the primary's sentences are reused; the fallback's is asked of the primary again.
    llm.calls.clear()
    deepl.calls.clear()
    services.queue.enqueue(revision_id=result.revision.id, lang=Lang.JA)
    worker(services, routed).run_until_idle()
    assert [c[2] for c in llm.calls] == [(senin.source_html,)]


def test_an_edition_no_engine_could_translate_fails_with_the_engines_named(
    services: Services,
) -> None:
    services.store.create_site(slug="demo", name="Demo")
    down = EngineUnavailableError("503 Service Unavailable after 3 tries", engine="llm")
    routes = [RouteConfig(lang=Lang.JA, engine="llm", fallback=("deepl",))]
    routed = router(
        {"llm": Named("llm", fail=down), "deepl": Named("deepl", fail=TimeoutError("timed out"))},
        routes,
    )
    result = services.newsroom.submit(draft())

    worker(services, routed).run_until_idle()
    while services.queue.counts()[JobStatus.QUEUED]:  # retried while attempts are left
        worker(services, routed).run_until_idle()

    edition = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    assert edition.status is EditionStatus.FAILED
    assert "engine llm failed: 503 Service Unavailable" in edition.reason
    assert "engine deepl failed: timed out" in edition.reason
    assert edition.content is None  # nothing half-translated was stored
    assert services.queue.counts()[JobStatus.FAILED] == 1  # ja only: the others had no route


def test_an_edition_over_every_cap_waits_pending_with_the_reason(services: Services) -> None:
    services.store.create_site(slug="demo", name="Demo")
    ledger = EngineStore(services.db)
    capped = EngineConfig(name="deepl", kind="deepl", key_env="K", monthly_cap_chars=10)
    ledger.add(capped)
    routed = router(
        {"deepl": Named("deepl")},
        [RouteConfig(lang=Lang.JA, engine="deepl")],
        ledger=ledger,
        configs=[capped],
    )
    result = services.newsroom.submit(draft())

    summary = worker(services, routed).run_until_idle()

    edition = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    assert edition.status is EditionStatus.PENDING
    assert "over the monthly cap of deepl" in edition.reason
    assert edition.content is None
    assert summary.held == 1
    assert all(s.origin is not SegmentOrigin.ENGINE for s in edition.segments)
