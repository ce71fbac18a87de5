from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warta.store.versions import Version
from warta.web.cache import Page, PageCache, http_date

WHEN = datetime(2025, 3, 10, 8, 0, 30, 123456, tzinfo=UTC)


def page(text: str = "<p>hi</p>") -> Page:
    return Page.of(text.encode(), media_type="text/html", last_modified=WHEN)


def test_a_page_is_served_while_its_version_holds_and_dropped_when_it_changes() -> None:
    cache = PageCache()
    key = ("http://a", "demo", "en", "/en/")
    v1, v2 = Version("one", WHEN), Version("two", WHEN)
    cache.put(key, v1, page())
    assert cache.get(key, v1) == page()
    assert cache.get(key, v2) is None
    assert cache.get(key, v1) is None  # the stale page is gone, not kept beside the new version
    assert cache.stats().hits == 1
    assert cache.stats().misses == 2


def test_keys_keep_sites_and_languages_apart() -> None:
    cache = PageCache()
    version = Version("v", None)
    cache.put(("h", "demo", "en", "/en/"), version, page("en"))
    assert cache.get(("h", "other", "en", "/en/"), version) is None
    assert cache.get(("h", "demo", "fr", "/en/"), version) is None


def test_the_least_recently_used_page_goes_first() -> None:
    cache = PageCache(max_entries=2)
    version = Version("v", None)
    a, b, c = (("h", "s", "id", p) for p in ("/a", "/b", "/c"))
    cache.put(a, version, page("a"))
    cache.put(b, version, page("b"))
    assert cache.get(a, version) is not None  # a is now the most recent
    cache.put(c, version, page("c"))
    assert cache.get(b, version) is None
    assert cache.get(a, version) is not None
    assert cache.stats().entries == 2
    with pytest.raises(ValueError, match="at least one"):
        PageCache(max_entries=0)


def test_conditional_requests() -> None:
    p = page()
    assert p.etag.startswith('"')
    assert p.etag.endswith('"')
    assert p.validators() == {"ETag": p.etag, "Last-Modified": "Mon, 10 Mar 2025 08:00:30 GMT"}
    assert p.not_modified(if_none_match=p.etag, if_modified_since=None)
    assert p.not_modified(if_none_match=f'"other", W/{p.etag}', if_modified_since=None)
    assert p.not_modified(if_none_match="*", if_modified_since=None)
    assert not p.not_modified(if_none_match='"other"', if_modified_since=None)
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert not p.not_modified(if_none_match='"other"', if_modified_since=http_date(WHEN))
    assert p.not_modified(if_none_match=None, if_modified_since=http_date(WHEN))
    assert not p.not_modified(if_none_match=None, if_modified_since="Sun, 09 Mar 2025 08:00:00 GMT")
    assert not p.not_modified(if_none_match=None, if_modified_since="yesterday")
    assert not p.not_modified(if_none_match=None, if_modified_since=None)


def test_versions_combine() -> None:
    a, b = Version("a", WHEN), Version("b", None)
    assert (a + b).token != (b + a).token
    assert (a + b).last_modified == WHEN
    assert (b + b).last_modified is None
