"""GET /api/v1/jobs (the key's site only) and POST /api/v1/jobs/{id}/retry."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.dbfixtures import make_draft

from warta.domain import EditionStatus, JobErrorKind, JobStatus, Site
from warta.languages import Lang
from warta.services import Services


def dead_letter(services: Services, *, site: str, external_id: str) -> int:
    """Store an article (one English edition) and fail its job for good; its id."""
    [job] = services.store.save_article(make_draft(external_id, site=site), targets=(Lang.EN,)).jobs
    [held] = services.queue.claim(worker="w", limit=1, lease_seconds=30, lang=Lang.EN)
    assert held.id == job.id
    services.queue.fail(
        job.id, worker="w", error="MarkupError: unreadable", kind=JobErrorKind.PERMANENT
    )
    return job.id


def test_failed_jobs_are_listed_for_the_keys_site_only_with_the_reason(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    site: Site,
    other_site: Site,
    other_key: dict[str, str],
) -> None:
    mine = dead_letter(services, site=site.slug, external_id="a")
    theirs = dead_letter(services, site=other_site.slug, external_id="b")

    response = client.get("/api/v1/jobs?state=failed", headers=auth)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "failed"
    [job] = body["jobs"]
    assert (job["id"], job["lang"], job["status"], job["attempts"]) == (mine, "en", "failed", 1)
    assert (job["error_kind"], job["last_error"], job["priority"]) == (
        "permanent",
        "MarkupError: unreadable",
        "news",
    )
    assert [j["id"] for j in client.get("/api/v1/jobs", headers=other_key).json()["jobs"]] == [
        theirs
    ]
    assert client.get("/api/v1/jobs?state=queued", headers=auth).json()["jobs"] == []


def test_retry_queues_the_failed_job_again_and_its_edition_shows_it(
    client: TestClient, auth: dict[str, str], services: Services, site: Site
) -> None:
    job_id = dead_letter(services, site=site.slug, external_id="a")

    response = client.post(f"/api/v1/jobs/{job_id}/retry", headers=auth)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["queued"] is True
    assert (body["job"]["status"], body["job"]["attempts"], body["job"]["error_kind"]) == (
        "queued",
        0,
        "",
    )
    job = services.queue.get(job_id)
    edition = services.store.get_edition(revision_id=job.revision_id, lang=Lang.EN)
    assert (job.status, edition.status) == (JobStatus.QUEUED, EditionStatus.PENDING)
    assert [
        j["id"] for j in client.get("/api/v1/jobs?state=queued", headers=auth).json()["jobs"]
    ] == [job_id]
    # it is not failed any more: retrying it again is a conflict
    assert client.post(f"/api/v1/jobs/{job_id}/retry", headers=auth).status_code == 409


def test_retry_of_another_sites_or_an_unknown_job_is_404(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    site: Site,
    other_site: Site,
) -> None:
    theirs = dead_letter(services, site=other_site.slug, external_id="b")

    assert client.post(f"/api/v1/jobs/{theirs}/retry", headers=auth).status_code == 404
    assert client.post("/api/v1/jobs/999999/retry", headers=auth).status_code == 404
    assert services.queue.get(theirs).status is JobStatus.FAILED


def test_jobs_need_a_key_and_a_known_state(client: TestClient, auth: dict[str, str]) -> None:
    assert client.get("/api/v1/jobs").status_code == 401
    assert client.get("/api/v1/jobs?state=done-ish", headers=auth).status_code == 422
    assert client.get("/api/v1/jobs?stat=failed", headers=auth).status_code == 422
