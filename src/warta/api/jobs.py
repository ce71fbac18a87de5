"""Translation jobs of the caller's site: the dead letters, and queueing them again."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from warta.api.auth import SiteDep
from warta.api.deps import ServicesDep
from warta.api.responses import KEYED, errors
from warta.api.schemas import JobDetail, JobList, JobRetried
from warta.domain import JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=KEYED)

STATES: dict[str, JobStatus] = {
    "failed": JobStatus.FAILED,
    "queued": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
}


@router.get("")
def list_jobs(
    services: ServicesDep,
    access: SiteDep,
    state: Annotated[
        Literal["failed", "queued", "running"],
        Query(description="failed: the dead letters (failed for good until retried)"),
    ] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JobList:
    """The site's jobs in one state, the most recently changed first."""
    found = services.queue.listed(statuses=(STATES[state],), site_id=access.site_id, limit=limit)
    return JobList(state=state, jobs=[JobDetail.from_domain(j) for j in found])


@router.post("/{job_id}/retry", responses=errors(404, 409))
def retry_job(
    services: ServicesDep,
    access: SiteDep,
    job_id: Annotated[
        int, Path(ge=1, le=2**31 - 1, description="The job's id (GET /api/v1/jobs).")
    ],
) -> JobRetried:
    """Queue a failed job again, its attempts reset (404: no such job of this site; 409: the
    job is not failed). A job whose article has a newer revision is superseded instead."""
    queued = services.queue.retry(job_ids=[job_id], site_id=access.site_id)
    return JobRetried(queued=bool(queued), job=JobDetail.from_domain(services.queue.get(job_id)))
