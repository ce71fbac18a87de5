"""How long readers' caches keep article pages: a page that waits for its translation (pending,
or held by the publishing policy) is asked for again each time, so an approval is seen at once;
a translated page keeps the site's max-age."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.sitedata import SampleSite

from warta.domain import Article, PublishingPolicy
from warta.languages import Lang
from warta.services import Services
from warta.store.approvals import ApprovalStore
from warta.store.policies import PolicyStore

POLICY = "public, max-age=60, stale-while-revalidate=30, stale-if-error=86400"
REVALIDATE = "public, no-cache"


def _page(client: TestClient, article: Article, lang: Lang) -> tuple[str, str]:
    """(path, Cache-Control) of the article's page in ``lang``, asked twice (the second answer
    comes from the caches) and once more conditionally (304)."""
    path = client.get(f"/{lang.value}/{article.id}").headers["location"]
    first = client.get(path)
    second = client.get(path)
    assert second.headers["cache-control"] == first.headers["cache-control"]
    unchanged = client.get(path, headers={"if-none-match": second.headers["etag"]})
    assert unchanged.status_code == 304
    assert unchanged.headers["cache-control"] == first.headers["cache-control"]
    return path, first.headers["cache-control"]


def test_a_pending_page_is_revalidated_and_a_translated_one_keeps_max_age(
    client: TestClient, sample: SampleSite
) -> None:
    assert _page(client, sample.pending, Lang.EN)[1] == REVALIDATE
    assert _page(client, sample.full, Lang.FR)[1] == POLICY
    assert _page(client, sample.full, Lang.ID)[1] == POLICY  # the original is the page itself


def test_a_held_page_is_revalidated_until_approved_then_keeps_max_age(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    full = sample.full
    assert _page(client, full, Lang.EN)[1] == POLICY
    PolicyStore(services.db).set_policy(
        site_id=sample.site.id, lang=Lang.EN, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    assert _page(client, full, Lang.EN)[1] == REVALIDATE  # held: the Indonesian original

    revision = services.store.get_current_revision(full.id)
    edition = services.store.get_edition(revision_id=revision.id, lang=Lang.EN)
    ApprovalStore(services.db).approve(edition, editor_id=None)

    assert _page(client, full, Lang.EN)[1] == POLICY
