"""The framework code that builds a state's model."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.cache import cached_json
from app.api.deps import CacheDep, SettingsDep
from app.api.params import openapi_parameters, parse_request
from app.api.routes.trace import CACHED
from app.api.schemas import CodeModel
from app.codegen import code
from app.encoding import dumps

router = APIRouter(prefix="/api", tags=["code"])


@router.get(
    "/code",
    summary="Keras 3, tf.keras 2 and PyTorch code for this state, with comments where a scheme needs a custom cell",
    responses={200: {"model": CodeModel, "description": "Source code as text."}, **CACHED},
    openapi_extra=openapi_parameters(),
)
async def get_code(request: Request, cache: CacheDep, settings: SettingsDep) -> Response:
    s, _ = parse_request(request)
    return await cached_json(request, "code|" + s.canonical(), lambda: dumps(code(s)), cache, settings)
