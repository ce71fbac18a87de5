"""No request makes the site answer 5xx: its routes fuzzed with Hypothesis.

Paths are built from the URL scheme (warta.web.urls) and bent: known and unknown language codes,
article ids of 1 to 40 digits (beyond 64 bits) with odd slugs, category-like and arbitrary
segments (NUL, lone surrogates, RTL marks, dot segments), huge and repeated query strings, and
odd conditional and language headers (``If-Modified-Since`` of year 1 or 9999). On SQLite, and
on PostgreSQL when ``WARTA_TEST_DATABASE_URL`` is set, with a published article to hit.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.dbfixtures import backend, clock, db_url, engine, queue, site, store
from tests.integrations.fixtures import (
    app,
    article_payload,
    auth,
    client,
    integrations,
    key,
    services,
    shared_validator,
    targets,
    translate_queued,
)

from warta.integrations import Integrations
from warta.services import Services

__all__ = [
    "app",
    "auth",
    "backend",
    "client",
    "clock",
    "db_url",
    "engine",
    "integrations",
    "key",
    "queue",
    "services",
    "shared_validator",
    "site",
    "store",
    "targets",
]

MAX_EXAMPLES = 300
LANGS = ["id", "en", "zh", "ja", "ar", "fr"]
ODD = ["", " ", ".", "..", "\x00", "\ud800", "\u202e", "%", "%00", "a" * 3000, "ID", "zh-Hant"]

text = st.text(max_size=40)
odd_text = st.one_of(text, st.sampled_from(ODD))
digits = st.integers(min_value=1, max_value=40).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)
)
ids = st.one_of(
    digits,
    st.sampled_from(
        ["{id}", "{id}", "1", "0", str(2**63 - 1), str(2**63), str(2**64), "9" * 40, "-1", "+1"]
    ),
)
articles = st.builds(
    lambda i, slug: f"{i}-{slug}" if slug is not None else i, ids, st.none() | text
)
segments = st.one_of(
    articles,
    st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True),  # category-like
    st.sampled_from(["rss.xml", "atom.xml", "sitemap.xml", "news-sitemap.xml", "robots.txt"]),
    odd_text,
)
langs = st.one_of(st.sampled_from(LANGS), odd_text)
paths = st.one_of(
    st.builds(
        lambda lang, seg, slash: f"/{lang}/{seg}{slash}",
        langs,
        segments,
        st.sampled_from(["", "/"]),
    ),
    st.builds(lambda lang: f"/{lang}", langs),
    st.builds(lambda lang: f"/{lang}/", langs),
    st.builds(lambda a, b, c: f"/{a}/{b}/{c}", langs, segments, odd_text),
    st.sampled_from(["/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt"]),
)
query_values = st.one_of(
    text,
    ids,
    st.sampled_from(["0", "-1", "1e9", "10001", str(2**64), "9" * 5000, "a" * 20_000, "\x00", ""]),
)
queries = st.lists(
    st.tuples(st.one_of(st.sampled_from(["page", "lang", "utm_source"]), text), query_values),
    max_size=5,
)
header_values = st.sampled_from(
    [
        "",
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Sat, 32 Foo 99999 99:99:99 XYZ",
        '"' + "x" * 5000 + '"',
        'W/"abc", *',
        "zz-ZZ;q=2, *;q=-1, en;q=nan",
        ",".join(["en;q=0.1"] * 500),
    ]
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "If-Modified-Since": header_values,
        "If-None-Match": header_values,
        "Accept-Language": header_values,
    },
)


def _url(path: str, query: list[tuple[str, str]]) -> str:
    # percent-encoded as a client must; a lone surrogate goes as its UTF-8-style bytes
    encoded = quote(path.encode("utf-8", "surrogatepass"), safe="/")
    pairs = [
        (k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass")) for k, v in query
    ]
    return encoded + (f"?{urlencode(pairs)}" if pairs else "")


@pytest.fixture
def published(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> int:
    """The id of a translated, published article."""
    assert client.post("/api/v1/articles", json=article_payload(0), headers=auth).status_code == 201
    translate_queued(services, integrations)
    return services.store.get_article(site_id=1, external_id="berita-0").id


def test_no_path_query_or_header_makes_the_site_answer_5xx(
    client: TestClient, published: int
) -> None:
    assert client.get(f"/id/{published}").status_code in (200, 301)

    @given(path=paths, query=queries, sent=headers, head=st.booleans())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def visit(path: str, query: list[tuple[str, str]], sent: dict[str, str], head: bool) -> None:
        url = _url(path.replace("{id}", str(published)), query)
        response = client.request("HEAD" if head else "GET", url, headers=sent)
        assert response.status_code < 500, (url[:300], sent, response.status_code)

    visit()


ODD_URLS = [
    "/id/18446744073709551616-beyond-64-bits",
    "/en/9999999999999999999",
    "/en/99999999999999999999999999999999999999/",
    "/xx/1",
    "/zh-Hant/",
    "/fr/%00",
    "/ar/1-%ED%A0%80",
    "/en/olahraga/?page=18446744073709551616",
]


def test_odd_urls_are_4xx_or_redirects(client: TestClient, published: int) -> None:
    for path in ODD_URLS:
        response = client.get(path, follow_redirects=False)
        assert 300 <= response.status_code < 500, (path, response.status_code)


def test_a_page_number_of_thousands_of_digits_is_404_not_500(
    client: TestClient, published: int
) -> None:
    """Found by the fuzzer: int() refuses over 4,300 digits (ValueError, a 500 before)."""
    response = client.get("/en/olahraga/", params={"page": "9" * 5000})
    assert response.status_code == 404
