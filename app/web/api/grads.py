"""Gradients through time: how the masks block the backward pass, and what reaches early words."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.documents.grads import grads_json, rule_label
from app.link.cost import check_cost
from app.web.cache import cached_json
from app.web.errors import CACHED_RESPONSES
from app.web.params import LABEL, openapi_parameters, parse_checked
from app.web.schemas import GradsModel

router = APIRouter(prefix="/api", tags=["gradients"])


@router.get(
    "/grads",
    summary="Loss and gradients through time of the state's sequence, with its masks and without dropout",
    responses={
        200: {"model": GradsModel, "description": "Per layer and step the norms of dL/dh and dL/dc."},
        **CACHED_RESPONSES,
    },
    openapi_extra=openapi_parameters(LABEL),
)
async def get_grads(request: Request) -> Response:
    given = "label" in request.query_params

    def checked(s, extra) -> tuple[int, str]:
        check_cost(s, "grads")
        label = extra["label"] if given else rule_label(s)
        return label, f"grads|{label}|{s.canonical()}"

    s, _, (label, key) = await parse_checked(request, checked, LABEL)
    return await cached_json(request, key, lambda: grads_json(s, label))
