"""Section hostile's articles: the largest one the limits let in, and issue 14's attack."""

from __future__ import annotations

import pytest
from tests.paths import DATA

from warta.bench.hostile import TARGET_BYTES, hostile_draft, repeated_draft
from warta.bench.render import rows
from warta.errors import ArticleTooLargeError
from warta.ingest.validate import Validator
from warta.pipeline import document_for


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(max_bytes=512 * 1024, min_confidence=0.5, max_segments=2000)


def test_the_hostile_article_is_400_kb_of_distinct_sentences_the_limits_let_in(
    validator: Validator,
) -> None:
    draft = hostile_draft(DATA / "flores101-dev" / "id.txt", max_segments=2000)
    sent = len(draft.body_html.encode())
    assert TARGET_BYTES * 0.95 < sent <= 512 * 1024
    assert "onmouseover" in draft.body_html
    clean = validator.validate(draft)
    assert "onmouseover" not in clean.body_html
    document = document_for(title=clean.title, lead=clean.lead, body_html=clean.body_html)
    sentences = [s.text for s in document.segments if s.translate]
    assert 1900 < len(sentences) <= 2000
    assert len(set(sentences)) == len(sentences)


def test_issue_14s_repeated_sentence_is_refused(validator: Validator) -> None:
    draft = repeated_draft()
    assert len(draft.body_html.encode()) > 0.95 * TARGET_BYTES
    with pytest.raises(ArticleTooLargeError, match="at most 2000"):
        validator.validate(draft)


def test_the_section_renders_its_ratio_row() -> None:
    from warta.bench.runner import BenchConfig, Report

    report = Report(BenchConfig.preset(quick=True))
    report.sections["hostile"] = {
        "ratio": 1.02,
        "demo_pages": 33,
        "without": {"median_ms": 10.0},
        "with": {"median_ms": 10.2, "attack_requests_per_s": 150.0},
        "hostile_article": {"bytes_sent": 407676},
        "repeated_400kb": {"refused": "article_too_large"},
    }
    (row,) = [r for r in rows(report) if r[0] == "hostile"]
    assert row[2] == "1.020"
    assert "10.2 ms with, 10.0 ms without" in row[3]
    assert "407676 bytes" in row[3]
