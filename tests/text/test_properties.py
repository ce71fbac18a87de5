"""Properties over generated inline HTML, hypotheses and alignments (hypothesis)."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from warta.domain import Glossary
from warta.engines.base import AlignedToken, Hypothesis
from warta.languages import Lang
from warta.text import SourceSegment, analyse, assemble, finish, plain_text, prepare
from warta.text.inline import extract, is_visible, render
from warta.text.protect import PLACEHOLDER
from warta.text.records import ItemKind, Span

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VOID = {"br", "img"}


class _Checker(HTMLParser):
    """Checks that HTML nests properly, has no empty element and no unescaped text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[list[object]] = []  # [tag, has visible text]
        self.tags: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple((k, v or "") for k, v in attrs)))
        if tag not in VOID:
            self.open.append([tag, False])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1][0] if self.open else 'nothing'}")
            return
        _, visible = self.open.pop()
        if not visible:
            self.problems.append(f"empty <{tag}>")

    def handle_data(self, data: str) -> None:
        if is_visible(data):
            for element in self.open:
                element[1] = True

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def check(html: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The (tag, attrs) of ``html``, after asserting it is well-formed."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.problems, (checker.problems, html)
    assert not checker.open, (checker.open, html)
    assert not re.search(r"&(?!(amp|lt|gt|quot|#x27|#\d+);)", html), html
    return checker.tags


def read(fragment: str) -> tuple[str, tuple[Span, ...]]:
    body = LexborHTMLParser(fragment).body
    assert body is not None
    return extract(list(body.iter(include_text=True)))


WORDS = ["harga", "beras", "naik", "Jokowi", "dia", "kata", "Jakarta", "pasar", "warga", "baru"]
ATOMS = [
    *WORDS,
    "2,5",
    "270.000",
    "2017",
    "27/3/2017",
    "https://x.id/a?b=1",
    "a@b.id",
    "{1}",
    "dia,",
    "(KPK)",
]
ATTRS = [
    "",
    ' href="https://x.id/?a=1&amp;b=2"',
    ' class="n" title="kata &quot;dia&quot;"',
    " data-x",
    ' href="/berita/1"',
]
TAGS = ["a", "b", "strong", "i", "em", "u", "q", "sub", "sup", "code", "span"]


@st.composite
def inline_html(draw: st.DrawFn, depth: int = 0) -> str:
    """Inline HTML whose markup falls on word boundaries (words, numbers, URLs, tags, br, img)."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(
            st.sampled_from(["atom", "atom", "element", "br", "img"] if depth < 3 else ["atom"])
        )
        if choice == "atom":
            parts.append(draw(st.sampled_from(ATOMS)))
        elif choice == "element":
            tag = draw(st.sampled_from(TAGS))
            parts.append(
                f"<{tag}{draw(st.sampled_from(ATTRS))}>{draw(inline_html(depth + 1))}</{tag}>"
            )
        elif choice == "br":
            parts.append("<br>")
        else:
            parts.append(f'<img src="p{draw(st.integers(0, 9))}.jpg">')
    return " ".join(parts)


MESSY = [
    "<b>", "</b>", "<i>", "</i>", "<a href='x&y'>", "</a>", "<br>", "<img src=q>", "<p>", "</p>",
    "<li>", "<div>", "</div>", "<small>", "</small>", "<span class=s>", "</span>",
    "<script>x<y</script>",
    "kata", "Dia", ".", " ", "  ", "\n", "\xa0", "&amp;", "&", "<", ">", "&lt;", "“", "\"", "{0}",
    "<!-- c -->", "<code>", "</code>", "<h2>", "</h2>", "<figure><img src=f><figcaption>", "Rp 2,5",
]  # fmt: skip
messy_html = st.lists(st.sampled_from(MESSY), max_size=25).map("".join)


@SETTINGS
@given(messy_html)
def test_render_of_extract_is_a_fixpoint(fragment: str) -> None:
    text, spans = read(fragment)
    html = render(text, spans)
    check(html)
    assert read(html) == (text, spans)
    assert render(*read(html)) == html


def identity_alignment(text: str) -> tuple[AlignedToken, ...]:
    """What a model that copies its input would align: every subword-like token to itself."""
    return tuple(
        AlignedToken(m.start(), m.end(), m.start(), m.end())
        for m in re.finditer(r"\w+|[^\w\s]", text)
    )


@SETTINGS
@given(inline_html())
def test_identity_hypothesis_reproduces_the_source_html(fragment: str) -> None:
    text, spans = read(fragment)
    assume(is_visible(text))
    segment = SourceSegment(index=0, block=0, html=render(text, spans), text=text, spans=spans)
    prepared = prepare(segment, target=Lang.ID, glossary=Glossary.empty())
    for alignment in (identity_alignment(prepared.model_text), None):
        done = finish(
            prepared, Hypothesis(prepared.model_text, alignment=alignment), target=Lang.ID
        )
        assert done.html == segment.html
        assert done.flags == ()


HYP_WORDS = [
    "the", "price", "rose", "Jokowi", "said", ".", ",", "价格", "上涨", "ジョコ", "السعر",
    "{0}", "{1}", "{2}", "{ 0 }", "｛1｝", "{3", "2}", "{9}", "&", "<b>", "'",
]  # fmt: skip


@st.composite
def hypotheses(draw: st.DrawFn, model_length: int) -> tuple[str, tuple[AlignedToken, ...] | None]:
    words = draw(st.lists(st.sampled_from(HYP_WORDS), min_size=1, max_size=12))
    assume(any(w[0].isalpha() for w in words))
    text = draw(st.sampled_from([" ", ""])).join(words)
    if draw(st.booleans()):
        return text, None
    ints = st.integers(-2, max(len(text), model_length) + 2)
    tokens = draw(st.lists(st.builds(AlignedToken, ints, ints, ints, ints), max_size=20))
    return text, tuple(tokens)


@SETTINGS
@given(inline_html(), st.sampled_from(list(Lang)), st.data())
def test_random_hypotheses_give_well_formed_html_with_the_same_markup(
    fragment: str, target: Lang, data: st.DataObject
) -> None:
    text, spans = read(fragment)
    assume(is_visible(text))
    segment = SourceSegment(index=0, block=0, html=render(text, spans), text=text, spans=spans)
    prepared = prepare(segment, target=target, glossary=Glossary.empty())
    hyp_text, alignment = data.draw(hypotheses(len(prepared.model_text)))
    done = finish(prepared, Hypothesis(hyp_text, alignment=alignment), target=target)
    tags = check(done.html)
    source_tags = check(segment.html)
    if "markup_lost" in done.flags:
        assert Counter(tags) == Counter(t for t in source_tags if t[0] in VOID)
    else:
        assert Counter(tags) == Counter(source_tags)
    if not any(item.kind is ItemKind.LITERAL for item in prepared.items):
        assert not PLACEHOLDER.search(done.text)
        assert not re.search(r"[{｛]\s*\d|\d\s*[}｝]", done.text)
    assert " ".join(plain_text(done.html).split()) == " ".join(done.text.split())


@SETTINGS
@given(messy_html)
def test_analyse_and_assemble_round_trip_any_html(body: str) -> None:
    document = analyse(title="Judul", lead="", body_html=body)  # any HTML reads
    content = assemble(document, [s.html for s in document.segments], target=Lang.ID)
    assert "<!--" not in content.body_html
    again = analyse(title="Judul", lead="", body_html=content.body_html)
    assert [s.html for s in again.segments] == [s.html for s in document.segments]
    assert again.skeleton == document.skeleton
