from __future__ import annotations

import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from warta.ingest.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, sanitize_html

DATA = Path(__file__).resolve().parent / "data"


def _corpus() -> list[str]:
    lines = (DATA / "xss.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


XSS = _corpus()
EXECUTABLE = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "frame",
    "frameset",
    "applet",
    "base",
    "link",
    "meta",
    "form",
    "input",
    "button",
    "template",
    "noscript",
}
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _url_scheme(value: str) -> str | None:
    """The scheme a browser would see: it strips leading C0/space and removes tabs and newlines."""
    cleaned = re.sub(r"[\t\n\r]", "", value).lstrip("".join(chr(c) for c in range(0x21)))
    m = SCHEME.match(cleaned)
    return m.group(1).lower() if m else None


def _assert_inert(fragment: str) -> None:
    doc = LexborHTMLParser(f"<body>{fragment}</body>")
    assert doc.body is not None
    for node in doc.body.traverse(include_text=False):
        tag = node.tag
        if tag in ("body", "-comment"):
            assert tag != "-comment", f"comment survived: {fragment!r}"
            continue
        assert tag not in EXECUTABLE, f"<{tag}> survived: {fragment!r}"
        assert tag in ALLOWED_TAGS, f"<{tag}> is not on the allowlist: {fragment!r}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ALLOWED_ATTRIBUTES["*"]
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), f"event handler {name}: {fragment!r}"
            assert name in allowed or (tag == "a" and name == "rel"), f"{tag}[{name}]: {fragment!r}"
            if name in ("href", "src"):
                scheme = _url_scheme(value or "")
                assert scheme in (None, "http", "https", "mailto"), f"{name}={value!r}"
    lowered = fragment.lower()
    for opener in ("<script", "<svg", "<math", "<iframe", "<style"):
        assert opener not in lowered, f"{opener} in {fragment!r}"


@pytest.mark.parametrize(
    "unsafe",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JAVA\tSCRIPT:alert(1)">x</a>',
        '<img src="data:image/png;base64,AAAA">',
        "<p onclick=x>t</p>",
        "<svg></svg>",
        "<p>&lt;script&gt;</p><script>x</script>",
        "<p><!-- c --></p>",
        '<p style="x">t</p>',
    ],
)
def test_the_inertness_check_itself_catches_unsafe_markup(unsafe: str) -> None:
    with pytest.raises(AssertionError):
        _assert_inert(unsafe)


def test_corpus_is_loaded_and_names_its_sources() -> None:
    header = (DATA / "xss.txt").read_text(encoding="utf-8").splitlines()[:12]
    assert any("OWASP" in line and "XSS Filter Evasion" in line for line in header)
    assert len(XSS) > 150


@pytest.mark.parametrize("vector", XSS)
def test_hostile_vector_leaves_no_executable_markup(vector: str) -> None:
    _assert_inert(sanitize_html(vector))


@pytest.mark.parametrize("vector", XSS)
def test_sanitising_twice_changes_nothing(vector: str) -> None:
    # mutation XSS relies on serialise/re-parse drift; the output must be a fixed point
    once = sanitize_html(vector)
    assert sanitize_html(once) == once


@pytest.mark.parametrize("vector", XSS)
def test_vector_inside_an_article_keeps_the_article_text(vector: str) -> None:
    out = sanitize_html(f"<p>Awal berita.</p>{vector}<p>Akhir berita.</p>")
    _assert_inert(out)
    assert out.startswith("<p>Awal berita.</p>")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # a news body survives unchanged, links gain rel
        (
            '<h2>Sub</h2><p>Kata <a href="https://kompas.com/a" title="K">tautan</a> '
            "<strong>tebal</strong> <em>miring</em> H<sub>2</sub>O x<sup>2</sup></p>",
            f'<h2>Sub</h2><p>Kata <a href="https://kompas.com/a" title="K" rel="{LINK_REL}">tautan'
            "</a> <strong>tebal</strong> <em>miring</em> H<sub>2</sub>O x<sup>2</sup></p>",
        ),
        # figures keep src, alt, width and height
        (
            '<figure><img src="/foto/a.jpg" alt="Foto" width="640" height="480" class="x">'
            "<figcaption>Keterangan</figcaption></figure>",
            '<figure><img src="/foto/a.jpg" alt="Foto" width="640" height="480">'
            "<figcaption>Keterangan</figcaption></figure>",
        ),
        # lists, quotes and tables
        (
            "<ul><li>satu</li></ul><ol><li>dua</li></ol><blockquote><q>kutipan</q></blockquote>"
            '<table><caption>T</caption><tr><th scope="col">a</th><td colspan="2">b</td></tr>'
            "</table>",
            "<ul><li>satu</li></ul><ol><li>dua</li></ol><blockquote><q>kutipan</q></blockquote>"
            '<table><caption>T</caption><tbody><tr><th scope="col">a</th><td colspan="2">b</td>'
            "</tr></tbody></table>",
        ),
        # mailto and relative links are allowed
        (
            '<a href="mailto:redaksi@contoh.id">surel</a><a href="/berita/1">rel</a>',
            f'<a href="mailto:redaksi@contoh.id" rel="{LINK_REL}">surel</a>'
            f'<a href="/berita/1" rel="{LINK_REL}">rel</a>',
        ),
        # unknown elements are unwrapped, their text kept; divs keep blocks apart
        ("<section><div>a</div><div>b</div><font>c</font></section>", "<div>a</div><div>b</div>c"),
        # lang marks a foreign quote; style/class/id go
        (
            '<span lang="en" style="color:red" id="q" class="c">breaking</span>',
            '<span lang="en">breaking</span>',
        ),
        # benign sloppiness is repaired
        ("<p>a<p>b<ul><li>x<li>y</ul>", "<p>a</p><p>b</p><ul><li>x</li><li>y</li></ul>"),
        # text is escaped, never re-read as markup
        ("<p>x &lt; 5 &amp;&amp; y</p>", "<p>x &lt; 5 &amp;&amp; y</p>"),
    ],
)
def test_news_markup_is_kept(html: str, expected: str) -> None:
    assert sanitize_html(html) == expected


def test_script_and_style_content_is_dropped_not_shown() -> None:
    assert sanitize_html("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>") == (
        "<p>a</p><p>b</p>"
    )
