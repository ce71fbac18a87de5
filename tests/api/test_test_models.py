"""An edition made by a test model (random weights) says so in the API's JSON."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient
from tests.dbfixtures import make_edition
from tests.integrations.fixtures import article_payload

from warta.domain import Site
from warta.languages import Lang
from warta.services import Services


def test_an_edition_of_a_test_model_is_flagged_and_a_real_one_is_not(
    client: TestClient, auth: dict[str, str], services: Services, site: Site
) -> None:
    saved = client.post("/api/v1/articles", json=article_payload(3), headers=auth)
    assert saved.status_code == 201, saved.text
    revision = services.store.get_current_revision(
        services.store.get_article(site_id=site.id, external_id="berita-3").id
    )
    real = make_edition(revision.id, Lang.EN)
    services.store.save_edition(real)
    test = make_edition(revision.id, Lang.FR)
    assert test.provenance is not None
    models = tuple(replace(m, random_weights=True) for m in test.provenance.models)
    services.store.save_edition(replace(test, provenance=replace(test.provenance, models=models)))

    fr = client.get("/api/v1/articles/berita-3/editions/fr", headers=auth).json()
    en = client.get("/api/v1/articles/berita-3/editions/en", headers=auth).json()

    assert fr["test_model"] is True
    assert [m["random_weights"] for m in fr["provenance"]["models"]] == [True]
    assert en["test_model"] is False
    assert [m["random_weights"] for m in en["provenance"]["models"]] == [False]
    # The signature is that of the same model without the flag: jobs stay idempotent.
    assert fr["provenance"]["signature"] == test.provenance.signature()
