"""Editors' paths through the review desk in Chromium: log in, filter the queue, correct a
sentence with the keyboard (and survive a conflict), approve under the ``approval`` policy and see
the public page go live, add a glossary term and see only its sentences re-translated by the
worker, roll back.

A uvicorn server runs the real app over a real SQLite store of its own; IndoSum articles are
translated by the worker with the :class:`~warta.engines.fake.FakeEngine` (it echoes its input
behind ``[fake:<lang>]``, so what readers see is unmistakable) and the real quality checks. The
edition page is saved as ``docs/desk.png`` for the README.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from tests.browser.conftest import ROOT, START_TIMEOUT_S, free_port

from warta.config import Settings
from warta.demo import demo_articles_path
from warta.domain import ArticleDraft, EditorRole
from warta.engines.fake import FakeEngine
from warta.integrations import Integrations
from warta.languages import Lang
from warta.quality.estimator import QualityEstimator
from warta.services import Services, build_services
from warta.web.app import create_app
from warta.workers.runner import Worker

SITE = "kabar"
ADMIN = "pemred@kabar.example"
EDITOR = "redaksi@kabar.example"
PASSWORD = "kopi-tubruk-pagi"  # noqa: S105 -- a test account's password
ARTICLES = 4
# Written on every run under artifacts/ (ignored by git); `WARTA_UPDATE_DOCS=1` also refreshes the
# README's copy, docs/desk.png, so that a test run does not change a tracked file.
DOCS_SCREENSHOT = ROOT / "docs" / "desk.png"
RUN_SCREENSHOT = ROOT / "artifacts" / "screenshots" / "desk.png"
FINAL = (
    "Zulkifli called for a joint meeting of the government, online and traditional transport "
    "operators to calm the dispute."
)


@dataclass
class Desk:
    base_url: str
    services: Services
    integrations: Integrations
    engine: FakeEngine
    worker: Worker

    def article_id(self, external_id: str) -> int:
        site = self.services.store.get_site(SITE)
        return self.services.store.get_article(site_id=site.id, external_id=external_id).id


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    settings = Settings(
        home=tmp_path_factory.mktemp("browser-desk"),
        default_site=SITE,
        targets=(Lang.EN, Lang.AR),
    )
    services = build_services(settings)
    services.store.create_site(slug=SITE, name="Kabar Nusantara")
    app = create_app(services)
    integrations = app.state.integrations
    assert isinstance(integrations, Integrations)
    integrations.accounts.create(site=SITE, email=ADMIN, password=PASSWORD, role=EditorRole.ADMIN)
    integrations.accounts.create(site=SITE, email=EDITOR, password=PASSWORD)
    rows = [json.loads(line) for line in demo_articles_path().read_text().splitlines()[:ARTICLES]]
    for n, row in enumerate(rows):
        services.newsroom.submit(
            ArticleDraft(
                site=SITE,
                external_id=f"berita-{n}",
                title=row["title"],
                body_html="".join(f"<p>{p}</p>" for p in row["paragraphs"][:3]),
                category=row["category"],
            )
        )
    engine = FakeEngine()
    worker = Worker(
        store=services.store,
        queue=services.queue,
        engine=lambda: engine,
        targets=settings.targets,
        name="browser-desk-worker",
        estimator=QualityEstimator(identify_language=False),
    )
    worker.run_until_idle()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-desk", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield Desk(f"http://127.0.0.1:{port}", services, integrations, engine, worker)
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)
        services.close()


EXPECTED_CONSOLE = "status of 409 (Conflict)"  # the conflict test's refused save


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile; the test fails if the page logs a script, CSP or load error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and EXPECTED_CONSOLE not in message.text:
            errors.append(message.text)

    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", on_console)
    try:
        yield opened
    finally:
        context.close()
    assert errors == []


def log_in(page: Page, desk: Desk, email: str = EDITOR) -> None:
    page.goto(f"{desk.base_url}/desk/")
    page.wait_for_url(re.compile(r".*/desk/login\?next=.*"))
    assert page.locator("html").get_attribute("lang") == "en"  # Accept-Language: en-US
    assert page.locator('input[name="site"]').input_value() == SITE  # the Host's site
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form.desk-form button[type="submit"]')
    page.wait_for_url(f"{desk.base_url}/desk/")
    expect(page.locator(".flash-ok")).to_contain_text(f"Welcome, {email}.")


def queue_rows(page: Page) -> list[tuple[str, str]]:
    rows = page.locator("tr.queue-row")
    return [
        (str(rows.nth(i).get_attribute("data-lang")), str(rows.nth(i).get_attribute("data-status")))
        for i in range(rows.count())
    ]


def test_log_in_and_filter_the_queue(page: Page, desk: Desk) -> None:
    log_in(page, desk)
    assert len(queue_rows(page)) == ARTICLES * 2
    page.select_option('select[name="lang_filter"]', "ar")
    page.select_option('select[name="status"]', "needs_review")
    page.click('form.filters button[type="submit"]')
    page.wait_for_url(re.compile(r".*lang_filter=ar.*"))
    assert queue_rows(page) == [("ar", "needs_review")] * ARTICLES
    page.select_option('select[name="lang_filter"]', "en")
    page.select_option('select[name="status"]', "failed")
    page.click('form.filters button[type="submit"]')
    page.wait_for_url(re.compile(r".*status=failed.*"))
    assert queue_rows(page) == []
    expect(page.locator("p.empty")).to_have_text("Nothing to review with these filters.")


def test_correct_a_sentence_with_the_keyboard_and_survive_a_conflict(
    page: Page, desk: Desk
) -> None:
    log_in(page, desk)
    page.goto(f"{desk.base_url}/desk/articles/berita-0/en")
    assert page.locator("li.segment").count() > 3
    assert page.locator("li.segment ul.flags li").count() > 0  # flags, in words
    expect(page.locator("#seg-1 ul.flags li").first).to_have_text(
        "The sentence was left in Indonesian."
    )
    page.keyboard.press("j")
    expect(page.locator("#seg-0")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator("#seg-1")).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator("#seg-0")).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#seg-1")).to_be_focused()

    # Esc cancels: the text typed is dropped
    page.keyboard.press("Enter")
    area = page.locator("#text-1")
    expect(area).to_be_focused()
    original = area.input_value()
    area.fill("Something I do not want.")
    page.keyboard.press("Escape")
    expect(page.locator("#seg-1 details.editor")).not_to_have_attribute("open", "")
    assert area.input_value() == original
    expect(page.locator("#seg-1")).to_be_focused()

    # Enter opens the editor, Ctrl+Enter saves
    page.keyboard.press("Enter")
    area.fill("Zulkifli suggested a joint meeting of the government and transport operators.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#seg-1 .origin-label")).to_have_text("corrected by an editor")
    expect(page.locator("#seg-1")).to_have_attribute("data-version", "2")
    expect(page.locator("#seg-1 .target")).to_have_text(
        "Zulkifli suggested a joint meeting of the government and transport operators."
    )
    expect(page.locator("#seg-1 .seg-message")).to_have_text("The correction is saved.")

    # another editor saves the same sentence behind this page's back: 409, then re-apply
    site = desk.services.store.get_site(SITE)
    revision = desk.services.store.get_current_revision(desk.article_id("berita-0"))
    desk.integrations.desk.correct(
        site_id=site.id,
        external_id="berita-0",
        lang=Lang.EN,
        index=1,
        target_html="Their wording of the sentence.",
        base_version=2,
        editor=desk.integrations.editors.list_for(site=SITE)[0],
    )
    assert revision.number == 1
    page.keyboard.press("Enter")
    area.fill(FINAL)
    page.keyboard.press("Control+Enter")
    conflict = page.locator("#seg-1 .conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".conflict-text")).to_have_text("Their wording of the sentence.")
    conflict.locator("button.reapply").click()
    expect(page.locator("#seg-1")).to_have_attribute("data-version", "4")
    expect(conflict).to_be_hidden()
    page.reload()
    expect(page.locator("#seg-1 .target")).to_have_text(FINAL)
    expect(page.locator("#seg-1 .edited-by")).to_have_text(EDITOR)

    RUN_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.locator("#seg-1").focus()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(RUN_SCREENSHOT))
    if os.environ.get("WARTA_UPDATE_DOCS") == "1":
        page.screenshot(path=str(DOCS_SCREENSHOT))


def reader_sees(browser: Browser, url: str) -> str:
    """The story as a new reader sees it (a fresh context: nothing in the browser's cache)."""
    context = browser.new_context(locale="ar")
    try:
        reader = context.new_page()
        reader.goto(url)
        return reader.locator("article.story").inner_text()
    finally:
        context.close()


def test_approve_under_the_approval_policy_and_see_the_page_go_live(
    page: Page, desk: Desk, browser: Browser
) -> None:
    log_in(page, desk, ADMIN)
    page.goto(f"{desk.base_url}/desk/settings")
    page.select_option('select[name="policy_ar"]', "approval")
    page.click('form.policy-form button[type="submit"]')
    expect(page.locator(".flash-ok")).to_have_text("The publishing policy is saved.")

    public = f"{desk.base_url}/ar/{desk.article_id('berita-1')}"
    assert "[fake:ar]" not in reader_sees(browser, public)  # held

    page.goto(f"{desk.base_url}/desk/articles/berita-1/ar")
    expect(page.locator("#publication-notice")).to_contain_text("Held")
    target = page.locator("#seg-1 .target")
    assert target.get_attribute("dir") == "rtl"
    assert target.get_attribute("lang") == "ar"
    page.click("button.approve")
    expect(page.locator(".flash-ok")).to_have_text("Approved: readers see this edition now.")
    expect(page.locator("#publication-notice")).to_have_text("Published: readers see this edition.")
    assert "[fake:ar]" in reader_sees(browser, public)  # live


def test_a_glossary_term_retranslates_only_the_sentences_that_contain_it(
    page: Page, desk: Desk
) -> None:
    log_in(page, desk, ADMIN)
    page.goto(f"{desk.base_url}/desk/glossary")
    page.fill('input[name="source"]', "pemerintah")
    page.fill('input[name="tr_en"]', "government")
    page.fill('input[name="tr_ar"]', "الحكومة")
    page.click('form.term-form button[type="submit"]')
    expect(page.locator(".flash-ok")).to_contain_text("The glossary is saved;")
    expect(page.locator("tr.term")).to_have_count(1)

    desk.engine.calls.clear()
    desk.worker.run_until_idle()
    sent = [text for _source, _target, texts in desk.engine.calls for text in texts]
    assert sent, "the sentences with the term were translated again"
    assert all("{0}" in text for text in sent), sent  # the term, protected, in every one
    site = desk.services.store.get_site(SITE)
    containing = 0
    for n in range(ARTICLES):
        revision = desk.services.store.get_current_revision(desk.article_id(f"berita-{n}"))
        for lang in (Lang.EN, Lang.AR):
            edition = desk.services.store.get_edition(revision_id=revision.id, lang=lang)
            containing += sum(1 for s in edition.segments if "pemerintah" in s.source_html)
    assert len(sent) <= containing  # a corrected sentence (human) is not sent again
    assert site.slug == SITE

    page.goto(f"{desk.base_url}/desk/articles/berita-0/en")
    with_term = page.locator("li.segment", has=page.locator(".source", has_text="pemerintah"))
    assert with_term.count() > 0
    for i in range(with_term.count()):
        segment = with_term.nth(i)
        if "origin-human" not in str(segment.get_attribute("class")):
            expect(segment.locator(".target")).to_contain_text("government")


def test_roll_back_a_correction_from_the_history(page: Page, desk: Desk) -> None:
    log_in(page, desk)
    page.goto(f"{desk.base_url}/desk/articles/berita-2/en")
    before = page.locator("#seg-2 .target").inner_text()
    page.locator("#seg-2 details.editor summary").click()  # the mouse path: Edit, then Save
    expect(page.locator("#text-2")).to_be_focused()
    page.locator("#text-2").fill("A sentence that was a mistake.")
    page.locator("#seg-2 button.save").click()
    expect(page.locator("#seg-2 .target")).to_have_text("A sentence that was a mistake.")

    page.click("nav.edition-tabs >> text=History")
    page.wait_for_url(re.compile(r".*/history$"))
    newest = page.locator("li.version").first
    expect(newest.locator(".actor")).to_have_text(EDITOR)
    expect(newest.locator("ins").last).to_have_text("mistake")
    assert newest.locator("del").count() > 0
    versions = page.locator("li.version")
    oldest = versions.nth(versions.count() - 1)
    number = str(oldest.get_attribute("id"))[1:]
    oldest.locator("button.rollback").click()
    expect(page.locator(".flash-ok")).to_have_text(f"Rolled back to version {number}.")
    page.goto(f"{desk.base_url}/desk/articles/berita-2/en")
    expect(page.locator("#seg-2 .target")).to_have_text(before)


def test_an_admin_adds_an_editor_who_logs_in_with_the_password_shown_once(
    page: Page, desk: Desk, browser: Browser
) -> None:
    log_in(page, desk, ADMIN)
    page.click('nav.desk-nav >> text="Editors"')
    page.wait_for_url(f"{desk.base_url}/desk/editors")
    page.fill('form.editor-form input[name="email"]', "baru@kabar.example")
    page.click('form.editor-form button[type="submit"]')
    expect(page.locator(".flash-ok")).to_have_text("baru@kabar.example can log in now.")
    password = page.locator("code.password").inner_text()
    expect(page.locator('tr.editor[data-email="baru@kabar.example"]')).to_contain_text("editor")

    context = browser.new_context(locale="en-US")
    try:
        newcomer = context.new_page()
        newcomer.goto(f"{desk.base_url}/desk/login")
        newcomer.fill('input[name="email"]', "baru@kabar.example")
        newcomer.fill('input[name="password"]', password)
        newcomer.click('form.desk-form button[type="submit"]')
        newcomer.wait_for_url(f"{desk.base_url}/desk/")
        expect(newcomer.locator("nav.desk-nav")).not_to_contain_text("Editors")
        newcomer.goto(f"{desk.base_url}/desk/editors")
        expect(newcomer.locator("main")).to_contain_text(
            "Only an administrator of the site can do this."
        )
    finally:
        context.close()
