"""The fake servers themselves: their stand-in translations pass (or, when told, fail) the
language checks the router's quality gate uses."""

from __future__ import annotations

import pytest

from warta.engines.remote import DeepLEngine, OpenAIEngine
from warta.engines.remote.testing import (
    OpenAIBehaviour,
    deepl_server,
    fake_translate,
    openai_server,
)
from warta.languages import TARGET_LANGS, Lang
from warta.quality.checks import check_language, check_untranslated

SOURCE = "Pemerintah kota mengumumkan jadwal baru untuk angkutan umum pada hari Senin."


@pytest.mark.parametrize("target", TARGET_LANGS)
def test_fake_translations_read_as_the_target_script(target: Lang) -> None:
    out = fake_translate(SOURCE, target.value)
    assert check_language(SOURCE, out, target=target) == []
    assert check_untranslated(SOURCE, out, target=target) == []


def test_fake_translations_keep_tags_placeholders_and_entities() -> None:
    text = "Harga <x1>beras</x1> naik {0} &amp; <x2/> turun."
    out = fake_translate(text, "ja")
    assert "<x1>" in out
    assert "</x1>" in out
    assert "{0}" in out
    assert "&amp;" in out
    assert "<x2/>" in out


@pytest.mark.parametrize(
    ("answer", "code"), [("echo", "untranslated"), ("wrong_language", "wrong_script")]
)
def test_an_openai_server_can_answer_badly_on_purpose(answer: str, code: str) -> None:
    with (
        openai_server(OpenAIBehaviour(answer=answer)) as server,
        OpenAIEngine(name="o", url=server.url + "/v1", model="m") as engine,
    ):
        (out,) = engine.translate([SOURCE], source=Lang.ID, target=Lang.JA)
    found = check_language(SOURCE, out.text, target=Lang.JA) + check_untranslated(
        SOURCE, out.text, target=Lang.JA
    )
    assert code in {issue.code for issue in found}


def test_an_html_server_translates_with_the_function_it_is_given() -> None:
    with (
        deepl_server(translate=lambda text, target: f"{target}:{text}") as server,
        DeepLEngine(name="d", url=server.url, key="k") as engine,
    ):
        (out,) = engine.translate(["Halo"], source=Lang.ID, target=Lang.FR)
    assert out.text == "FR:Halo"
