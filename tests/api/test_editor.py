"""Editors on the login session: login, CSRF on writes, review, correct, approve -> published."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.dbfixtures import FakeClock
from tests.integrations.fixtures import article_payload, translate_queued

from warta.domain import Edition, EditionStatus, PublishingPolicy, SegmentOrigin, Site
from warta.ingest.sanitize import sanitize_html
from warta.integrations import Integrations
from warta.languages import Lang
from warta.services import Services
from warta.store.audit import AuditStore

PASSWORD = "kopi-tubruk-pagi"  # noqa: S105 -- a test account's password
EDITION = "/api/v1/editor/articles/berita-0/editions/en"


@pytest.fixture
def editor(integrations: Integrations, site: Site) -> str:
    return integrations.accounts.create(
        site=site.slug, email="Redaksi@Kabar.example", password=PASSWORD
    ).email


@pytest.fixture
def translated(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> None:
    assert client.post("/api/v1/articles", json=article_payload(0), headers=auth).status_code == 201
    translate_queued(services, integrations)


def _login(client: TestClient, *, site: str = "kabar", password: str = PASSWORD) -> str:
    response = client.post(
        "/api/v1/editor/login",
        json={"site": site, "email": "redaksi@kabar.example", "password": password},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def test_login_sets_an_httponly_strict_cookie_and_returns_the_csrf_token(
    client: TestClient, editor: str, clock: FakeClock
) -> None:
    response = client.post(
        "/api/v1/editor/login",
        json={"site": "kabar", "email": "REDAKSI@kabar.example", "password": PASSWORD},
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("warta_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/api/v1/editor" in cookie
    body = response.json()
    assert body["editor"] == {"site": "kabar", "email": "redaksi@kabar.example"}
    assert len(body["csrf_token"]) > 30


@pytest.mark.parametrize(
    ("site_slug", "password"),
    [("kabar", "salah-sandi-sekali"), ("warta-lain", PASSWORD), ("tidak-ada", PASSWORD)],
)
def test_a_wrong_password_site_or_account_is_401_without_saying_which(
    client: TestClient, editor: str, other_site: Site, site_slug: str, password: str
) -> None:
    response = client.post(
        "/api/v1/editor/login",
        json={"site": site_slug, "email": editor, "password": password},
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "the site, email or password is wrong"
    assert "set-cookie" not in response.headers


def test_editor_endpoints_need_the_session(client: TestClient, translated: None) -> None:
    assert client.get("/api/v1/editor/reviews").status_code == 401
    assert client.get(EDITION).status_code == 401


def test_writes_without_the_csrf_token_are_refused_and_change_nothing(
    client: TestClient, editor: str, translated: None, services: Services, site: Site
) -> None:
    _login(client)
    for headers in ({}, {"X-CSRF-Token": "tebakan"}):
        response = client.put(
            EDITION + "/segments/0", json={"target_html": "Koreksi.", "version": 1}, headers=headers
        )
        assert response.status_code == 403
        assert response.json()["error"]["context"]["field"] == "X-CSRF-Token"
        assert client.post(EDITION + "/approve", headers=headers).status_code == 403
    article = services.store.get_article(site_id=site.id, external_id="berita-0")
    edition = services.store.get_edition(
        revision_id=services.store.get_current_revision(article.id).id, lang=Lang.EN
    )
    assert all(s.origin is not SegmentOrigin.HUMAN for s in edition.segments)


def test_a_correction_is_sanitised_kept_as_human_and_announced(
    client: TestClient,
    editor: str,
    translated: None,
    integrations: Integrations,
    site: Site,
) -> None:
    integrations.webhooks.add(
        site_id=site.id, url="http://127.0.0.1:9/in", secret="s" * 8, events=("edition.updated",)
    )
    csrf = _login(client)
    response = client.put(
        EDITION + "/segments/0",
        json={
            "target_html": "Zulkifli <b>regrets</b> the chaos.<script>alert(1)</script>",
            "version": 1,
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.text
    first = response.json()["segments"][0]
    assert first["target_html"] == "Zulkifli <b>regrets</b> the chaos."
    assert first["origin"] == "human"
    assert "regrets the chaos" in response.json()["title"]  # segment 0 is the headline
    (hook,) = integrations.webhooks.list_for(site_id=site.id)
    (event,) = integrations.webhooks.outbox(webhook_id=hook.id)
    assert event.event == "edition.updated"


def test_approving_publishes_the_edition_until_it_changes(
    client: TestClient,
    auth: dict[str, str],
    editor: str,
    translated: None,
    integrations: Integrations,
    site: Site,
) -> None:
    integrations.webhooks.add(
        site_id=site.id, url="http://127.0.0.1:9/in", secret="s" * 8, events=("edition.published",)
    )
    # under "auto" it would be published without an approval
    integrations.policies.set_policy(
        site_id=site.id, lang=Lang.EN, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    csrf = _login(client)
    approved = client.post(EDITION + "/approve", headers={"X-CSRF-Token": csrf})
    assert approved.status_code == 200, approved.text
    assert approved.json()["published"] is True
    portal_view = client.get("/api/v1/articles/berita-0/editions/en", headers=auth).json()
    assert portal_view["published"] is True
    (hook,) = integrations.webhooks.list_for(site_id=site.id)
    (event,) = integrations.webhooks.outbox(webhook_id=hook.id)
    body = json.loads(event.body)
    assert (body["type"], body["data"]["edition"]["published"]) == ("edition.published", True)

    changed = client.put(
        EDITION + "/segments/0",
        json={"target_html": "Changed.", "version": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 200, changed.text
    after = client.get("/api/v1/articles/berita-0/editions/en", headers=auth).json()
    assert after["published"] is False  # the approved content is no longer what is there


def test_an_edition_that_is_not_translated_cannot_be_approved(
    client: TestClient, auth: dict[str, str], editor: str
) -> None:
    client.post("/api/v1/articles", json=article_payload(0), headers=auth)
    csrf = _login(client)
    response = client.post(EDITION + "/approve", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 409
    assert "not translated yet" in response.json()["error"]["message"]


def test_reviews_list_the_flagged_editions_of_the_editors_site_only(
    client: TestClient,
    auth: dict[str, str],
    other_key: dict[str, str],
    editor: str,
    services: Services,
    site: Site,
    other_site: Site,
) -> None:
    client.post("/api/v1/articles", json=article_payload(0), headers=auth)
    client.post("/api/v1/articles", json=article_payload(1), headers=other_key)
    for site_id, external_id in ((site.id, "berita-0"), (other_site.id, "berita-1")):
        article = services.store.get_article(site_id=site_id, external_id=external_id)
        services.store.mark_editions(
            revision_id=services.store.get_current_revision(article.id).id,
            langs=[Lang.JA],
            status=EditionStatus.NEEDS_REVIEW,
            reason="a number was lost",
        )
    _login(client)
    items = client.get("/api/v1/editor/reviews").json()["items"]
    assert [(i["external_id"], i["lang"], i["reason"]) for i in items] == [
        ("berita-0", "ja", "a number was lost")
    ]
    other = client.get("/api/v1/editor/articles/berita-1/editions/ja")
    assert other.status_code == 404


def test_logout_ends_the_session(client: TestClient, editor: str) -> None:
    csrf = _login(client)
    assert client.get("/api/v1/editor/reviews").status_code == 200
    assert client.post("/api/v1/editor/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/editor/reviews").status_code == 401


def test_a_session_expires(client: TestClient, editor: str, clock: FakeClock) -> None:
    _login(client)
    clock.advance(12 * 3600 + 1)
    assert client.get("/api/v1/editor/reviews").status_code == 401


def test_repeated_failed_logins_are_rate_limited(client: TestClient, editor: str) -> None:
    statuses = [
        client.post(
            "/api/v1/editor/login",
            json={"site": "kabar", "email": editor, "password": "salah-sandi-sekali"},
        ).status_code
        for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]


# --- corrections that are never lost: versions, history, rollback, send back --------------------


def _put(client: TestClient, csrf: str, index: int, **body: object) -> Any:
    return client.put(f"{EDITION}/segments/{index}", json=body, headers={"X-CSRF-Token": csrf})


def test_a_correction_without_the_segment_version_is_422(
    client: TestClient, editor: str, translated: None
) -> None:
    csrf = _login(client)
    response = _put(client, csrf, 1, target_html="Corrected.")
    assert response.status_code == 422
    assert response.json()["error"]["context"]["field"] == "version"


def test_a_stale_correction_is_409_with_the_current_text_and_version(
    client: TestClient, editor: str, translated: None, integrations: Integrations, site: Site
) -> None:
    csrf = _login(client)
    first = _put(client, csrf, 1, target_html="The first editor's sentence.", version=1)
    assert first.status_code == 200, first.text
    assert first.json()["segments"][1]["version"] == 2
    assert first.json()["segments"][1]["edited_by"] == "redaksi@kabar.example"

    stale = _put(client, csrf, 1, target_html="A second opinion.", version=1)

    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict"
    assert error["context"]["current_html"] == "The first editor's sentence."
    assert error["context"]["current_version"] == 2
    audit = AuditStore(integrations.services.db).entries(site_id=site.id)
    assert [(e.action, e.after) for e in audit if e.action.startswith("segment.")] == [
        ("segment.correction_refused", "A second opinion."),
        ("segment.corrected", "The first editor's sentence."),
    ]


def test_an_empty_correction_is_422_and_a_dropped_number_is_a_warning(
    client: TestClient, editor: str, translated: None, services: Services, site: Site
) -> None:
    csrf = _login(client)
    empty = _put(client, csrf, 1, target_html="<b>  </b>", version=1)
    assert empty.status_code == 422
    assert empty.json()["error"]["context"]["field"] == "target_html"
    edition = _edition(services, site)
    numbered = next(s for s in edition.segments if any(c.isdigit() for c in s.source_html))

    response = _put(
        client, csrf, numbered.index, target_html="Without any figure.", version=numbered.version
    )

    assert response.status_code == 200, response.text
    assert "correction_dropped_number" in response.json()["warnings"]
    assert response.json()["status"] == "needs_review"


def test_a_correction_of_a_revision_that_is_no_longer_current_is_409(
    client: TestClient, auth: dict[str, str], editor: str, translated: None
) -> None:
    csrf = _login(client)
    changed = article_payload(0)
    changed["title"] = changed["title"] + " (diperbarui)"
    del changed["external_id"]
    assert client.put("/api/v1/articles/berita-0", json=changed, headers=auth).status_code == 200

    response = _put(client, csrf, 1, target_html="Too late.", version=1, revision=1)

    assert response.status_code == 409
    assert response.json()["error"]["context"]["current_revision"] == 2


def test_history_diff_and_rollback_of_an_edition(
    client: TestClient, editor: str, translated: None, services: Services, site: Site
) -> None:
    csrf = _login(client)
    original = _edition(services, site).segments[1].target_html
    assert (
        _put(client, csrf, 1, target_html="Better & <i>shorter</i>.", version=1).status_code == 200
    )

    history = client.get(EDITION + "/history")
    assert history.status_code == 200
    assert [(i["version"], i["action"], i["actor"]) for i in history.json()["items"]] == [
        (2, "correct", "redaksi@kabar.example"),
        (1, "engine", "worker"),
    ]
    diff = client.get(EDITION + "/history/2")
    assert diff.status_code == 200
    (change,) = diff.json()["changes"]
    assert (change["index"], change["after"]) == (1, "Better &amp; <i>shorter</i>.")
    assert "<ins>Better</ins>" in change["diff_html"]
    assert "&amp;" in change["diff_html"]
    assert "<i>" not in change["diff_html"]
    assert client.get(EDITION + "/history/9").status_code == 404

    rolled = client.post(EDITION + "/rollback", json={"version": 1}, headers={"X-CSRF-Token": csrf})

    assert rolled.status_code == 200, rolled.text
    segment = rolled.json()["segments"][1]
    assert (segment["target_html"], segment["origin"]) == (sanitize_html(original), "human")
    assert client.get(EDITION + "/history").json()["items"][0]["action"] == "rollback"


def test_a_correction_or_rollback_that_publishes_a_rejected_edition_announces_it(
    client: TestClient, editor: str, translated: None, integrations: Integrations, site: Site
) -> None:
    integrations.webhooks.add(
        site_id=site.id, url="http://127.0.0.1:9/in", secret="s" * 8, events=("edition.published",)
    )
    csrf = _login(client)
    headers = {"X-CSRF-Token": csrf}

    def reject() -> None:
        response = client.post(EDITION + "/reject", json={"note": "salah"}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["published"] is False

    def published() -> list[bool]:
        (hook,) = integrations.webhooks.list_for(site_id=site.id)
        return [
            json.loads(e.body)["data"]["edition"]["published"]
            for e in integrations.webhooks.outbox(webhook_id=hook.id)
            if e.event == "edition.published"
        ]

    reject()
    assert published() == []
    corrected = _put(client, csrf, 1, target_html="A better sentence.", version=1)
    assert corrected.status_code == 200, corrected.text
    assert published() == [True]  # the rejected text is gone: published again (auto)
    assert _put(client, csrf, 1, target_html="Better still.", version=2).status_code == 200
    assert published() == [True]  # published already: nothing new to announce

    reject()
    rolled = client.post(EDITION + "/rollback", json={"version": 1}, headers=headers)
    assert rolled.status_code == 200, rolled.text
    assert published() == [True, True]


def test_send_back_queues_a_fresh_job_and_explains_the_edition(
    client: TestClient, editor: str, translated: None, services: Services, site: Site
) -> None:
    csrf = _login(client)
    response = client.post(
        EDITION + "/send-back", json={"note": "istilah salah"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["lang"], job["status"]) == ("en", "queued")
    assert services.queue.get(job["id"]).fresh
    assert _edition(services, site).reason == (
        "sent back for re-translation by redaksi@kabar.example: istilah salah"
    )
    assert client.post(EDITION + "/send-back", json={}).status_code == 403  # no CSRF token


def test_sending_back_while_it_is_translated_answers_the_running_job_marked_fresh(
    client: TestClient, editor: str, translated: None, services: Services, site: Site
) -> None:
    services.newsroom.retranslate(site_id=site.id, external_id="berita-0", langs=[Lang.EN])
    (running,) = services.queue.claim(worker="w", limit=1, lease_seconds=60, lang=Lang.EN)
    csrf = _login(client)

    response = client.post(
        EDITION + "/send-back", json={"note": "istilah salah"}, headers={"X-CSRF-Token": csrf}
    )

    assert response.status_code == 202, response.text
    assert (response.json()["id"], response.json()["status"]) == (running.id, "running")
    assert services.queue.get(running.id).fresh  # recording it queues the fresh job after it


def test_another_sites_edition_history_is_404(
    client: TestClient,
    other_key: dict[str, str],
    editor: str,
    services: Services,
    integrations: Integrations,
) -> None:
    client.post("/api/v1/articles", json=article_payload(1), headers=other_key)
    translate_queued(services, integrations)
    csrf = _login(client)
    other = "/api/v1/editor/articles/berita-1/editions/en"
    assert client.get(other + "/history").status_code == 404
    assert client.get(other + "/history/1").status_code == 404
    headers = {"X-CSRF-Token": csrf}
    assert client.post(other + "/rollback", json={"version": 1}, headers=headers).status_code == 404
    assert client.post(other + "/send-back", json={}, headers=headers).status_code == 404
    put_other = client.put(
        other + "/segments/0", json={"target_html": "x", "version": 1}, headers=headers
    )
    assert put_other.status_code == 404


def _edition(services: Services, site: Site) -> Edition:
    article = services.store.get_article(site_id=site.id, external_id="berita-0")
    return services.store.get_edition(
        revision_id=services.store.get_current_revision(article.id).id, lang=Lang.EN
    )


def test_a_feed_imported_article_is_reached_corrected_and_approved_by_its_feed_id(
    client: TestClient,
    auth: dict[str, str],
    editor: str,
    services: Services,
    integrations: Integrations,
    site: Site,
) -> None:
    from html import escape

    from tests.integrations.fixtures import indosum
    from tests.integrations.servers import Document, serving
    from tests.integrations.servers import Site as WebSite

    from warta.integrations.feeds import feed_external_id

    portal = WebSite()
    row = indosum(0)
    body = "".join(f"<p>{escape(str(p))}</p>" for p in row["paragraphs"][:4])
    with serving(portal):
        link = portal.url("/berita/2025/03/10/zulkifli?utm=rss&id=1")  # '/', '?', '&'
        portal.documents["/rss.xml"] = Document(
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>K'
                f"</title><item><guid>{escape(link)}</guid><title>{escape(str(row['title']))}"
                f"</title><link>{escape(link)}</link>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
            ).encode(),
            "application/rss+xml",
        )
        feed = integrations.feeds.add(site=site.slug, url=portal.url("/rss.xml"))
        with integrations.http_client(follow_redirects=True) as http:
            report = integrations.feed_importer(http).poll(feed)
    external_id = feed_external_id(link)
    assert report.stored == [external_id]
    assert external_id.startswith("feed-")
    assert len(external_id) == len("feed-") + 16
    article = services.store.get_article(site_id=site.id, external_id=external_id)
    assert article.source_url == link
    translate_queued(services, integrations)
    integrations.policies.set_policy(
        site_id=site.id, lang=Lang.EN, policy=PublishingPolicy.APPROVAL, actor="cli"
    )

    assert client.get(f"/api/v1/articles/{external_id}", headers=auth).status_code == 200
    edition = f"/api/v1/editor/articles/{external_id}/editions/en"
    csrf = _login(client)
    corrected = client.put(
        edition + "/segments/0",
        json={"target_html": "Zulkifli regrets the chaos.", "version": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["segments"][0]["origin"] == "human"
    approved = client.post(edition + "/approve", headers={"X-CSRF-Token": csrf})
    assert approved.status_code == 200, approved.text
    assert approved.json()["published"] is True
    view = client.get(f"/api/v1/articles/{external_id}/editions/en", headers=auth).json()
    assert view["published"] is True
    assert view["title"] == "Zulkifli regrets the chaos."
