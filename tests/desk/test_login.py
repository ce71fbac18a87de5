"""Logging in and out of the desk: cookies, wrong passwords and rate limits in words, CSRF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.desk.conftest import EDITOR, PASSWORD, csrf_of, log_in

from warta.domain import Site
from warta.integrations import Integrations


def test_the_login_page_speaks_indonesian_by_default_and_english_when_asked(
    client: TestClient,
) -> None:
    page = client.get("/desk/login")
    assert page.status_code == 200
    assert '<html lang="id"' in page.text
    assert "Masuk ke meja redaksi" in page.text
    english = client.get("/desk/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en"' in english.text
    assert "Log in to the review desk" in english.text
    chosen = client.get("/desk/login?lang=en")
    assert "Log in to the review desk" in chosen.text
    assert "warta_desk_lang=en" in chosen.headers["set-cookie"]
    remembered = client.get("/desk/login")  # the cookie now chooses English
    assert "Log in to the review desk" in remembered.text


def test_login_sets_httponly_strict_cookies_scoped_to_the_desk(
    client: TestClient, accounts: None
) -> None:
    response = client.post(
        "/desk/login", data={"site": "kabar", "email": EDITOR.upper(), "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/desk/"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("warta_desk_session="))
    csrf = next(c for c in cookies if c.startswith("warta_desk_csrf="))
    for cookie in (session, csrf):
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/desk" in cookie
    queue = client.get("/desk/")
    assert queue.status_code == 200
    assert EDITOR in queue.text
    assert "Selamat datang" in queue.text  # the flash message, shown once
    assert "Selamat datang" not in client.get("/desk/").text


@pytest.mark.parametrize(
    ("slug", "password"),
    [("kabar", "salah-sandi-sekali"), ("warta-lain", PASSWORD), ("tidak-ada", PASSWORD)],
)
def test_a_wrong_password_site_or_account_is_said_in_words_without_saying_which(
    client: TestClient, accounts: None, other_site: Site, slug: str, password: str
) -> None:
    response = client.post(
        "/desk/login?lang=en", data={"site": slug, "email": EDITOR, "password": password}
    )
    assert response.status_code == 401
    assert "The site, email or password is wrong." in response.text
    assert f'value="{EDITOR}"' in response.text  # the form keeps what was typed ...
    assert password not in response.text  # ... but never the password
    assert "warta_desk_session" not in response.headers.get("set-cookie", "")


def test_too_many_attempts_are_refused_with_the_wait_in_words(
    client: TestClient, accounts: None, integrations: Integrations
) -> None:
    burst = integrations.limits.login_burst
    for _ in range(burst):
        client.post("/desk/login", data={"site": "kabar", "email": EDITOR, "password": "salah"})
    response = client.post(
        "/desk/login", data={"site": "kabar", "email": EDITOR, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk untuk akun ini. Tunggu" in response.text
    assert "warta_desk_session" not in response.headers.get("set-cookie", "")


def test_pages_need_a_login_and_come_back_to_the_page_asked_for(
    client: TestClient, accounts: None
) -> None:
    response = client.get("/desk/glossary")
    assert response.status_code == 303
    assert response.headers["location"] == "/desk/login?next=%2Fdesk%2Fglossary"
    form = client.get(response.headers["location"])
    assert 'name="next" value="/desk/glossary"' in form.text
    back = client.post(
        "/desk/login",
        data={"site": "kabar", "email": EDITOR, "password": PASSWORD, "next": "/desk/glossary"},
    )
    assert back.headers["location"] == "/desk/glossary"


def test_login_never_redirects_off_the_desk(client: TestClient, accounts: None) -> None:
    response = client.post(
        "/desk/login",
        data={"site": "kabar", "email": EDITOR, "password": PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["location"] == "/desk/"


def test_logout_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, accounts: None
) -> None:
    csrf = log_in(client)
    refused = client.post("/desk/logout", data={})
    assert refused.status_code == 403
    assert client.get("/desk/").status_code == 200  # still logged in
    done = client.post("/desk/logout", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert done.headers["location"] == "/desk/login"
    assert client.get("/desk/").status_code == 303  # to the login page


def test_an_ended_session_cookie_is_refused_even_when_sent_again(
    client: TestClient, accounts: None
) -> None:
    csrf = log_in(client)
    token = client.cookies.get("warta_desk_session")
    client.post("/desk/logout", data={"csrf_token": csrf})
    client.cookies.set("warta_desk_session", token or "", path="/desk")
    assert client.get("/desk/").status_code == 303


def test_the_login_form_carries_no_csrf_token_and_the_pages_after_it_do(
    client: TestClient, accounts: None
) -> None:
    assert 'name="csrf_token"' not in client.get("/desk/login").text
    csrf = log_in(client)
    assert csrf == csrf_of(client.get("/desk/settings").text)
    assert f'<meta name="csrf-token" content="{csrf}">' in client.get("/desk/").text


def test_desk_pages_are_private_and_locked_down(client: TestClient, accounts: None) -> None:
    log_in(client)
    page = client.get("/desk/")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert client.get("/desk").headers["location"] == "/desk/"
