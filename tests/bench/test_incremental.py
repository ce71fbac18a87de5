"""Section ``reuse`` of `warta bench`: what translation memory spares, counted (never timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warta.bench.corpus import demo_drafts
from warta.bench.incremental import REUSE_TERM, memory_reuse
from warta.bench.render import rows
from warta.bench.rig import default_validator
from warta.bench.runner import BenchConfig, Report, parse_sections

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reuse(shared_tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    drafts = demo_drafts(validator=default_validator())
    # two articles without the term, and the one demo article about Pertamina
    few = [drafts[0], drafts[1], next(d for d in drafts if REUSE_TERM.source in d.body_html)]
    return memory_reuse(few, model_dir=shared_tiny_model, tmp=tmp_path_factory.mktemp("reuse"))


def test_a_one_paragraph_edit_retranslates_no_more_than_the_edited_paragraphs(reuse):
    edit = reuse["edit"]
    assert isinstance(edit, dict)
    assert edit["segments_retranslated"] == edit["segments_changed"] > 0
    assert edit["segments_retranslated"] <= edit["segments_in_edited_paragraphs"]
    assert edit["target_met"] is True
    assert edit["segments_reused"] == edit["segments"] - edit["segments_retranslated"]


def test_flagged_sentences_are_the_ones_reused(reuse):
    full, edit = reuse["full"], reuse["edit"]
    assert isinstance(full, dict)
    assert isinstance(edit, dict)
    # the random-weight model's every sentence is flagged, and still reused
    assert full["segments_flagged"] == full["segments_translated"] > 0
    assert edit["segments_reused_flagged"] == edit["segments_reused"] > 0


def test_a_new_glossary_term_retranslates_exactly_the_sentences_containing_it(reuse):
    glossary = reuse["glossary"]
    assert isinstance(glossary, dict)
    assert glossary["sentences_with_term"] > 0
    assert glossary["segments_retranslated"] == glossary["sentences_with_term"]
    assert glossary["retranslated_without_term"] == 0
    assert glossary["equal"] is True


def test_the_reuse_section_is_listed_and_rendered(reuse):
    assert parse_sections("reuse") == ("reuse",)
    report = Report(BenchConfig.preset(quick=True), sections={"reuse": reuse})
    rendered = rows(report)
    assert [r[1] for r in rendered] == [
        "one-paragraph edit: re-translated",
        "glossary term added: re-translated",
    ]
