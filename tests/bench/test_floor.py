"""Section 5's floor: a fixed 30 KB ASGI app, and how the site's share of it is judged.

No timing is asserted: the figures below are made up, the verdict is what is tested."""

from __future__ import annotations

from fastapi.testclient import TestClient

from warta.bench.floor import BODY_BYTES, FloorApp, make_body
from warta.bench.render import rows
from warta.bench.runner import BenchConfig, Report


def test_the_floor_answers_every_path_with_the_same_30_kb_page() -> None:
    with TestClient(FloorApp(make_body())) as client:
        one, two = client.get("/"), client.get("/en/1-anything?x=1")
    assert one.status_code == two.status_code == 200
    assert len(one.content) == BODY_BYTES == 30 * 1024
    assert one.content == two.content
    assert one.headers["content-type"] == "text/html; charset=utf-8"


def _site(*, ratio: float, p99_ms: float) -> dict[str, object]:
    result = {"requests_per_s": 100.0 * ratio, "latency_ms": {"p50": 1.0, "p99": p99_ms},
              "requests": 1000, "errors": 0, "duration_s": 10}  # fmt: skip
    floor = {"requests_per_s": 100.0, "latency_ms": {"p50": 1.0, "p99": 5.0}, "requests": 1000,
             "errors": 0, "duration_s": 10}  # fmt: skip
    return {
        "pages": 120,
        "wrk": {"threads": 2, "connections": 16, "duration_s": 10},
        "result": result,
        "floor": {"server": "floor", "result": floor},
        "ratio_to_floor": ratio,
        "rounds": [{"floor": floor, "site": result, "ratio": ratio}],
    }


def _verdict(section: dict[str, object]) -> str:
    report = Report(BenchConfig.preset(quick=True), sections={"site": section})
    (row,) = [r for r in rows(report) if r[0] == "site" and "floor**" in r[1]]
    return row[3]


def test_the_site_meets_its_target_only_with_both_the_share_and_the_p99() -> None:
    assert ": met;" in _verdict(_site(ratio=0.6, p99_ms=12.0))
    assert "NOT met" in _verdict(_site(ratio=0.4, p99_ms=12.0))
    assert "NOT met" in _verdict(_site(ratio=0.9, p99_ms=25.0))
