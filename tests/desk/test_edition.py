"""One edition at the desk: side by side, flags in words, corrections (JSON and form), 409,
CSRF, decisions, send back, another site's article."""

from __future__ import annotations

import dataclasses
import re

from fastapi.testclient import TestClient
from tests.dbfixtures import make_draft
from tests.desk.conftest import ADMIN, Stored, csrf_of, log_in
from tests.store.machine import machine_edition

from warta.domain import EditionStatus, PublishingPolicy, SegmentOrigin, Site
from warta.integrations import Integrations
from warta.languages import Lang
from warta.store.repository import Store

EN = "/desk/articles/berita-1/en"
API = "/desk/api/articles/berita-1/en/segments/"


def test_the_edition_shows_source_and_translation_side_by_side_with_flags_in_words(
    client: TestClient, accounts: None, article: Stored
) -> None:
    log_in(client)
    page = client.get(EN + "?lang=en")
    assert page.status_code == 200
    text = page.text
    assert text.count('<li class="segment') == 4
    assert '<div class="source" lang="id" dir="ltr">Sebanyak 1.200 warga' in text
    assert '<div class="target" lang="en" dir="ltr">[en] Sebanyak 1.200 warga' in text
    assert "The number 1.200 in the Indonesian sentence is missing from the translation." in text
    assert "machine translation" in text
    assert "Published: readers see this edition." in text  # policy auto, the default
    indonesian = client.get(EN + "?lang=id").text
    assert "Angka 1.200 dalam kalimat Indonesia tidak ada dalam terjemahan." in indonesian


def test_the_arabic_column_is_right_to_left(
    client: TestClient, accounts: None, article: Stored
) -> None:
    log_in(client)
    text = client.get("/desk/articles/berita-1/ar").text
    assert '<div class="target" lang="ar" dir="rtl">' in text
    assert 'dir="rtl"' in re.search(r'<textarea id="text-1"[^>]*>', text).group(0)  # type: ignore[union-attr]
    assert '<div class="source" lang="id" dir="ltr">' in text


def test_another_sites_article_and_unknown_languages_are_not_found(
    client: TestClient,
    accounts: None,
    article: Stored,
    integrations: Integrations,
    other_site: Site,
) -> None:
    integrations.accounts.create(site=other_site.slug, email="lain@lain.example", password="x" * 12)
    client.post(
        "/desk/login",
        data={"site": other_site.slug, "email": "lain@lain.example", "password": "x" * 12},
    )
    response = client.get(EN)
    assert response.status_code == 404
    assert "Ini tidak ditemukan di situs Anda." in response.text
    assert "[en]" not in response.text
    assert client.get("/desk/articles/berita-1/de").status_code == 404
    assert client.get("/desk/articles/berita-1/id").status_code == 404
    history = client.get(EN + "/history")
    assert history.status_code == 404


