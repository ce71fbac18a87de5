"""A small real site for web and browser tests: IndoSum articles, test editions, pending ones.

Articles are the shipped Indonesian sample (``warta/demo/indosum-sample.jsonl``) stored with the
real :class:`Store`. Editions are written with ``store.save_edition``; their text is made for the
tests and says so: every sentence starts with ``[<lang> test edition]`` followed by a FLORES-101
sentence in that language (real script, so fonts and right-to-left layout are exercised), and the
whole edition is put together by the real :func:`warta.text.assemble`.

Which article has what (the names are attributes of :class:`SampleSite`):

- ``full``: translated into all five languages (the switcher test walks all six).
- ``review``: English ``needs_review`` with two flagged sentences, French translated, the rest
  pending.
- ``failed``: French failed, the rest pending.
- ``pending``: every edition pending (queued, as a fresh install without a model leaves them).
- ``recent``: published an hour before the tests' "now", English translated (news sitemap).
- the other stored articles: pending, for lists and categories.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warta.demo import demo_articles_path
from warta.domain import (
    Article,
    ArticleDraft,
    Edition,
    EditionStatus,
    ModelProvenance,
    Provenance,
    SegmentOrigin,
    SegmentTranslation,
    Site,
)
from warta.languages import TARGET_LANGS, Lang
from warta.pipeline import document_for
from warta.services import Services
from warta.store.repository import Store
from warta.text import assemble

ROOT = Path(__file__).resolve().parents[2]
FLORES = ROOT / "data" / "flores101-dev"
SITE_SLUG = "demo"
SITE_NAME = "Warta Demo"
ARTICLES = 12  # the first twelve sample articles: every category is represented


def marker(lang: Lang) -> str:
    return f"[{lang.value} test edition]"


@dataclass(frozen=True)
class SampleSite:
    site: Site
    articles: tuple[Article, ...]
    full: Article
    review: Article
    failed: Article
    pending: Article
    recent: Article
    flagged: tuple[str, ...]  # target_html of the review article's flagged English sentences


def flores_lines(lang: Lang) -> list[str]:
    return (FLORES / f"{lang.value}.txt").read_text(encoding="utf-8").splitlines()


def sample_records(n: int) -> list[dict[str, object]]:
    with demo_articles_path().open(encoding="utf-8") as handle:
        return [json.loads(line) for line, _ in zip(handle, range(n), strict=False)]


def draft_from(record: dict[str, object], *, published_at: datetime | None = None) -> ArticleDraft:
    paragraphs = record["paragraphs"]
    assert isinstance(paragraphs, list)
    external_id = str(record["id"])
    when = published_at or datetime.fromtimestamp(int(external_id.split("-")[0]), tz=UTC)
    return ArticleDraft(
        site=SITE_SLUG,
        external_id=external_id,
        title=str(record["title"]),
        body_html="".join(f"<p>{html.escape(str(p).strip(), quote=False)}</p>" for p in paragraphs),
        category=str(record["category"]),
        published_at=when,
        source_url=str(record["source_url"]),
    )


def provenance(lang: Lang) -> Provenance:
    return Provenance(
        engine="test",
        models=(
            ModelProvenance(
                name=f"test-edition-id-{lang.value}",
                checksum="sha256:" + "0" * 64,
                source=Lang.ID,
                target=lang,
            ),
        ),
        decoding=(("beam", 1),),
        device="cpu",
        compute_type="none",
        glossary_version=0,
        segmenter_version="test",
        app_version="test",
    )


def store_test_edition(
    store: Store,
    article: Article,
    lang: Lang,
    *,
    status: EditionStatus = EditionStatus.TRANSLATED,
    flag: tuple[int, ...] = (),
) -> Edition:
    """Store an edition of ``article``'s current revision made of marked FLORES sentences."""
    revision = store.get_current_revision(article.id)
    document = document_for(title=revision.title, lead=revision.lead, body_html=revision.body_html)
    lines = flores_lines(lang)
    targets = [
        f"{marker(lang)} {html.escape(lines[(article.id * 7 + s.index) % len(lines)], quote=False)}"
        if s.translate
        else s.html
        for s in document.segments
    ]
    content = assemble(document, targets, target=lang)
    segments = tuple(
        SegmentTranslation(
            index=s.index,
            block=s.block,
            source_html=s.html,
            target_html=target,
            origin=SegmentOrigin.ENGINE if s.translate else SegmentOrigin.VERBATIM,
            score=-0.3,
            flags=("test_flag:made up for the web tests",) if s.index in flag else (),
            quality=0.2 if s.index in flag else 0.9,
        )
        for s, target in zip(document.segments, targets, strict=True)
    )
    edition = Edition(
        revision_id=revision.id,
        lang=lang,
        status=status,
        reason="test edition" if status is EditionStatus.NEEDS_REVIEW else "",
        content=content,
        segments=segments,
        provenance=provenance(lang),
        quality=0.5 if flag else 0.9,
    )
    store.save_edition(edition)
    return edition


def populate(services: Services, *, now: datetime | None = None) -> SampleSite:
    """Create site ``demo`` with the sample articles and the editions described above."""
    store = services.store
    store.create_site(slug=SITE_SLUG, name=SITE_NAME)
    records = sample_records(ARTICLES + 1)
    articles = [
        store.save_article(draft_from(r), targets=TARGET_LANGS).article for r in records[:ARTICLES]
    ]
    now = now or datetime.now(UTC)
    recent = store.save_article(
        draft_from(records[ARTICLES], published_at=now - timedelta(hours=1)), targets=TARGET_LANGS
    ).article
    full, review, failed, pending = articles[0], articles[3], articles[5], articles[1]
    for lang in TARGET_LANGS:
        store_test_edition(store, full, lang)
    flagged_edition = store_test_edition(
        store, review, Lang.EN, status=EditionStatus.NEEDS_REVIEW, flag=(3, 5)
    )
    store_test_edition(store, review, Lang.FR)
    store_test_edition(store, recent, Lang.EN)
    revision = store.get_current_revision(failed.id)
    store.mark_editions(
        revision_id=revision.id,
        langs=[Lang.FR],
        status=EditionStatus.FAILED,
        reason="the test engine failed on purpose",
    )
    flagged = tuple(s.target_html for s in flagged_edition.segments if s.flags)
    return SampleSite(
        site=store.get_site(SITE_SLUG),
        articles=(*articles, recent),
        full=store.get_article_by_id(full.id),
        review=store.get_article_by_id(review.id),
        failed=store.get_article_by_id(failed.id),
        pending=store.get_article_by_id(pending.id),
        recent=store.get_article_by_id(recent.id),
        flagged=flagged,
    )
