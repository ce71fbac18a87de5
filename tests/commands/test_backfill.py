"""`warta backfill` as an operator uses it: the demo archive stored without editions, a month of
it queued at backfill priority, bad input refused with nothing queued, `--work` translating it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy
from click.testing import CliRunner, Result

from warta.cli import cli
from warta.config import Settings
from warta.demo import demo_articles_path
from warta.domain import JobPriority
from warta.ingest.sources import open_source
from warta.services import build_services

WIB = timezone(timedelta(hours=7))
# Six demo articles: two published in February, four in March (Jakarta time).
PUBLISHED = [
    datetime(2025, 2, 10, 8, 0, tzinfo=WIB),
    datetime(2025, 2, 28, 23, 30, tzinfo=WIB),
    datetime(2025, 3, 1, 0, 10, tzinfo=WIB),
    datetime(2025, 3, 9, 12, 0, tzinfo=WIB),
    datetime(2025, 3, 20, 7, 45, tzinfo=WIB),
    datetime(2025, 3, 31, 21, 0, tzinfo=WIB),
]
MARCH = ("--since", "2025-03-01", "--until", "2025-04-01")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home whose demo site holds six real articles and no job: an archive from before."""
    home = tmp_path / "home"
    services = build_services(Settings(home=home))
    try:
        services.store.create_site(slug="demo", name="Warta Demo")
        items = open_source(demo_articles_path(), site="demo", validator=services.validator)
        drafts = [item.draft for item in items if item.draft is not None][: len(PUBLISHED)]
        for draft, when in zip(drafts, PUBLISHED, strict=True):
            services.store.save_article(replace(draft, published_at=when), targets=())
    finally:
        services.close()
    return home


@pytest.fixture
def run(home: Path):
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--home", str(home), *args], catch_exceptions=False)

    return invoke


def _jobs(home: Path) -> list[tuple[int, str, int, int | None, str]]:
    """(revision id, lang, priority, site id, status) of every job in the home's database."""
    engine = sqlalchemy.create_engine(f"sqlite:///{home / 'warta.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sqlalchemy.text(
                    "SELECT revision_id, lang, priority, site_id, status FROM jobs ORDER BY id"
                )
            )
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_a_month_is_queued_at_backfill_priority_and_summarised(run, home):
    result = run("backfill", "--site", "demo", *MARCH, "--to", "en,ja")

    assert result.exit_code == 0, result.output
    jobs = _jobs(home)
    assert len(jobs) == 8  # four March articles, two languages
    assert {(lang, priority, site_id, status) for _, lang, priority, site_id, status in jobs} == {
        ("en", int(JobPriority.BACKFILL), 1, "queued"),
        ("ja", int(JobPriority.BACKFILL), 1, "queued"),
    }
    assert (
        "demo 2025-03-01 to 2025-03-31 (WIB, UTC+7): 4 article(s) in range, 8 edition(s) "
        "queued, 0 already done, 0 already queued"
    ) in result.stderr
    assert "ETA" in result.stderr


def test_running_it_again_queues_nothing_and_says_so(run, home):
    assert run("backfill", "--site", "demo", *MARCH, "--to", "en").exit_code == 0

    again = run("backfill", "--site", "demo", *MARCH, "--to", "en", "--format", "json")

    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {
        "site": "demo",
        "since": "2025-03-01",
        "until": "2025-04-01",
        "timezone": "UTC+07:00",
        "langs": ["en"],
        "dry_run": False,
        "articles": 4,
        "queued": 0,
        "already_done": 0,
        "already_queued": 4,
        "held": 0,
        "jobs": None,
    }
    assert len(_jobs(home)) == 4


