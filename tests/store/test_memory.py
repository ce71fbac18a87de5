from __future__ import annotations

from dataclasses import replace

import pytest
from tests.dbfixtures import FakeClock, make_draft, make_edition

from warta.domain import MemoryEntry, SegmentOrigin, SegmentTranslation, Site
from warta.errors import FieldError, NotFoundError
from warta.languages import Lang
from warta.store.repository import Store

SENTENCE = "Presiden meresmikan <b>jembatan</b> baru di Surabaya."


def engine_entry(target_html: str, source_html: str = SENTENCE) -> MemoryEntry:
    return MemoryEntry(
        source_html=source_html,
        target_html=target_html,
        origin=SegmentOrigin.ENGINE,
        provenance_key="k1",
    )


def human_entry(target_html: str, source_html: str = SENTENCE) -> MemoryEntry:
    return MemoryEntry(source_html=source_html, target_html=target_html, origin=SegmentOrigin.HUMAN)


def test_exact_match_is_found_per_site_and_language_pair(store: Store, site: Site) -> None:
    other = store.create_site(slug="lain", name="Lain")
    store.remember(
        site_id=site.id,
        source=Lang.ID,
        target=Lang.EN,
        entries=[engine_entry("The president opened a new <b>bridge</b> in Surabaya.")],
    )

    found = store.lookup_memory(
        site_id=site.id, source=Lang.ID, target=Lang.EN, sources=[SENTENCE, "Kalimat lain."]
    )
    assert found == {
        SENTENCE: engine_entry("The president opened a new <b>bridge</b> in Surabaya.")
    }
    assert (
        store.lookup_memory(site_id=site.id, source=Lang.ID, target=Lang.FR, sources=[SENTENCE])
        == {}
    )
    assert (
        store.lookup_memory(site_id=other.id, source=Lang.ID, target=Lang.EN, sources=[SENTENCE])
        == {}
    )
    assert (
        store.lookup_memory(
            site_id=site.id, source=Lang.ID, target=Lang.EN, sources=[SENTENCE.lower()]
        )
        == {}
    )


def test_human_correction_beats_engine_translation_even_when_older(
    store: Store, site: Site, clock: FakeClock
) -> None:
    store.remember(
        site_id=site.id,
        source=Lang.ID,
        target=Lang.EN,
        entries=[human_entry("The President inaugurated a new bridge.")],
    )
    clock.advance(3600)
    store.remember(
        site_id=site.id,
        source=Lang.ID,
        target=Lang.EN,
        entries=[engine_entry("President opened bridge.")],
    )

    found = store.lookup_memory(site_id=site.id, source=Lang.ID, target=Lang.EN, sources=[SENTENCE])
    assert found[SENTENCE].origin is SegmentOrigin.HUMAN
    assert found[SENTENCE].target_html == "The President inaugurated a new bridge."


def test_remembering_the_same_sentence_again_replaces_the_entry_of_that_origin(
    store: Store, site: Site
) -> None:
    store.remember(
        site_id=site.id, source=Lang.ID, target=Lang.ZH, entries=[engine_entry("总统为新桥揭幕。")]
    )
    store.remember(
        site_id=site.id,
        source=Lang.ID,
        target=Lang.ZH,
        entries=[
            engine_entry("总统在泗水为一座新桥揭幕。"),
            engine_entry("总统在泗水为新<b>桥</b>揭幕。"),
        ],
    )

    found = store.lookup_memory(site_id=site.id, source=Lang.ID, target=Lang.ZH, sources=[SENTENCE])
    assert found[SENTENCE].target_html == "总统在泗水为新<b>桥</b>揭幕。"  # the last one given wins


def test_many_sentences_are_looked_up_at_once(store: Store, site: Site) -> None:
    sources = [f"Kalimat nomor {i}." for i in range(1000)]
    store.remember(
        site_id=site.id,
        source=Lang.ID,
        target=Lang.JA,
        entries=[engine_entry(f"文番号{i}。", source_html=s) for i, s in enumerate(sources)],
    )
    found = store.lookup_memory(site_id=site.id, source=Lang.ID, target=Lang.JA, sources=sources)
    assert len(found) == 1000
    assert found["Kalimat nomor 999."].target_html == "文番号999。"


def test_arabic_and_cjk_entries_round_trip(store: Store, site: Site) -> None:
    for lang, text in [
        (Lang.AR, "افتتح الرئيس جسراً جديداً."),
        (Lang.JA, "大統領が新しい橋を開通させた。"),
    ]:
        store.remember(site_id=site.id, source=Lang.ID, target=lang, entries=[human_entry(text)])
        found = store.lookup_memory(
            site_id=site.id, source=Lang.ID, target=lang, sources=[SENTENCE]
        )
        assert found[SENTENCE].target_html == text


