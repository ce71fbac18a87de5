"""One engine process serving the engine calls of several worker processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, Pipe
from typing import Any

import pytest

from warta.domain import ArticleDraft, EditionStatus
from warta.engines.fake import FakeEngine, marker
from warta.errors import EngineError, ModelNotFoundError
from warta.languages import Lang
from warta.services import Services
from warta.workers.engine_process import EngineClient, ServeSummary, serve, start_engine_process


class _Recording(FakeEngine):
    """The fake engine, recording the ``aligned`` flags of each call."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.aligned: list[tuple[bool, ...] | None] = []

    def translate(self, texts, *, source, target, contexts=None, groups=None, aligned=None):
        self.aligned.append(None if aligned is None else tuple(aligned))
        return super().translate(
            texts, source=source, target=target, contexts=contexts, groups=groups
        )


def _arrived(connections: Sequence[Connection], count: int) -> None:
    """Wait (bounded) until ``count`` of the server ends have a request waiting."""
    deadline = time.monotonic() + 30
    while sum(c.poll() for c in connections) < count:
        assert time.monotonic() < deadline, "the clients' requests never arrived"
        time.sleep(0.01)


def _in_threads(*calls: Callable[[], object]) -> tuple[list[Any], list[threading.Thread]]:
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 -- returned to the test, which asserts on it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    return results, threads


def _serving(engine: FakeEngine, servers: Sequence[Connection]) -> tuple[threading.Thread, list]:
    found: list[ServeSummary] = []
    thread = threading.Thread(target=lambda: found.append(serve(engine, servers)))
    thread.start()
    return thread, found


def test_requests_that_arrive_together_go_to_the_engine_in_one_call():
    engine = _Recording()
    ends = [Pipe() for _ in range(2)]
    servers = [server for server, _ in ends]
    first, second = (EngineClient(client) for _, client in ends)
    results, threads = _in_threads(
        lambda: first.translate(["Satu.", "Dua."], source=Lang.ID, target=Lang.FR),
        lambda: second.translate(["Tiga."], source=Lang.ID, target=Lang.FR, aligned=[False]),
    )
    _arrived(servers, 2)

    thread, found = _serving(engine, servers)
    for t in threads:
        t.join(timeout=30)
    first.close()
    second.close()
    thread.join(timeout=30)

    assert [h.text for h in results[0]] == [marker(Lang.FR) + "Satu.", marker(Lang.FR) + "Dua."]
    assert [h.text for h in results[1]] == [marker(Lang.FR) + "Tiga."]
    assert len(engine.calls) == 1  # merged
    assert sorted(engine.calls[0][2]) == ["Dua.", "Satu.", "Tiga."]
    # a client that sent no flags needs every alignment; the other's flags are kept
    flags = dict(zip(engine.calls[0][2], engine.aligned[0] or (), strict=True))
    assert flags == {"Satu.": True, "Dua.": True, "Tiga.": False}
    (summary,) = found
    assert summary.merged == [2]
    assert summary.segments == 3


def test_requests_for_different_languages_are_separate_engine_calls():
    engine = _Recording()
    ends = [Pipe() for _ in range(2)]
    servers = [server for server, _ in ends]
    fr, ja = (EngineClient(client) for _, client in ends)
    results, threads = _in_threads(
        lambda: fr.translate(["Satu."], source=Lang.ID, target=Lang.FR),
        lambda: ja.translate(["Satu."], source=Lang.ID, target=Lang.JA),
    )
    _arrived(servers, 2)

    thread, _ = _serving(engine, servers)
    for t in threads:
        t.join(timeout=30)
    fr.close()
    ja.close()
    thread.join(timeout=30)

    assert sorted(target.value for _, target, _ in engine.calls) == ["fr", "ja"]
    assert [h.text for h in results[1]] == [marker(Lang.JA) + "Satu."]


def test_engine_errors_reach_the_client_as_their_own_type():
    engine = FakeEngine(pairs=[(Lang.ID, Lang.EN), (Lang.ID, Lang.FR)], fail_targets={Lang.FR})
    server, end = Pipe()
    client = EngineClient(end)
    thread, _ = _serving(engine, [server])

    with pytest.raises(EngineError, match="told to fail"):
        client.translate(["Satu."], source=Lang.ID, target=Lang.FR)
    with pytest.raises(ModelNotFoundError, match="no model"):
        client.describe(source=Lang.ID, target=Lang.JA)
    assert client.supports(source=Lang.ID, target=Lang.EN)
    assert not client.supports(source=Lang.ID, target=Lang.JA)
    assert client.describe(source=Lang.ID, target=Lang.EN).engine == "fake"
    client.close()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_client_whose_engine_process_is_gone_says_so():
    server, end = Pipe()
    server.close()
    client = EngineClient(end)
    with pytest.raises(EngineError, match="engine process is gone"):
        client.translate(["Satu."], source=Lang.ID, target=Lang.EN)


def test_workers_translate_through_a_spawned_engine_process(
    services: Services, register_tiny: Callable[..., object]
):
    register_tiny(Lang.EN)
    services.store.create_site(slug="demo", name="Demo")
    result = services.newsroom.submit(
        ArticleDraft(
            site="demo",
            external_id="tarif",
            title="Pemerintah menaikkan tarif ojek daring",
            lead="",
            body_html="<p>Tarif naik <b>2,5 persen</b> mulai Senin. Pengemudi senang.</p>",
        )
    )
    process, (end,) = start_engine_process(services.settings, 1)
    client = EngineClient(end)
    try:
        summary = services.worker(engine=lambda: client, targets=[Lang.EN]).run_until_idle()
    finally:
        client.close()
        process.join(timeout=60)

    assert process.exitcode == 0
    assert summary.editions == 1
    edition = services.store.get_edition(revision_id=result.revision.id, lang=Lang.EN)
    assert edition.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
    assert edition.content is not None
    assert "<b>" in edition.content.body_html
    assert edition.provenance is not None
    assert edition.provenance.engine == "ctranslate2"
