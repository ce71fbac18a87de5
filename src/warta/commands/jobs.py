"""`warta jobs list|retry`: the translation jobs, and the dead letters an operator looks at.

A job is dead-lettered (status ``failed``) when its error is permanent (its source cannot be
read, its revision is gone) or when a transient error came back ``WARTA_JOB_MAX_ATTEMPTS``
times; ``warta jobs retry`` queues it again with its attempts reset, once the cause is fixed.
"""

from __future__ import annotations

import click

from warta.commands._context import AppContext, echo_json, handled, pass_app, print_table
from warta.domain import Job, JobStatus
from warta.errors import ConflictError, FieldError, NotFoundError

STATES = {
    "failed": (JobStatus.FAILED,),
    "queued": (JobStatus.QUEUED,),
    "running": (JobStatus.RUNNING,),
    "done": (JobStatus.DONE,),
    "superseded": (JobStatus.SUPERSEDED,),
}
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def job_dict(job: Job) -> dict[str, object]:
    """A job for ``--format json`` (and the API's shape, field for field)."""
    return {
        "id": job.id,
        "revision_id": job.revision_id,
        "site_id": job.site_id,
        "lang": job.lang.value,
        "status": job.status.value,
        "priority": job.priority.name.lower(),
        "attempts": job.attempts,
        "lost_leases": job.lost_leases,
        "error_kind": job.error_kind.value,
        "last_error": job.last_error,
        "next_attempt_at": job.next_attempt_at.isoformat() if job.next_attempt_at else None,
        "leased_by": job.leased_by,
        "created_at": job.created_at.isoformat() if job.created_at else None,
    }


@click.group()
def jobs() -> None:
    """Translation jobs: list them, and queue dead-lettered (failed) ones again."""


@jobs.command("list")
@click.option(
    "--state",
    type=click.Choice(sorted(STATES)),
    default="failed",
    show_default=True,
    help="Which jobs (failed: the dead letters).",
)
@click.option("--site", default=None, help="Only this site's jobs.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@FORMAT
@pass_app
def list_jobs(app: AppContext, state: str, site: str | None, limit: int, fmt: str) -> None:
    """Jobs in one state, the most recently changed first."""
    with handled(app, as_json=fmt == "json"):
        services = app.services
        site_id = services.store.get_site(site).id if site else None
        found = services.queue.listed(statuses=STATES[state], site_id=site_id, limit=limit)
    if fmt == "json":
        echo_json({"state": state, "jobs": [job_dict(j) for j in found]})
        return
    print_table(
        app.out,
        title=f"{state} jobs",
        columns=["id", "revision", "lang", "priority", "attempts", "lost leases", "error"],
        rows=[
            (
                j.id,
                j.revision_id,
                j.lang.value,
                j.priority.name.lower(),
                j.attempts,
                j.lost_leases,
                f"[{j.error_kind.value}] {j.last_error}" if j.error_kind.value else j.last_error,
            )
            for j in found
        ],
    )
    app.err.print(f"{len(found)} {state} job(s)")


@jobs.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Every failed job (of --site).")
@click.option("--site", default=None, help="Only this site's jobs.")
@pass_app
def retry(app: AppContext, ids: tuple[int, ...], everything: bool, site: str | None) -> None:
    """Queue failed jobs again (attempts reset): by ID, or --all (of --site).

    A job whose article has a newer revision since is superseded instead (the newer revision
    has jobs of its own).
    """
    with handled(app):
        if bool(ids) == everything:
            raise FieldError(
                "give job IDs or --all, not both" if ids else "no job to retry",
                hint="`warta jobs retry 12 13` or `warta jobs retry --all [--site SLUG]`; "
                "list failed jobs with `warta jobs list`",
                field="ids",
            )
        services = app.services
        site_id = services.store.get_site(site).id if site else None
        try:
            queued = services.queue.retry(job_ids=list(ids) if ids else None, site_id=site_id)
        except (NotFoundError, ConflictError) as exc:  # the IDs given are wrong: bad input
            raise FieldError(exc.message, hint=exc.hint, field="ids", **exc.context) from exc
    app.err.print(f"{queued} job(s) queued again")


COMMANDS = (jobs,)
