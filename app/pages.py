"""HTML routes: the API docs (Swagger UI served from the installed package, no CDN) and the
landing page. Templates escape every reflected value (Jinja2 autoescape)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api.params import reject_params

ROOT = Path(__file__).resolve().parents[1]
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    reject_params(request)
    return templates.TemplateResponse(request, "docs.html", {"version": __version__})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(ROOT / "static" / "favicon.svg", media_type="image/svg+xml")
