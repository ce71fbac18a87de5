"""The glossary and the publishing policy at the desk: admins change them, editors read them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.desk.conftest import ADMIN, EDITOR, Stored, log_in

from warta.domain import GlossaryTerm, PublishingPolicy, Site
from warta.integrations import Integrations
from warta.languages import Lang


def test_an_admin_sets_the_publishing_policy_per_language(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)
    page = client.get("/desk/settings")
    assert page.status_code == 200
    assert '<select name="policy_ja"' in page.text
    response = client.post(
        "/desk/settings",
        data={
            "csrf_token": csrf,
            "policy_en": "approval",
            "policy_fr": "clean",
            "policy_ja": "auto",
        },
    )
    assert response.status_code == 303
    assert "Kebijakan terbit tersimpan." in client.get("/desk/settings").text
    policies = integrations.desk.policies(site_id=site.id)
    assert policies[Lang.EN] is PublishingPolicy.APPROVAL
    assert policies[Lang.FR] is PublishingPolicy.CLEAN
    assert policies[Lang.JA] is PublishingPolicy.AUTO


def test_an_editor_sees_the_policy_read_only_and_cannot_change_it(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, EDITOR)
    page = client.get("/desk/settings")
    assert "<select" not in page.text
    assert "Hanya administrator yang dapat mengubah kebijakan terbit" in page.text
    refused = client.post("/desk/settings", data={"csrf_token": csrf, "policy_en": "approval"})
    assert refused.status_code == 403
    assert "Hanya administrator situs yang dapat melakukan ini." in refused.text
    assert integrations.desk.policies(site_id=site.id)[Lang.EN] is PublishingPolicy.AUTO


def test_policy_changes_need_the_csrf_token_and_a_known_policy(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)
    refused = client.post("/desk/settings", data={"policy_en": "approval"})
    assert refused.status_code == 403
    assert "Formulir ini kedaluwarsa" in refused.text
    assert 'href="/desk/settings" class="back"' in refused.text
    client.post("/desk/settings", data={"csrf_token": csrf, "policy_en": "sometimes"})
    assert "is not a publishing policy" in client.get("/desk/settings").text
    assert integrations.desk.policies(site_id=site.id)[Lang.EN] is PublishingPolicy.AUTO


def test_an_admin_adds_edits_and_deletes_a_glossary_term(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)
    added = client.post(
        "/desk/glossary",
        data={
            "csrf_token": csrf,
            "source": "posko",
            "mode": "translate",
            "tr_en": "command post",
            "tr_fr": "poste de commandement",
            "case_sensitive": "on",
        },
    )
    assert added.status_code == 303
    page = client.get("/desk/glossary?lang=en")
    assert "Glosarium tersimpan; 0 edisi diterjemahkan ulang." in page.text
    assert "command post" in page.text
    (term,) = integrations.glossary.terms(site_id=site.id).terms
    assert term.translations == {Lang.EN: "command post", Lang.FR: "poste de commandement"}
    form = client.get("/desk/glossary?edit=posko").text
    assert 'value="command post"' in form
    client.post(
        "/desk/glossary",
        data={"csrf_token": csrf, "source": "posko", "mode": "keep"},
    )
    (kept,) = integrations.glossary.terms(site_id=site.id).terms
    assert kept.do_not_translate
    assert not kept.case_sensitive  # the box was not ticked this time
    client.post("/desk/glossary/delete", data={"csrf_token": csrf, "source": "posko"})
    assert integrations.glossary.terms(site_id=site.id).terms == ()


def test_bad_glossary_terms_are_refused_in_words(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)
    client.post("/desk/glossary", data={"csrf_token": csrf, "source": "  ", "tr_en": "x"})
    assert "the glossary term is empty" in client.get("/desk/glossary").text
    client.post("/desk/glossary", data={"csrf_token": csrf, "source": "posko", "mode": "translate"})
    assert "has no rendering" in client.get("/desk/glossary").text
    client.post("/desk/glossary/delete", data={"csrf_token": csrf, "source": "tidak-ada"})
    assert client.get("/desk/glossary").status_code == 200
    assert integrations.glossary.terms(site_id=site.id).terms == ()


def test_an_editor_reads_the_glossary_but_cannot_change_it(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    integrations.glossary.put(
        site_id=site.id, term=GlossaryTerm("BMKG", do_not_translate=True), actor="cli"
    )
    csrf = log_in(client, EDITOR)
    page = client.get("/desk/glossary")
    assert "BMKG" in page.text
    assert 'action="/desk/glossary/delete"' not in page.text
    assert "Hanya administrator yang dapat mengubah glosarium" in page.text
    refused = client.post("/desk/glossary/delete", data={"csrf_token": csrf, "source": "BMKG"})
    assert refused.status_code == 403
    assert "Hanya administrator situs yang dapat melakukan ini." in refused.text
    no_csrf = client.post("/desk/glossary", data={"source": "x", "tr_en": "y"})
    assert no_csrf.status_code == 403
    assert len(integrations.glossary.terms(site_id=site.id).terms) == 1
    assert client.get("/desk/glossary/export.csv").status_code == 200  # reading is allowed


def upload(client: TestClient, csrf: str, data: bytes) -> None:
    response = client.post(
        "/desk/glossary/import",
        data={"csrf_token": csrf},
        files={"file": ("glosarium.csv", data, "text/csv")},
    )
    assert response.status_code == 303


def test_csv_import_and_export_round_trip(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)
    upload(
        client, csrf, "source,keep,en,ar\nposko,,command post,مركز القيادة\nBMKG,yes,,\n".encode()
    )
    assert "Glosarium tersimpan;" in client.get("/desk/glossary").text
    assert {t.source for t in integrations.glossary.terms(site_id=site.id).terms} == {
        "posko",
        "BMKG",
    }
    exported = client.get("/desk/glossary/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="glossary-kabar.csv"' in exported.headers["content-disposition"]
    assert "مركز القيادة" in exported.content.decode("utf-8-sig")


def test_a_csv_with_a_bad_row_is_refused_with_its_line_and_imports_nothing(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    csrf = log_in(client, ADMIN)
    upload(client, csrf, b"source,keep,en\nposko,,command post\n,,empty source\n")
    page = client.get("/desk/glossary").text
    assert "line 3" in page
    assert integrations.glossary.terms(site_id=site.id).terms == ()
    upload(client, csrf, b"")
    assert "no CSV file was chosen" in client.get("/desk/glossary").text


def test_the_glossary_needs_a_login(client: TestClient, accounts: None, article: Stored) -> None:
    assert client.get("/desk/glossary/export.csv").status_code == 303
    assert client.post("/desk/glossary", data={"source": "x"}).status_code == 303


def test_an_admin_reads_the_engines_of_each_language_on_the_settings_page(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    from warta.engines.setup import EngineConfig, RouteConfig
    from warta.store.engines import EngineStore

    engines = EngineStore(integrations.services.db)
    engines.add(EngineConfig(name="local-llm", kind="openai", url="http://x/v1", model="qwen"))
    engines.disable("local-llm", reason="401 Unauthorized")
    engines.set_route(
        RouteConfig(lang=Lang.JA, engine="local-llm", fallback=("ctranslate2",), site=site.slug)
    )
    log_in(client, ADMIN)

    page = client.get("/desk/settings").text

    assert "Mesin penerjemah" in page
    ja = page.split('<tr data-lang="ja">')[1].split("</tr>")[0]
    assert ja.index("local-llm") < ja.index("ctranslate2")
    assert "(openai, qwen)" in ja
    assert "dinonaktifkan: 401 Unauthorized" in ja
    assert "diatur khusus untuk situs ini" in ja
    en = page.split('<tr data-lang="en">')[1].split("</tr>")[0]
    assert "ctranslate2" in en
    assert "local-llm" not in en


def test_an_editor_does_not_see_the_engines(
    client: TestClient, accounts: None, integrations: Integrations, site: Site
) -> None:
    log_in(client, EDITOR)
    assert "Mesin penerjemah" not in client.get("/desk/settings").text
