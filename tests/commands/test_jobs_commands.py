"""`warta jobs list|retry` and the dead letters in `warta status`, on a real home directory."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result
from tests.dbfixtures import make_draft

from warta.cli import cli
from warta.domain import EditionStatus, JobErrorKind, JobStatus
from warta.languages import Lang
from warta.services import Services
from warta.workers.queue import SqlJobQueue

Run = Callable[..., Result]


@pytest.fixture
def run(services: Services) -> Run:
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str) -> Result:
        home = str(services.settings.home)
        return runner.invoke(cli, ["--home", home, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def dead(services: Services) -> list[int]:
    """Two dead-lettered jobs of site kabar (one permanent, one out of attempts), one queued."""
    services.store.create_site(slug="kabar", name="Kabar")
    services.store.save_article(make_draft("a"), targets=(Lang.EN, Lang.FR, Lang.JA))
    queue = SqlJobQueue(services.db, max_attempts=2, retry_base_seconds=0, retry_max_seconds=0)
    en, fr = queue.claim(worker="w", limit=2, lease_seconds=30)
    queue.fail(en.id, worker="w", error="MarkupError: unreadable", kind=JobErrorKind.PERMANENT)
    queue.fail(fr.id, worker="w", error="engine down", kind=JobErrorKind.TRANSIENT)
    [again] = queue.claim(worker="w", limit=1, lease_seconds=30, lang=Lang.FR)  # no backoff
    assert queue.fail(
        again.id, worker="w", error="engine down", kind=JobErrorKind.TRANSIENT
    ).status is (JobStatus.FAILED)
    return [en.id, fr.id]


def test_jobs_list_shows_the_dead_letters_with_their_reasons(run: Run, dead: list[int]) -> None:
    result = run("jobs", "list", "--format", "json")

    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["jobs"]
    assert {(j["id"], j["error_kind"], j["last_error"]) for j in listed} == {
        (dead[0], "permanent", "MarkupError: unreadable"),
        (dead[1], "transient", "engine down"),
    }
    table = run("jobs", "list")
    assert table.exit_code == 0, table.output
    assert "MarkupError: unreadable" in table.stdout
    assert "2 failed job(s)" in table.stderr
    queued = json.loads(run("jobs", "list", "--state", "queued", "--format", "json").stdout)
    assert [j["lang"] for j in queued["jobs"]] == ["ja"]


def test_status_counts_and_lists_the_dead_letters(run: Run, dead: list[int]) -> None:
    data = json.loads(run("status", "--format", "json").stdout)

    assert data["dead_letter"]["count"] == 2
    assert {(j["id"], j["reason"]) for j in data["dead_letter"]["jobs"]} == {
        (dead[0], "MarkupError: unreadable"),
        (dead[1], "engine down"),
    }
    text = run("status")
    assert "dead letter: 2 job(s) failed for good" in text.stderr
    assert "MarkupError: unreadable" in text.stderr


def test_jobs_retry_by_id_and_all_queue_them_again(
    run: Run, dead: list[int], services: Services
) -> None:
    one = run("jobs", "retry", str(dead[0]))
    assert one.exit_code == 0, one.output
    assert "1 job(s) queued again" in one.stderr
    job = services.queue.get(dead[0])
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    edition = services.store.get_edition(revision_id=job.revision_id, lang=Lang.EN)
    assert (edition.status, edition.reason) == (EditionStatus.PENDING, "queued for translation")

    rest = run("jobs", "retry", "--all", "--site", "kabar")
    assert rest.exit_code == 0, rest.output
    assert "1 job(s) queued again" in rest.stderr
    assert services.queue.dead() == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "no job to retry"),  # nothing given
        (("1", "--all"), "not both"),
        (("999999",), "no translation job 999999"),  # unknown id
    ],
)
def test_jobs_retry_of_bad_input_exits_2_and_says_why(
    run: Run, dead: list[int], args: tuple[str, ...], says: str
) -> None:
    result = run("jobs", "retry", *args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr


def test_jobs_retry_of_a_job_that_is_not_failed_exits_2(
    run: Run, dead: list[int], services: Services
) -> None:
    [queued] = services.queue.listed(statuses=(JobStatus.QUEUED,))
    result = run("jobs", "retry", str(queued.id))
    assert result.exit_code == 2, result.output
    assert "not failed" in result.stderr
