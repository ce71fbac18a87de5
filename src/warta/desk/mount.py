"""Adding the desk to an app: its state, its routes, its static files under ``/desk/static``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from warta.desk.state import DeskState


def mount_desk(app: FastAPI) -> None:
    """Call before the site's routes are included: ``/desk/...`` must win over ``/{lang}/...``."""
    from warta.desk.admin import router as admin_router
    from warta.desk.edition import router as edition_router
    from warta.desk.editors import router as editors_router
    from warta.desk.history import router as history_router
    from warta.desk.routes import router as desk_router

    app.state.desk = DeskState.build()
    app.mount("/desk/static", StaticFiles(packages=[("warta.desk", "static")]), name="desk-static")
    app.include_router(desk_router)
    app.include_router(edition_router)
    app.include_router(history_router)
    app.include_router(admin_router)
    app.include_router(editors_router)
