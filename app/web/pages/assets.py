"""The API docs page and the vendored assets: /docs (Swagger UI from its package), the favicon and
plotly.js from the installed plotly package (never a CDN)."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from app import __version__
from app.web.cache import compress, negotiated
from app.web.config import get_settings
from app.web.pages.render import PLOTLY_FILE, PLOTLY_JS, ROOT, templates
from app.web.params import reject_params

router = APIRouter(include_in_schema=False)


@router.api_route("/docs", methods=["GET", "HEAD"], response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    reject_params(request)
    return templates.TemplateResponse(request, "docs.html", {"version": __version__})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(ROOT / "static" / "favicon.svg", media_type="image/svg+xml")


@lru_cache(maxsize=1)
def _plotly_bytes() -> tuple[bytes, bytes]:
    body = PLOTLY_FILE.read_bytes()
    return body, compress(body, get_settings(), always=True)


@router.get(PLOTLY_JS)
def plotly_js(request: Request) -> Response:
    """plotly.js from the installed plotly package (never a CDN), its version in the name, so
    it may be cached for a year; gzipped once, in memory."""
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}
    return Response(negotiated(request, *_plotly_bytes(), headers), media_type="text/javascript", headers=headers)
