"""``/api/docs``: Swagger UI served from an installed package, so the page works offline.

FastAPI's own docs page loads Swagger UI from a CDN: blank on a machine without internet (a
newsroom's intranet, a laptop on a train). The assets here come from the ``fastapi-offline``
package, which ships Swagger UI 5 (``swagger-ui-bundle.js``, ``swagger-ui.css``: the files of
``swagger-ui-dist``, which renders the OpenAPI 3.1 description FastAPI writes) and a favicon.
Nothing on the page names another host; the spec validator badge (which calls
validator.swagger.io) is switched off.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS_URL = "/api/docs"
ASSETS_URL = "/api/docs-assets"
ASSETS_PACKAGE = ("fastapi_offline", "static")  # swagger-ui-bundle.js, swagger-ui.css, favicon.png


def install_docs(app: FastAPI, *, openapi_url: str) -> None:
    """Serve Swagger UI at :data:`DOCS_URL` with its assets under :data:`ASSETS_URL`.

    Create the app with ``docs_url=None`` so that FastAPI's CDN page is not mounted as well.
    """
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="api-docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
