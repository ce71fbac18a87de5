"""The JSON API under /api/v1: ``router`` includes every sub-router (one ``include_router``).

Read-only status lives here; articles (:mod:`warta.api.articles`), webhooks
(:mod:`warta.api.webhooks`) and editors (:mod:`warta.api.editor`) beside it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from warta.api import articles, editor, editors, jobs, webhooks
from warta.api.auth import SiteDep
from warta.api.deps import (
    ServicesDep,
    get_services,
    reject_control_characters,
    reject_unknown_query,
)
from warta.api.responses import errors

__all__ = ["ServicesDep", "get_services", "router"]

router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(reject_unknown_query), Depends(reject_control_characters)],
)


@router.get("/status", tags=["status"], responses=errors(401, 429))
def status(services: ServicesDep, access: SiteDep) -> dict[str, Any]:
    """The key's site, per article and language: status and the reason (e.g. no model)."""
    rows = services.store.status_rows(site_id=access.site_id)
    return {
        "site": access.site,
        "models": [
            {
                "name": m.name,
                "source": m.source.value,
                "target": m.target.value,
                "checksum": m.checksum,
            }
            for m in services.store.list_models()
        ],
        "editions": [r.to_dict() for r in rows],
    }


router.include_router(articles.router)
router.include_router(webhooks.router)
router.include_router(editor.router)
router.include_router(editors.router)
router.include_router(jobs.router)
