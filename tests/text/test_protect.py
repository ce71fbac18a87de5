"""Protected items: what is found, and what each becomes in the target language."""

from __future__ import annotations

from pathlib import Path

import sentencepiece as spm

from warta.domain import Glossary, GlossaryTerm
from warta.languages import Lang
from warta.text.protect import find_items
from warta.text.records import ItemKind

TOKENIZER = Path(__file__).parents[2] / "data" / "opus-mt-id-en"


def found(
    text: str, *, glossary: Glossary | None = None, target: Lang = Lang.EN
) -> list[tuple[ItemKind, str, str]]:
    items = find_items(text, glossary=glossary or Glossary.empty(), target=target)
    assert [i.index for i in items] == list(range(len(items)))
    assert all(text[i.start : i.end] == i.source for i in items)
    return [(i.kind, i.source, i.rendering) for i in items]


def test_urls_emails_handles_and_numbers() -> None:
    text = (
        "Lihat https://kompas.com/a_(b). dan www.tempo.co/x, surel redaksi@kompas.co.id, "
        "akun @mikelohan #seminyack, dikutip PageSix.com dan News.com.au; harga 270.000."
    )
    assert found(text) == [
        (ItemKind.URL, "https://kompas.com/a_(b)", "https://kompas.com/a_(b)"),
        (ItemKind.URL, "www.tempo.co/x", "www.tempo.co/x"),
        (ItemKind.EMAIL, "redaksi@kompas.co.id", "redaksi@kompas.co.id"),
        (ItemKind.HANDLE, "@mikelohan", "@mikelohan"),
        (ItemKind.HANDLE, "#seminyack", "#seminyack"),
        (ItemKind.URL, "PageSix.com", "PageSix.com"),
        (ItemKind.URL, "News.com.au", "News.com.au"),
        (ItemKind.NUMBER, "270.000", "270,000"),
    ]


def test_numbers_inside_urls_belong_to_the_url() -> None:
    assert found("Buka https://x.id/2017/03/270.000 sekarang") == [
        (ItemKind.URL, "https://x.id/2017/03/270.000", "https://x.id/2017/03/270.000")
    ]


def test_placeholder_lookalikes_in_the_source_are_protected_verbatim() -> None:
    assert found("Format {0} dan ｛1｝ tetap") == [
        (ItemKind.LITERAL, "{0}", "{0}"),
        (ItemKind.LITERAL, "｛1｝", "｛1｝"),
    ]


GLOSSARY = Glossary(
    version=3,
    terms=(
        GlossaryTerm(
            "Komisi Pemberantasan Korupsi", {Lang.EN: "Corruption Eradication Commission"}
        ),
        GlossaryTerm("Komisi", {Lang.EN: "Commission"}),
        GlossaryTerm("KPK", do_not_translate=True),
        GlossaryTerm("dpr", {Lang.EN: "House of Representatives"}, case_sensitive=False),
        GlossaryTerm("Piala Dunia 2018", {Lang.FR: "Coupe du monde 2018"}),
        GlossaryTerm("Senayan", do_not_translate=True, translations={Lang.EN: "ignored"}),
    ),
)


def test_glossary_terms_longest_first_whole_words() -> None:
    text = (
        "Komisi Pemberantasan Korupsi (KPK) dan Komisi lain; KPKnya bukan; DPR dan Dpr di Senayan."
    )
    assert found(text, glossary=GLOSSARY) == [
        (ItemKind.TERM, "Komisi Pemberantasan Korupsi", "Corruption Eradication Commission"),
        (ItemKind.TERM, "KPK", "KPK"),
        (ItemKind.TERM, "Komisi", "Commission"),
        (ItemKind.TERM, "DPR", "House of Representatives"),
        (ItemKind.TERM, "Dpr", "House of Representatives"),
        (ItemKind.TERM, "Senayan", "Senayan"),  # do_not_translate wins over a translation
    ]


def test_case_sensitive_terms_match_only_their_case() -> None:
    assert found("komisi kecil", glossary=GLOSSARY) == []


def test_term_without_rendering_for_the_target_is_left_to_the_model() -> None:
    text = "Piala Dunia 2018 digelar."
    assert found(text, glossary=GLOSSARY, target=Lang.FR) == [
        (ItemKind.TERM, "Piala Dunia 2018", "Coupe du monde 2018")
    ]
    assert found(text, glossary=GLOSSARY, target=Lang.EN) == [(ItemKind.NUMBER, "2018", "2018")]


def test_placeholders_are_in_vocabulary_pieces_of_the_real_marian_tokenizer() -> None:
    # Why {N}: the opus-mt-id-en SentencePiece models have no <unk> piece for it, and {0}/{1}
    # are single pieces on both sides (they occur in OPUS's software-localisation data).
    source = spm.SentencePieceProcessor(model_file=str(TOKENIZER / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(TOKENIZER / "target.spm"))
    for model in (source, target):
        for text in ("Harga naik {0} persen", "dari {1} ke {12}"):
            assert model.unk_id() not in model.encode(text)
        assert any(p.endswith(("{0}",)) for p in model.encode("naik {0} persen", out_type=str))
    assert source.encode("naik ⟦1⟧ persen").count(source.unk_id()) == 2  # why not brackets
