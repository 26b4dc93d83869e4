"""Traces, weights and the resolved state: pure functions of the query string."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.cache import cached_json
from app.api.deps import CacheDep, SettingsDep
from app.api.errors import ERROR_RESPONSES
from app.api.params import openapi_parameters, parse_request
from app.api.schemas import StateModel, TraceModel, WeightsModel
from app.encoding import dumps
from app.engine.vocab import word
from app.state import State
from app.trace import TRACE_VERSION, config, plan_json, trace_json, weights_json

router = APIRouter(prefix="/api", tags=["trace"])

CACHED = {
    304: {"description": "Not Modified: If-None-Match matched the ETag."},
    **ERROR_RESPONSES,
}


def state_json(s: State) -> str:
    steps = s.sequence()
    return dumps(
        {
            "version": TRACE_VERSION,
            "state": s.canonical(),
            "link": "/?" + s.canonical(),
            "config": config(s, len(steps)),
            "plan": plan_json(s),
            "tokens": [{"id": int(t), "word": word(int(t))} for t in steps],
        }
    )


@router.get(
    "/trace",
    summary="The trace of a state: every gate, state and mask at every step",
    responses={200: {"model": TraceModel, "description": "Trace format version 1."}, **CACHED},
    openapi_extra=openapi_parameters(),
)
async def get_trace(request: Request, cache: CacheDep, settings: SettingsDep) -> Response:
    s, _ = parse_request(request)
    return await cached_json(request, "trace|" + s.canonical(), lambda: trace_json(s), cache, settings)


@router.get(
    "/weights",
    summary="The weights of a state's model (Keras layout)",
    responses={200: {"model": WeightsModel, "description": "Weights as typed arrays."}, **CACHED},
    openapi_extra=openapi_parameters(),
)
async def get_weights(request: Request, cache: CacheDep, settings: SettingsDep) -> Response:
    s, _ = parse_request(request)
    return await cached_json(request, "weights|" + s.canonical(), lambda: weights_json(s), cache, settings)


@router.get(
    "/state",
    summary="The canonical state, its resolved plan and notes, without arrays",
    responses={200: {"model": StateModel, "description": "Cheap: for validating and normalising links."}, **CACHED},
    openapi_extra=openapi_parameters(),
)
async def get_state(request: Request, cache: CacheDep, settings: SettingsDep) -> Response:
    s, _ = parse_request(request)
    return await cached_json(request, "state|" + s.canonical(), lambda: state_json(s), cache, settings)
