"""Read-only status endpoints (the full integration API lives beside these)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from warta.services import Services

router = APIRouter(prefix="/api/v1")


def get_services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)  # noqa: S101 -- set by create_app
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


@router.get("/status")
def status(services: ServicesDep, site: str | None = None) -> dict[str, Any]:
    """Per article and language: status and the reason (e.g. no model installed)."""
    site_id = services.store.get_site(site).id if site else None
    rows = services.store.status_rows(site_id=site_id)
    return {
        "jobs": {k.value: v for k, v in services.queue.counts().items()},
        "models": [
            {
                "name": m.name,
                "source": m.source.value,
                "target": m.target.value,
                "checksum": m.checksum,
            }
            for m in services.store.list_models()
        ],
        "editions": [
            {
                "site": r.site,
                "external_id": r.external_id,
                "revision": r.revision_number,
                "lang": r.lang.value,
                "status": r.status.value,
                "reason": r.reason,
                "segments_reused": r.reused,
                "segments_translated": r.translated,
                "provenance": r.provenance_signature,
            }
            for r in rows
        ],
    }