def test_a_dry_run_counts_without_queueing(run, home):
    result = run("backfill", "--site", "demo", "--since", "2025-02-01", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "6 article(s) in range, 30 edition(s) would be queued (dry run)" in result.stderr
    assert _jobs(home) == []


@pytest.mark.parametrize(
    ("args", "message", "fix"),
    [
        (
            ("--since", "2025-03-10", "--until", "2025-03-01"),
            "the date range is reversed: --until 2025-03-01 comes before --since 2025-03-10",
            "swap them: --since 2025-03-01 --until 2025-03-10",
        ),
        (
            ("--since", "2025-03-10", "--until", "2025-03-10"),
            "the date range is empty: --until 2025-03-10 is the first day left out",
            "--since 2025-03-10 --until 2025-03-11",
        ),
        (
            ("--since", "10-03-2025"),
            "--since '10-03-2025' is not a date",
            "YYYY-MM-DD",
        ),
        (
            (*MARCH, "--to", "en,xx"),
            "xx",
            "en",
        ),
        (
            (*MARCH, "--to", "id"),
            "'id' is Indonesian, the source language, not a target",
            "name targets among",
        ),
    ],
)
def test_bad_input_exits_2_naming_problem_and_fix_and_queues_nothing(run, home, args, message, fix):
    result = run("backfill", "--site", "demo", *args)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "fix:" in result.stderr
    assert fix in result.stderr
    assert _jobs(home) == []


def test_an_unknown_site_exits_2_and_names_the_sites_command(run, home):
    result = run("backfill", "--site", "kabar", *MARCH, "--format", "json")

    assert result.exit_code == 2, result.output
    error = json.loads(result.stderr)["error"]
    assert error["message"] == "no site 'kabar'"
    assert "warta sites list" in error["hint"]
    assert _jobs(home) == []


@pytest.fixture
def english_model(run, shared_tiny_model: Path) -> Path:
    result = run("models", "add", str(shared_tiny_model), "--target", "en")
    assert result.exit_code == 0, result.output
    return shared_tiny_model


def test_work_translates_the_backfill_here(run, home, english_model):
    result = run(
        "backfill", "--site", "demo", "--since", "2025-03-20", "--to", "en", "--work"
    )  # the last two March articles, through today

    assert result.exit_code == 0, result.output
    assert "jobs: 2 done, 0 failed, 0 superseded, 0 still queued" in result.stderr
    editions = json.loads(run("status", "--format", "json").stdout)["editions"]
    translated = [e for e in editions if e["status"] in ("translated", "needs_review")]
    assert len(translated) == 2
    assert all(e["lang"] == "en" and e["segments_translated"] > 0 for e in translated)
    assert {status for *_, status in _jobs(home)} == {"done"}


def test_work_without_a_model_for_a_language_exits_3_saying_which(run, home, english_model):
    result = run("backfill", "--site", "demo", "--since", "2025-03-20", "--to", "en,ja", "--work")

    assert result.exit_code == 3, result.output
    assert "jobs: 2 done, 0 failed, 0 superseded, 2 still queued" in result.stderr
    assert "pending: no translation model installed for Indonesian→Japanese" in result.stderr
    statuses = sorted((lang, status) for _, lang, _, _, status in _jobs(home))
    assert statuses == [("en", "done"), ("en", "done"), ("ja", "queued"), ("ja", "queued")]


def test_wait_follows_the_jobs_until_a_worker_elsewhere_has_done_them(run, home, english_model):
    env = {**os.environ, "WARTA_MAX_DECODING_LENGTH": "40", "WARTA_JOBS_PER_BATCH": "1"}
    worker = subprocess.Popen(  # a worker on another machine, as far as backfill knows
        [sys.executable, "-m", "warta", "--home", str(home), "work", "--poll", "0.2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        result = run("backfill", "--site", "demo", *MARCH, "--to", "en", "--wait", "--poll", "0.2")
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=120)

    assert result.exit_code == 0, result.output
    assert "waiting for workers" in result.stderr
    assert "jobs: 4 done, 0 failed, 0 superseded, 0 still queued" in result.stderr
    assert {status for *_, status in _jobs(home)} == {"done"}
    assert worker.returncode == 0, err.decode()
