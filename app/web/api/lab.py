"""The training lab's stream: GET /api/train?<state>&configs=...&epochs=... (server-sent events)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from app.lab.runner import Busy
from app.link.lab_query import LAB_FIELDS, parse_lab
from app.web.errors import ERROR_RESPONSES
from app.web.params import openapi_parameters
from app.web.schemas import BusyBody

router = APIRouter(prefix="/api", tags=["training lab"])

EVENTS = """Server-sent events, in this order:
`start` {query, configs, titles, epochs, batches};
`progress` {config, epoch, batch, batches} after every batch;
`epoch` {config, epoch, train_loss, train_acc, val_loss, val_acc} after every epoch of every configuration;
`done` {table: [{config, title, best_val_acc, best_epoch, final_train_acc, final_val_acc, gap, seconds}], sentence};
or `stopped` / `error` {message}. The same query gives the same events (a finished run is replayed; seconds are
those of its first run)."""


def _lab_parameters() -> dict:
    return {"parameters": openapi_parameters()["parameters"] + [f.parameter() for f in LAB_FIELDS]}


@router.get(
    "/train",
    summary="Train the configurations of the training lab side by side, streamed as server-sent events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}, "description": EVENTS},
        429: {
            "model": BusyBody,
            "description": "Every lab worker is training; the Retry-After header says when to retry.",
        },
        **ERROR_RESPONSES,
    },
    openapi_extra=_lab_parameters(),
)
async def get_train(request: Request):
    lab = parse_lab(request.query_params.multi_items())
    try:
        events = await request.app.state.lab.stream(lab)
    except Busy as busy:
        headers = {"Retry-After": str(busy.retry_after), "Cache-Control": "no-store"}
        return JSONResponse({"detail": str(busy), "retry_after": busy.retry_after}, status_code=429, headers=headers)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: do not buffer the stream
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)
