"""Traces, weights, the resolved state and the framework code: pure functions of the query."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.documents.code import code_json
from app.documents.trace import state_json, trace_json
from app.documents.weights import weights_json
from app.link.cost import check_cost
from app.link.state import State
from app.web.cache import INLINE_VALUES, cached_json
from app.web.errors import CACHED_RESPONSES
from app.web.params import openapi_parameters, parse_checked
from app.web.schemas import CodeModel, StateModel, TraceModel, WeightsModel

router = APIRouter(prefix="/api", tags=["trace"])


def state_route(
    name: str, summary: str, model: type[BaseModel], description: str, build: Callable[[State], str], route: str
):
    """GET /api/<name>?<state>: ``build(state)`` as cached JSON with validators."""

    def checked(s: State, _) -> tuple[str, bool]:
        """The cache key, after the cost check, and whether a miss is small enough for the event loop."""
        check_cost(s, route)
        return f"{name}|{s.canonical()}", len(s.sequence()) * s.layers * s.units <= INLINE_VALUES

    @router.get(
        f"/{name}",
        summary=summary,
        operation_id=f"get_{name}",
        responses={200: {"model": model, "description": description}, **CACHED_RESPONSES},
        openapi_extra=openapi_parameters(),
    )
    async def endpoint(request: Request) -> Response:
        s, _, (key, small) = await parse_checked(request, checked)
        return await cached_json(request, key, lambda: build(s), inline=lambda: small)

    return endpoint


state_route(
    "trace",
    "The trace of a state: every gate, state and mask at every step",
    TraceModel,
    "Trace format version 1.",
    trace_json,
    "trace",
)
state_route(
    "weights", "The weights of a state's model (Keras layout)", WeightsModel, "Typed arrays.", weights_json, "weights"
)
state_route(
    "state",
    "The canonical state, its resolved plan and notes, without arrays",
    StateModel,
    "Cheap: for validating and normalising links.",
    state_json,
    "state",
)
state_route(
    "code",
    "Keras 3, tf.keras 2 and PyTorch code for this state, with comments where a scheme needs a custom cell",
    CodeModel,
    "Source code as text.",
    code_json,
    "code",
)