def test_only_engine_and_human_translations_are_remembered(store: Store, site: Site) -> None:
    reused = MemoryEntry(source_html=SENTENCE, target_html="x", origin=SegmentOrigin.MEMORY)
    with pytest.raises(FieldError):
        store.remember(site_id=site.id, source=Lang.ID, target=Lang.EN, entries=[reused])
    with pytest.raises(NotFoundError):
        store.remember(site_id=404, source=Lang.ID, target=Lang.EN, entries=[engine_entry("x")])


def test_an_engine_entry_keeps_the_keys_it_was_made_under_and_its_doubts(
    store: Store, site: Site
) -> None:
    flagged = MemoryEntry(
        source_html=SENTENCE,
        target_html="President opened bridge.",
        origin=SegmentOrigin.ENGINE,
        provenance_key="p1",
        engine_key="e1",
        glossary_key="g1",
        flags=("truncated", "low_quality"),
        score=-1.25,
        quality=0.125,
    )
    store.remember(site_id=site.id, source=Lang.ID, target=Lang.EN, entries=[flagged])
    found = store.lookup_memory(site_id=site.id, source=Lang.ID, target=Lang.EN, sources=[SENTENCE])
    assert found[SENTENCE] == flagged

    # made again under other keys (a new glossary term, say): the entry is replaced, keys and all
    again = replace(
        flagged, target_html="The president opened a bridge.", glossary_key="g2", flags=(),
        score=-0.5, quality=0.75, provenance_key="p2",
    )  # fmt: skip
    store.remember(site_id=site.id, source=Lang.ID, target=Lang.EN, entries=[again])
    found = store.lookup_memory(site_id=site.id, source=Lang.ID, target=Lang.EN, sources=[SENTENCE])
    assert found[SENTENCE] == again


# --- corrections of the revision before ---------------------------------------------------------


def _segments(*pairs: tuple[str, SegmentOrigin]) -> tuple[SegmentTranslation, ...]:
    return tuple(
        SegmentTranslation(
            index=i, block=0, source_html=source, target_html=f"[en] {source}", origin=origin
        )
        for i, (source, origin) in enumerate(pairs)
    )


def test_corrections_before_gives_the_previous_editions_segments_when_it_holds_a_correction(
    store: Store, site: Site
) -> None:
    first = store.save_article(make_draft(), targets=[Lang.EN, Lang.AR])
    corrected = _segments(
        ("Hujan deras sejak pagi.", SegmentOrigin.HUMAN),
        ("Ribuan warga mengungsi.", SegmentOrigin.ENGINE),
    )
    store.save_edition(make_edition(first.revision.id, Lang.EN, segments=corrected))
    store.save_edition(make_edition(first.revision.id, Lang.AR))  # machine only
    second = store.save_article(
        make_draft(body_html="<p>Hujan deras sejak subuh. Ribuan warga mengungsi.</p>"),
        targets=[Lang.EN, Lang.AR],
    )

    found = store.corrections_before([second.revision.id, first.revision.id], lang=Lang.EN)

    assert list(found) == [second.revision.id]  # the first revision has none before it
    assert [(s.source_html, s.origin) for s in found[second.revision.id]] == [
        ("Hujan deras sejak pagi.", SegmentOrigin.HUMAN),
        ("Ribuan warga mengungsi.", SegmentOrigin.ENGINE),
    ]
    assert store.corrections_before([second.revision.id], lang=Lang.AR) == {}
    assert store.corrections_before([], lang=Lang.EN) == {}


def test_corrections_before_skips_a_revision_that_was_never_translated(
    store: Store, site: Site
) -> None:
    first = store.save_article(make_draft(), targets=[Lang.EN])
    store.save_edition(
        make_edition(
            first.revision.id,
            Lang.EN,
            segments=_segments(("Hujan deras sejak pagi.", SegmentOrigin.HUMAN)),
        )
    )
    store.save_article(make_draft(body_html="<p>Hujan deras.</p>"), targets=[Lang.EN])  # pending
    third = store.save_article(make_draft(body_html="<p>Hujan reda.</p>"), targets=[Lang.EN])

    found = store.corrections_before([third.revision.id], lang=Lang.EN)

    assert [s.source_html for s in found[third.revision.id]] == ["Hujan deras sejak pagi."]
