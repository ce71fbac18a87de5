"""Routing end to end (issue 13): id→en on the local CTranslate2 model, id→ja on an
OpenAI-compatible server that fails, falling back to a DeepL-format server. Real HTTP, real
clients, real worker and store; every edition complete, its provenance naming each segment's
engine; faults reported with the engine's name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from click.testing import CliRunner

from warta.cli import cli
from warta.domain import ArticleDraft, EditionStatus, JobStatus, SegmentOrigin
from warta.engines.remote.testing import FakeServer, Fault, deepl_server, openai_server
from warta.engines.setup import EngineConfig, RouteConfig
from warta.languages import Lang
from warta.services import Services
from warta.store.engines import EngineStore
from warta.workers.queue import SqlJobQueue

BODY = (
    '<p>JAKARTA - Pemerintah menaikkan tarif ojek <a href="https://example.go.id/tarif">daring</a> '
    "sebesar 2,5 persen. Kebijakan itu berlaku mulai Senin.</p>"
    "<p>Menteri Perhubungan mengatakan aturan baru akan <b>diumumkan</b> pekan depan.</p>"
)
DEEPL_KEY = "deepl-test-key-0001"


def draft(external_id: str = "tarif-ojek") -> ArticleDraft:
    return ArticleDraft(
        site="demo",
        external_id=external_id,
        title="Pemerintah menaikkan tarif ojek daring",
        lead="",
        body_html=BODY,
    )


@pytest.fixture
def servers() -> Iterator[tuple[FakeServer, FakeServer]]:
    with openai_server() as llm, deepl_server(key=DEEPL_KEY) as deepl:
        yield llm, deepl


@pytest.fixture
def routed(
    services: Services,
    servers: tuple[FakeServer, FakeServer],
    register_tiny: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
) -> EngineStore:
    """en: no route (the local model); ja: llm, then deepl."""
    llm, deepl = servers
    monkeypatch.setenv("WARTA_TEST_DEEPL_KEY", DEEPL_KEY)
    register_tiny(Lang.EN)
    services.store.create_site(slug="demo", name="Demo")
    engines = EngineStore(services.db)
    engines.add(
        EngineConfig(
            name="llm",
            kind="openai",
            url=llm.url + "/v1",
            model="qwen2.5-7b-instruct",
            timeout=0.5,
            options={"attempts": 2},
        )
    )
    engines.add(
        EngineConfig(name="deepl", kind="deepl", url=deepl.url, key_env="WARTA_TEST_DEEPL_KEY")
    )
    engines.set_route(RouteConfig(lang=Lang.JA, engine="llm", fallback=("deepl",)))
    return engines


def run_all(services: Services) -> None:
    # failed jobs are retried by later runs while attempts are left; no backoff here: due at once
    services = replace(
        services,
        queue=SqlJobQueue(
            services.db,
            max_attempts=services.settings.job_max_attempts,
            retry_base_seconds=0,
            retry_max_seconds=0,
        ),
    )
    for _ in range(5):
        services.worker().run_until_idle()
        if not services.queue.counts()[JobStatus.QUEUED]:
            return


def test_en_on_the_local_model_ja_falls_back_from_a_failing_llm_to_deepl(
    services: Services, servers: tuple[FakeServer, FakeServer], routed: EngineStore
) -> None:
    llm, deepl = servers
    llm.faults.extend(Fault(status=503) for _ in range(20))  # down for the whole test
    result = services.newsroom.submit(draft())

    run_all(services)

    en = services.store.get_edition(revision_id=result.revision.id, lang=Lang.EN)
    ja = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    for edition in (en, ja):
        assert edition.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
        assert edition.content is not None
        assert 'href="https://example.go.id/tarif"' in edition.content.body_html
        assert edition.provenance is not None
    assert en.provenance is not None
    assert ja.provenance is not None
    assert en.provenance.engine == "ctranslate2"
    made = [s for s in en.segments if s.origin is SegmentOrigin.ENGINE]
    assert made
    assert {s.provenance_key for s in made} == {en.provenance.key()}
    assert ja.provenance.engine == "deepl"
    assert ja.provenance.models[0].name == "deepl:deepl"
    by = ja.provenance.segments_by
    made = [s for s in ja.segments if s.origin is SegmentOrigin.ENGINE]
    assert made
    assert all(by[s.provenance_key or ""].engine == "deepl" for s in made)
    assert "llm failed" in ja.reason  # the fallback shows as such
    assert "<b>" in ja.content.body_html if ja.content else False  # tags went through DeepL
    assert len(llm.requests) >= 2  # tried (with its retry) before falling back
    assert [r.path for r in deepl.requests] == ["/v2/translate"]
    usage = {u.engine: u for u in routed.usage(site="demo")}
    assert usage["deepl"].characters > 0
    assert usage["deepl"].requests == 1
    assert usage["llm"].errors == 1
    assert usage["ctranslate2"].characters > 0


def test_a_refused_key_disables_the_engine_reports_it_and_the_fallback_translates(
    services: Services, servers: tuple[FakeServer, FakeServer], routed: EngineStore
) -> None:
    llm, _ = servers
    llm.faults.append(Fault(status=401, body={"error": {"message": "Incorrect API key"}}))
    result = services.newsroom.submit(draft())

    run_all(services)

    ja = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    assert ja.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
    assert ja.provenance is not None
    assert ja.provenance.engine == "deepl"
    assert "llm is disabled" in ja.reason
    disabled = routed.get("llm")
    assert disabled.disabled
    assert "401" in disabled.disabled_reason
    assert len(llm.requests) == 1  # never retried
    listed = CliRunner().invoke(
        cli, ["--home", str(services.settings.home), "engines", "list"], env={"COLUMNS": "250"}
    )
    assert "disabled:" in listed.output


def test_a_missing_key_disables_deepl_and_with_no_engine_left_the_edition_fails_visibly(
    services: Services,
    servers: tuple[FakeServer, FakeServer],
    routed: EngineStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    llm, _ = servers
    monkeypatch.delenv("WARTA_TEST_DEEPL_KEY")
    llm.faults.extend(Fault(status=0, delay=1.0) for _ in range(20))  # past the 0.5 s timeout
    result = services.newsroom.submit(draft())

    run_all(services)

    ja = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    assert ja.status is EditionStatus.FAILED
    assert ja.content is None  # nothing half-translated
    assert "engine llm failed" in ja.reason
    assert "engine deepl is disabled" in ja.reason
    assert "WARTA_TEST_DEEPL_KEY" in ja.reason
    assert routed.get("deepl").disabled
    status = CliRunner().invoke(
        cli,
        ["--home", str(services.settings.home), "status", "--format", "json"],
    )
    assert "engine deepl is disabled" in status.output
