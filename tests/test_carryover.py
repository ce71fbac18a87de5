"""Corrections carried onto edited sentences of the next revision (pure alignment)."""

from __future__ import annotations

from dataclasses import replace

from warta.carryover import SOURCE_CHANGED, suggestions
from warta.domain import SegmentOrigin, SegmentTranslation
from warta.pipeline import document_for
from warta.text import SourceDocument

TITLE = "Pemerintah menaikkan tarif ojek daring"
FIRST = "Menteri Perhubungan mengatakan aturan baru akan diumumkan pekan depan."
SECOND = "Para pengemudi menyambut baik keputusan tersebut."
THIRD = "Kebijakan itu berlaku mulai Senin di seluruh Indonesia."


def doc(*sentences: str) -> SourceDocument:
    return document_for(title=TITLE, lead="", body_html="<p>" + " ".join(sentences) + "</p>")


def edition_of(document: SourceDocument, *, corrected: dict[str, str]) -> list[SegmentTranslation]:
    """An edition of ``document``: engine output, with a correction for the sentences given."""
    return [
        SegmentTranslation(
            index=s.index,
            block=s.block,
            source_html=s.html,
            target_html=corrected.get(s.html, f"[en] {s.html}"),
            origin=SegmentOrigin.HUMAN if s.html in corrected else SegmentOrigin.ENGINE,
        )
        for s in document.segments
    ]


def index_of(document: SourceDocument, sentence: str) -> int:
    return next(s.index for s in document.segments if s.html == sentence)


CORRECTION = "The transport minister said new rules will be announced next week."


def test_an_edited_corrected_sentence_gets_the_correction_as_its_suggestion() -> None:
    earlier = edition_of(doc(FIRST, SECOND, THIRD), corrected={FIRST: CORRECTION})
    edited = FIRST.replace("pekan depan", "besok pagi")
    new = doc(edited, SECOND, THIRD)

    assert suggestions(earlier, new) == {index_of(new, edited): CORRECTION}


def test_an_unchanged_corrected_sentence_needs_no_suggestion() -> None:
    earlier = edition_of(doc(FIRST, SECOND, THIRD), corrected={FIRST: CORRECTION})
    new = doc(FIRST, SECOND, THIRD.replace("Senin", "Selasa"))

    assert suggestions(earlier, new) == {}  # translation memory keeps the correction itself


def test_a_corrected_sentence_replaced_by_an_unrelated_one_suggests_nothing() -> None:
    earlier = edition_of(doc(FIRST, SECOND, THIRD), corrected={FIRST: CORRECTION})
    new = doc("Harga beras di pasar tradisional naik tajam.", SECOND, THIRD)

    assert suggestions(earlier, new) == {}


def test_a_deleted_corrected_sentence_suggests_nothing() -> None:
    earlier = edition_of(doc(FIRST, SECOND, THIRD), corrected={FIRST: CORRECTION})
    assert suggestions(earlier, doc(SECOND, THIRD)) == {}


def test_each_correction_goes_to_the_most_similar_edited_sentence_once() -> None:
    second_fix = "Drivers welcomed the decision."
    earlier = edition_of(
        doc(FIRST, SECOND, THIRD), corrected={FIRST: CORRECTION, SECOND: second_fix}
    )
    first_edited = FIRST.replace("pekan depan", "bulan depan")
    second_edited = SECOND.replace("menyambut baik", "menolak")
    new = doc(first_edited, second_edited, THIRD)

    assert suggestions(earlier, new) == {
        index_of(new, first_edited): CORRECTION,
        index_of(new, second_edited): second_fix,
    }


def test_a_suggestion_nobody_acted_on_carries_on_while_its_sentence_is_unchanged() -> None:
    edited = FIRST.replace("pekan depan", "besok pagi")
    middle = doc(edited, SECOND, THIRD)
    earlier = [
        replace(s, flags=(SOURCE_CHANGED,), suggestion_html=CORRECTION)
        if s.source_html == edited
        else s
        for s in edition_of(middle, corrected={})
    ]
    new = doc(edited, SECOND, THIRD.replace("Senin", "Selasa"))

    assert suggestions(earlier, new) == {index_of(new, edited): CORRECTION}
    assert suggestions([], new) == {}
