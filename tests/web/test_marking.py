from __future__ import annotations

from warta.domain import SegmentOrigin, SegmentTranslation
from warta.web.marking import mark_doubtful


def seg(
    index: int, target: str, *, flags: tuple[str, ...] = (), block: int = 0
) -> SegmentTranslation:
    return SegmentTranslation(
        index=index,
        block=block,
        source_html="sumber",
        target_html=target,
        origin=SegmentOrigin.ENGINE,
        flags=flags,
    )


BODY = '<p>Heavy rain. <a href="/rain">Rain</a> fell again. Heavy rain.</p><p>Done.</p>'


def test_flagged_sentences_are_wrapped_in_a_span_with_the_explanation() -> None:
    marked = mark_doubtful(
        BODY,
        [seg(0, "Heavy rain."), seg(1, '<a href="/rain">Rain</a> fell again.', flags=("x",))],
        title='Maybe "wrong" <here>',
    )
    assert marked.count == 1
    assert marked.html == (
        '<p>Heavy rain. <span class="doubtful" title="Maybe &quot;wrong&quot; &lt;here&gt;">'
        '<a href="/rain">Rain</a> fell again.</span> Heavy rain.</p><p>Done.</p>'
    )


def test_repeated_sentences_are_matched_in_segment_order() -> None:
    marked = mark_doubtful(
        BODY, [seg(2, "Heavy rain.", flags=("x",)), seg(0, "Heavy rain.")], title="t"
    )
    # segment 2 is the second "Heavy rain.", after the link
    assert marked.html.endswith(
        'fell again. <span class="doubtful" title="t">Heavy rain.</span></p><p>Done.</p>'
    )
    assert marked.count == 1


def test_text_inside_a_tag_is_never_wrapped() -> None:
    body = '<p><a href="/x" title="Rain">Rain</a></p>'
    marked = mark_doubtful(body, [seg(0, "Rain", flags=("x",))], title="t")
    assert (
        marked.html
        == '<p><a href="/x" title="Rain"><span class="doubtful" title="t">Rain</span></a></p>'
    )


def test_sentences_not_found_are_left_alone() -> None:
    marked = mark_doubtful(
        BODY, [seg(0, "Edited away.", flags=("x",)), seg(1, " ", flags=("x",))], title="t"
    )
    assert marked.html == BODY
    assert marked.count == 0


def test_headline_and_lead_segments_are_not_looked_for_in_the_body() -> None:
    # The headline repeats the body's last sentence; it must not move the search past the rest.
    segments = [
        seg(0, "Heavy rain.", block=0),
        seg(1, "Heavy rain.", block=1, flags=("x",)),
        seg(2, "Done.", block=2, flags=("x",)),
    ]
    marked = mark_doubtful("<p>Heavy rain.</p><p>Done.</p>", segments, title="t", first_block=1)
    assert marked.html == (
        '<p><span class="doubtful" title="t">Heavy rain.</span></p>'
        '<p><span class="doubtful" title="t">Done.</span></p>'
    )
