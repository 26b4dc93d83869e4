"""The API docs page (/docs: Swagger UI from its package) and the favicon, both from this server
(never a CDN). plotly.js and Swagger UI's files are served with the rest of static/ from
app/web/static_files.py."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app import __version__
from app.web.pages.render import templates
from app.web.params import reject_params
from app.web.static_files import asset_response

router = APIRouter(include_in_schema=False)

# /favicon.ico is a fixed URL (browsers ask for it unprompted), so it cannot be immutable: a day,
# then a revalidation the ETag answers with a 304.
FAVICON_CACHE = "public, max-age=86400"


@router.api_route("/docs", methods=["GET", "HEAD"], response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    reject_params(request)
    return templates.TemplateResponse(request, "docs.html", {"version": __version__})


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
async def favicon(request: Request) -> Response:
    return asset_response(request, "favicon.svg", FAVICON_CACHE)
