"""Every preset: description, versions, source, and the masks it resolves to."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.documents.presets import presets_json
from app.web.cache import cached_json
from app.web.errors import CACHED_RESPONSES
from app.web.params import reject_params
from app.web.schemas import PresetsModel

router = APIRouter(prefix="/api", tags=["presets"])


@router.get(
    "/presets",
    summary="Every preset with its description, version range, source and the masks it resolves to",
    responses={200: {"model": PresetsModel, "description": "All presets."}, **CACHED_RESPONSES},
)
async def get_presets(request: Request) -> Response:
    reject_params(request)
    return await cached_json(request, "presets", presets_json, inline=lambda: True)