def test_a_correction_saved_by_fetch_answers_the_new_segment(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    response = client.post(
        API + "2",
        json={"target_html": "As many as 1,200 residents fled to the nearest post.", "version": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["segment"]["version"] == 2
    assert body["segment"]["origin"] == "human"
    assert body["segment"]["edited_by"] == "redaksi@kabar.example"
    assert body["segment"]["flags"] == []
    assert body["edition"]["status"] == "translated"
    stored = store.get_edition(revision_id=article.revision.id, lang=Lang.EN)
    assert stored.segments[2].origin is SegmentOrigin.HUMAN
    assert stored.segments[2].target_html == "As many as 1,200 residents fled to the nearest post."


def test_a_stale_correction_is_409_with_the_current_text(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    first = client.post(
        API + "1",
        json={"target_html": "Heavy rain since dawn.", "version": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert first.status_code == 200
    stale = client.post(
        API + "1",
        json={"target_html": "Rain all morning.", "version": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["current_html"] == "Heavy rain since dawn."
    assert error["current_version"] == 2
    assert error["message"].startswith("Orang lain sudah mengubahnya lebih dulu.")
    again = client.post(
        API + "1",
        json={"target_html": "Rain all morning.", "version": 2},
        headers={"X-CSRF-Token": csrf},
    )
    assert again.status_code == 200
    stored = store.get_edition(revision_id=article.revision.id, lang=Lang.EN)
    assert stored.segments[1].target_html == "Rain all morning."


def test_a_correction_without_the_csrf_header_is_403_and_changes_nothing(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    log_in(client)
    response = client.post(API + "1", json={"target_html": "Hacked.", "version": 1})
    assert response.status_code == 403
    assert "Muat ulang halaman" in response.json()["error"]["message"]
    wrong = client.post(
        API + "1", json={"target_html": "Hacked.", "version": 1}, headers={"X-CSRF-Token": "x"}
    )
    assert wrong.status_code == 403
    stored = store.get_edition(revision_id=article.revision.id, lang=Lang.EN)
    assert stored.segments[1].origin is SegmentOrigin.ENGINE


def test_json_errors_are_words_never_500(
    client: TestClient, accounts: None, article: Stored
) -> None:
    csrf = log_in(client)
    headers = {"X-CSRF-Token": csrf}
    empty = client.post(API + "1", json={"target_html": "   ", "version": 1}, headers=headers)
    assert empty.status_code == 400
    assert "the correction is empty" in empty.json()["error"]["message"]
    no_version = client.post(API + "1", json={"target_html": "x"}, headers=headers)
    assert no_version.status_code == 400
    not_json = client.post(API + "1", content=b"{", headers=headers)
    assert not_json.status_code == 400
    out_of_range = client.post(API + "99", json={"target_html": "x", "version": 1}, headers=headers)
    assert 400 <= out_of_range.status_code < 500
    client.cookies.clear()
    logged_out = client.post(API + "1", json={"target_html": "x", "version": 1}, headers=headers)
    assert logged_out.status_code == 401
    assert logged_out.json()["error"]["message"] == "Silakan masuk untuk melanjutkan."


def test_markup_outside_the_allowlist_is_removed_from_a_correction(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    response = client.post(
        API + "1",
        json={
            "target_html": "Heavy <b>rain</b><script>alert(1)</script> "
            "<img src=x onerror=alert(1)>since dawn.",
            "version": 1,
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    stored = store.get_edition(revision_id=article.revision.id, lang=Lang.EN).segments[1]
    assert "<script" not in stored.target_html
    assert "onerror" not in stored.target_html
    page = client.get(EN).text
    assert "<script>alert(1)</script>" not in page


def test_a_correction_that_drops_the_number_is_kept_with_a_warning_in_words(
    client: TestClient, accounts: None, article: Stored
) -> None:
    csrf = log_in(client)
    response = client.post(
        API + "2?lang=en",
        json={"target_html": "Many residents fled to the nearest post.", "version": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    warnings = response.json()["warnings"]
    assert [w["flag"].split(":")[0] for w in warnings] == ["correction_dropped_number"]
    assert "number" in warnings[0]["text"]


def test_the_form_fallback_saves_and_redirects_back_to_the_sentence(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    response = client.post(
        EN + "/segments/1",
        data={"csrf_token": csrf, "version": "1", "target_html": "Heavy rain since dawn."},
    )
    assert response.status_code == 303
    assert response.headers["location"] == EN + "#seg-1"
    page = client.get(EN)
    assert "Koreksi tersimpan." in page.text
    assert "Heavy rain since dawn." in page.text
    assert "dikoreksi editor" in page.text
    stale = client.post(
        EN + "/segments/1",
        data={"csrf_token": csrf, "version": "1", "target_html": "Other text."},
    )
    assert stale.status_code == 303
    assert "Orang lain sudah mengubahnya lebih dulu." in client.get(EN).text
    no_csrf = client.post(EN + "/segments/1", data={"version": "2", "target_html": "x"})
    assert no_csrf.status_code == 403
    assert "Formulir ini kedaluwarsa" in no_csrf.text
    assert store.get_edition(revision_id=article.revision.id, lang=Lang.EN).segments[1].version == 2


def test_approve_under_the_approval_policy_publishes_the_edition(
    client: TestClient,
    accounts: None,
    article: Stored,
    integrations: Integrations,
    site: Site,
    store: Store,
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=Lang.EN, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    article_id = store.get_article(site_id=site.id, external_id="berita-1").id
    public = client.get(f"/en/{article_id}", follow_redirects=True)
    assert "[en] Hujan deras" not in public.text  # held: readers see the original
    csrf = log_in(client)
    held = client.get(EN).text
    assert "Ditahan: kebijakan terbit bahasa ini" in held
    response = client.post(EN + "/approve", data={"csrf_token": csrf})
    assert response.status_code == 303
    page = client.get(EN).text
    assert "Disetujui: pembaca kini melihat edisi ini." in page
    assert "Terbit: pembaca melihat edisi ini." in page
    live = client.get(f"/en/{article_id}", follow_redirects=True)
    assert "[en] Hujan deras" in live.text


def test_approve_without_the_csrf_token_changes_nothing(
    client: TestClient, accounts: None, article: Stored, integrations: Integrations, site: Site
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=Lang.EN, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    log_in(client)
    response = client.post(EN + "/approve", data={})
    assert response.status_code == 403
    assert "Formulir ini kedaluwarsa" in response.text
    assert "Ditahan" in client.get(EN).text


def test_reject_needs_a_note_and_holds_the_edition(
    client: TestClient, accounts: None, article: Stored
) -> None:
    csrf = log_in(client)
    client.post(EN + "/reject", data={"csrf_token": csrf, "note": "  "})
    assert "a rejection needs a note" in client.get(EN).text
    client.post(EN + "/reject", data={"csrf_token": csrf, "note": "Angkanya salah."})
    page = client.get(EN).text
    assert "Ditolak: pembaca tidak melihatnya." in page
    assert "Ditahan: editor menolak terjemahan ini." in page


def test_send_back_queues_a_fresh_translation(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    response = client.post(EN + "/send-back", data={"csrf_token": csrf, "note": "Model baru."})
    assert response.status_code == 303
    page = client.get(EN).text
    assert "Dikembalikan: edisi ini akan diterjemahkan ulang" in page
    reason = "sent back for re-translation by redaksi@kabar.example: Model baru."
    assert store.get_edition(revision_id=article.revision.id, lang=Lang.EN).reason == reason
    assert reason in page


def test_deciding_on_an_untranslated_edition_is_said_in_words(
    client: TestClient, accounts: None, store: Store, site: Site
) -> None:
    store.save_article(make_draft("belum"), targets=(Lang.EN,))
    csrf = log_in(client, ADMIN)
    page = client.get("/desk/articles/belum/en")
    assert page.status_code == 200
    assert "Belum terbit: terjemahannya belum siap." in page.text
    client.post("/desk/articles/belum/en/approve", data={"csrf_token": csrf})
    after = client.get("/desk/articles/belum/en")
    assert "is not translated yet" in after.text
    assert csrf == csrf_of(after.text)
    assert (
        store.get_edition(
            revision_id=store.get_current_revision(
                store.get_article(site_id=site.id, external_id="belum").id
            ).id,
            lang=Lang.EN,
        ).status
        is EditionStatus.PENDING
    )


def test_a_correction_made_on_an_older_revision_is_refused_with_409(
    client: TestClient, accounts: None, article: Stored, store: Store
) -> None:
    csrf = log_in(client)
    store.save_article(
        make_draft("berita-1", body_html="<p>Hujan reda sore hari.</p>"), targets=(Lang.EN,)
    )
    response = client.post(
        API + "1",
        json={"target_html": "Heavy rain since dawn.", "version": 1, "revision": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 409
    assert "Orang lain sudah mengubahnya lebih dulu." in response.json()["error"]["message"]


def test_another_sites_editor_cannot_act_on_the_edition(
    client: TestClient,
    accounts: None,
    article: Stored,
    integrations: Integrations,
    other_site: Site,
    store: Store,
) -> None:
    integrations.accounts.create(site=other_site.slug, email="lain@lain.example", password="x" * 12)
    client.post(
        "/desk/login",
        data={"site": other_site.slug, "email": "lain@lain.example", "password": "x" * 12},
    )
    csrf = csrf_of(client.get("/desk/").text)
    for action in ("approve", "reject", "send-back", "rollback", "segments/1"):
        response = client.post(
            f"{EN}/{action}",
            data={
                "csrf_token": csrf,
                "note": "x",
                "to_version": "1",
                "version": "1",
                "target_html": "x",
            },
        )
        assert response.status_code == 404, action
    api = client.post(
        API + "1", json={"target_html": "x", "version": 1}, headers={"X-CSRF-Token": csrf}
    )
    assert api.status_code == 404
    edition = store.get_edition(revision_id=article.revision.id, lang=Lang.EN)
    assert edition.version == 1
    assert "sent back" not in edition.reason
    assert edition.segments[1].origin is SegmentOrigin.ENGINE


def test_an_earlier_correction_of_a_changed_sentence_is_shown_as_a_suggestion(
    client: TestClient, accounts: None, store: Store, site: Site
) -> None:
    revision = store.save_article(make_draft("berubah"), targets=(Lang.EN,)).revision
    edition = machine_edition(revision, Lang.EN)
    changed = dataclasses.replace(
        edition.segments[1],
        flags=("source_changed_since_correction",),
        suggestion_html="Heavy <i>rain</i> since the morning.",
    )
    store.save_edition(
        dataclasses.replace(
            edition,
            segments=(edition.segments[0], changed, *edition.segments[2:]),
            status=EditionStatus.NEEDS_REVIEW,
        )
    )
    log_in(client)
    page = client.get("/desk/articles/berubah/en?lang=en").text
    assert "Earlier correction (the Indonesian sentence has changed since):" in page
    assert "Heavy <i>rain</i> since the morning." in page
    assert "The Indonesian sentence changed after an editor corrected it" in page


def test_the_notice_says_why_an_edition_is_held_under_the_clean_policy(
    client: TestClient, accounts: None, article: Stored, integrations: Integrations, site: Site
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=Lang.EN, policy=PublishingPolicy.CLEAN, actor="cli"
    )
    log_in(client)
    english = client.get(EN + "?lang=en").text
    assert "publishing policy is \u201cclean\u201d, and this edition still has flagged" in english
    arabic = client.get("/desk/articles/berita-1/ar?lang=en").text  # no flagged sentence
    assert "Published: readers see this edition." in arabic
