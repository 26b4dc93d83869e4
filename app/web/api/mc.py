"""Monte Carlo dropout: many mask draws of one state."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.documents.mc import mc_json
from app.link.cost import check_cost
from app.web.cache import cached_json
from app.web.errors import CACHED_RESPONSES
from app.web.params import SAMPLES, openapi_parameters, parse_checked
from app.web.schemas import MCModel

router = APIRouter(prefix="/api", tags=["monte carlo"])


@router.get(
    "/mc",
    summary="Monte Carlo dropout: output probability per draw, mean and spread of h and each gate",
    responses={
        200: {"model": MCModel, "description": "Per-draw probabilities and per-step spreads."},
        **CACHED_RESPONSES,
    },
    openapi_extra=openapi_parameters(SAMPLES),
)
async def get_mc(request: Request) -> Response:
    def checked(s, extra) -> str:
        check_cost(s, "mc", extra["samples"], field="samples")
        return f"mc|{extra['samples']}|{s.canonical()}"

    s, extra, key = await parse_checked(request, checked, SAMPLES)
    return await cached_json(request, key, lambda: mc_json(s, extra["samples"]))
