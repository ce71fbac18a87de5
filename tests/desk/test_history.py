"""An edition's history at the desk: every version with who, when, what; diffs; rollback."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.desk.conftest import Stored, log_in

from warta.domain import SegmentOrigin
from warta.languages import Lang
from warta.store.repository import Store

EN = "/desk/articles/berita-1/en"
API = "/desk/api/articles/berita-1/en/segments/"


def correct(client: TestClient, csrf: str, index: int, text: str, version: int) -> None:
    response = client.post(
        API + str(index),
        json={"target_html": text, "version": version},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.text


def test_history_lists_every_version_with_who_what_and_a_diff(
    client: TestClient, accounts: None, article: Stored
) -> None:
    csrf = log_in(client)
    correct(client, csrf, 1, "Heavy rain since dawn.", 1)
    page = client.get(EN + "/history?lang=en")
    assert page.status_code == 200
    versions = re.findall(r'<li class="version" id="v(\d+)">', page.text)
    assert versions == ["2", "1"]  # newest first
    assert "redaksi@kabar.example" in page.text
    assert "corrected" in page.text
    assert "<del>" in page.text
    assert "<ins>" in page.text
    assert "Roll back to version 1" in page.text
    assert "Roll back to version 2" not in page.text  # the current one


def test_rollback_restores_an_earlier_version_as_a_new_one(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    correct(client, csrf, 1, "Heavy rain since dawn.", 1)
    correct(client, csrf, 1, "Rain all morning.", 2)
    response = client.post(EN + "/rollback", data={"csrf_token": csrf, "to_version": "2"})
    assert response.status_code == 303
    assert response.headers["location"] == EN + "/history"
    page = client.get(EN + "/history")
    assert "Dikembalikan ke versi 2." in page.text
    assert re.findall(r'<li class="version" id="v(\d+)">', page.text) == ["4", "3", "2", "1"]
    stored = store.get_edition(revision_id=article.revision.id, lang=Lang.EN)
    assert stored.segments[1].target_html == "Heavy rain since dawn."
    assert stored.segments[1].origin is SegmentOrigin.HUMAN


def test_rollback_needs_the_csrf_token_and_a_known_version(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    correct(client, csrf, 1, "Heavy rain since dawn.", 1)
    refused = client.post(EN + "/rollback", data={"to_version": "1"})
    assert refused.status_code == 403
    assert "Formulir ini kedaluwarsa" in refused.text
    client.post(EN + "/rollback", data={"csrf_token": csrf, "to_version": "abc"})
    assert "is not a whole number" in client.get(EN + "/history").text
    missing = client.post(EN + "/rollback", data={"csrf_token": csrf, "to_version": "99"})
    assert missing.status_code == 303
    assert "version 99" in client.get(EN + "/history").text
    stored = store.get_edition(revision_id=article.revision.id, lang=Lang.EN)
    assert stored.segments[1].target_html == "Heavy rain since dawn."
    assert stored.version == 2
