from __future__ import annotations

import httpx
import pytest
from tests.integrations.servers import Document, Site, serving

from warta.errors import FieldError
from warta.integrations.outbound import (
    BlockedDestinationError,
    OutboundPolicy,
    ResponseTooLargeError,
    check_url,
    is_public_host,
    make_client,
    read_limited,
)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://portal.example/hook",
        "javascript:alert(1)",
        "/relative/path",
        "https://",
        "https://portal .example/hook",
    ],
)
def test_check_url_refuses_what_is_not_an_absolute_http_url(url: str) -> None:
    with pytest.raises(FieldError) as err:
        check_url(url, field="url")
    assert err.value.context["field"] == "url"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10", "169.254.169.254", "::1"]
)
def test_loopback_private_and_link_local_hosts_are_not_public(host: str) -> None:
    assert not is_public_host(host)


def test_a_client_that_may_not_call_private_networks_refuses_loopback() -> None:
    site = Site(documents={"/feed": Document(b"<rss/>", "application/rss+xml")})
    with (
        serving(site),
        make_client(OutboundPolicy(), follow_redirects=True) as client,
        pytest.raises(BlockedDestinationError),
    ):
        client.get(site.url("/feed"))
    assert site.served == {}


def test_read_limited_refuses_a_body_over_the_cap() -> None:
    site = Site(documents={"/big": Document(b"x" * 5000, "text/plain")})
    policy = OutboundPolicy(allow_private_networks=True)
    with serving(site), make_client(policy, follow_redirects=False) as client:
        with (
            client.stream("GET", site.url("/big")) as response,
            pytest.raises(ResponseTooLargeError),
        ):
            read_limited(response, max_bytes=1000)
        with client.stream("GET", site.url("/big")) as response:
            assert read_limited(response, max_bytes=5000) == b"x" * 5000


def test_client_has_the_policy_timeouts() -> None:
    policy = OutboundPolicy(timeout_seconds=7.0, connect_timeout_seconds=3.0)
    with make_client(policy, follow_redirects=False) as client:
        assert client.timeout == httpx.Timeout(7.0, connect=3.0)
