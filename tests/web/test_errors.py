"""Failures behind a page answer an error page in the page's language, never a stack trace."""

from __future__ import annotations

import sqlalchemy
from fastapi import FastAPI
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser
from tests.web.sitedata import SampleSite

from warta.integrations import build_integrations
from warta.services import Services


def heading(response_text: str) -> str:
    node = LexborHTMLParser(response_text).css_first("h1")
    assert node is not None
    return node.text().strip()


def test_a_database_failure_answers_a_500_page(
    app: FastAPI, services: Services, sample: SampleSite
) -> None:
    with services.db.begin() as conn:
        conn.execute(sqlalchemy.text("DROP TABLE edition_segments"))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"/fr/{sample.full.id}", follow_redirects=True)
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("text/html")
        assert heading(response.text) == "Une erreur s’est produite"
        assert "Traceback" not in response.text
        assert "edition_segments" not in response.text
        assert response.headers["cache-control"] == "no-store"


def test_an_unexpected_error_answers_a_500_page_and_the_api_stays_json(
    app: FastAPI, services: Services, sample: SampleSite
) -> None:
    # A provenance record no version of warta ever wrote: reading it fails outside WartaError.
    with services.db.begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE editions SET provenance = '{\"broken\": true}'"))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"/ja/{sample.full.id}", follow_redirects=True)
        assert response.status_code == 500
        assert heading(response.text) == "問題が発生しました"
        assert "KeyError" not in response.text
        _, key = build_integrations(services).authenticator.issue(site=sample.site.slug)
        api = client.get("/api/v1/status", headers={"Authorization": f"Bearer {key}"})
        assert api.status_code == 500
        assert api.headers["content-type"] == "application/json"
