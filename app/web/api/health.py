"""Liveness for load balancers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app import __version__
from app.code_version import code_version
from app.web.errors import ERROR_RESPONSES
from app.web.params import reject_params
from app.web.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness", responses={200: {"model": Health}, **ERROR_RESPONSES})
async def healthz(request: Request) -> JSONResponse:
    reject_params(request)
    body = {"status": "ok", "version": __version__, "code": code_version()}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
