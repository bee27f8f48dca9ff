"""/docs (Swagger UI) and /redoc (ReDoc) served offline, and the pages' own static files.

Swagger UI and ReDoc come from the `fastapi-offline` package, pinned in pyproject.toml: it
ships their built bundles (and nothing else runs of it here), so the docs load on a network
closed to the internet. FastAPI's own pages would load them from a CDN and bootstrap them with
an inline script; these templates load only files of this service, and the small start-up
script is a static file too, so the docs' policy needs no 'unsafe-inline' for scripts.
"""

from typing import Final

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.pages.templating import render

DOCS_PATH: Final = "/docs"
REDOC_PATH: Final = "/redoc"
STATIC_PATH: Final = "/static"
VENDOR_PATH: Final = "/docs-assets"


def install_docs_and_static(app: FastAPI) -> None:
    """Mount the static files and add the two docs pages (create the app with docs_url=None,
    redoc_url=None so FastAPI adds none of its own)."""
    app.mount(STATIC_PATH, StaticFiles(packages=[("app.pages", "static")]), name="static")
    app.mount(
        VENDOR_PATH, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets"
    )
    title = app.title

    @app.get(DOCS_PATH, include_in_schema=False)
    async def show_swagger_ui(request: Request) -> HTMLResponse:
        return HTMLResponse(render("docs_swagger.html", **_docs_context(request, app, title)))

    @app.get(REDOC_PATH, include_in_schema=False)
    async def show_redoc(request: Request) -> HTMLResponse:
        return HTMLResponse(render("docs_redoc.html", **_docs_context(request, app, title)))


def _docs_context(request: Request, app: FastAPI, title: str) -> dict[str, str]:
    root = request.scope.get("root_path", "")
    return {
        "title": title,
        "openapi_url": f"{root}{app.openapi_url}",
        "static": f"{root}{STATIC_PATH}",
        "vendor": f"{root}{VENDOR_PATH}",
    }
