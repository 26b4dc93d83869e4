"""The training lab's stream: GET /api/train?<state>&configs=...&epochs=... (server-sent events)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from app.lab.stream import Busy, Unavailable
from app.link.lab_query import LAB_FIELDS, parse_lab
from app.web.errors import ERROR_RESPONSES
from app.web.params import openapi_parameters, read_query
from app.web.schemas import BusyBody, UnavailableBody

router = APIRouter(prefix="/api", tags=["training lab"])

EVENTS = """Server-sent events, in this order:
(only with Redis, when the run waits for a lab worker: `queued` {ahead, seconds}, the runs it waits for and the
estimated seconds before it starts;)
`start` {query, configs, titles, links, seeds, epochs, total, metric, metric_title, study, study_title,
study_question};
`epoch` {config, seed, epoch, train_loss, train_acc, val_loss, val_acc} after every epoch of every training
(configuration x seed; trainings run in parallel, so their epochs interleave);
`progress` {done, total, elapsed} after every epoch event (time left: elapsed x (total - done) / done);
`done` {metric, metric_title, table: [{config, title, values, mean, sd, min, max, train_values, train_mean, gap,
best_values, best_epochs}], comparisons: [{a, b, metric, difference, interval: [lo, hi], seeds, verdict,
differences}], sentence, seconds}: difference = mean over seeds of b's metric minus a's, interval its paired t
95% interval, verdict "a better", "b better" or "no clear difference" (named only when the interval excludes 0);
or `stopped` / `error` {message}. The same query gives the same epoch rows and done table, comparisons and
sentence; a finished run is replayed byte for byte, and a recorded study (study=NAME, or the lab's default
link) at once, without progress events or seconds."""


class EventStream(StreamingResponse):
    """A stream that closes its events when the response ends, the client gone or not: the lab
    counts a run's listeners by them (app/lab/runner.py), never at the garbage collector's pace."""

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


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
        503: {
            "model": UnavailableBody,
            "description": "The lab cannot train now: its Redis does not answer, or no lab worker runs (only with "
            "DROPOUT_LAB_REDIS_URL); the detail says which. Traces keep working.",
        },
        **ERROR_RESPONSES,
    },
    openapi_extra=_lab_parameters(),
)
async def get_train(request: Request):
    lab = await read_query(request, lambda: parse_lab(request.query_params.multi_items()))
    try:
        events = await request.app.state.lab.stream(lab)
    except Busy as busy:
        headers = {"Retry-After": str(busy.retry_after), "Cache-Control": "no-store"}
        return JSONResponse({"detail": str(busy), "retry_after": busy.retry_after}, status_code=429, headers=headers)
    except Unavailable as down:
        headers = {"Retry-After": "30", "Cache-Control": "no-store"}
        return JSONResponse({"detail": str(down)}, status_code=503, headers=headers)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: do not buffer the stream
    return EventStream(events, media_type="text/event-stream", headers=headers)
