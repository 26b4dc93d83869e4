"""Every invalid request is a 422 listing every problem; nothing becomes a 500."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app.core.problems import StateError, error_body
from app.web.compute import Abandoned, Overloaded
from app.web.schemas import BusyBody, ErrorBody

ERROR_RESPONSES: dict[int | str, dict] = {
    422: {
        "model": ErrorBody,
        "description": "Invalid state: every problem, each naming field, value and what is allowed.",
    },
}


# Every cached route: a 304 on a matching If-None-Match, a 422 on a bad state, a 503 when the
# computations were busy for too long (app/web/compute.py).
CACHED_RESPONSES: dict[int | str, dict] = {
    304: {"description": "Not Modified: If-None-Match matched the ETag."},
    **ERROR_RESPONSES,
    503: {
        "model": BusyBody,
        "description": "The server's computations were busy too long for this request; Retry-After says when to retry.",
    },
}


async def state_error_handler(request: Request, exc: StateError) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content=error_body(exc.problems),
        headers={"Cache-Control": "no-store"},
    )


async def overloaded_handler(request: Request, exc: Overloaded) -> JSONResponse:
    """No compute thread in time for this request (app/web/compute.py): a 503 saying when to retry."""
    return JSONResponse(
        status_code=503,
        content={"detail": str(exc), "retry_after": exc.retry_after},
        headers={"Cache-Control": "no-store", "Retry-After": str(exc.retry_after)},
    )


async def abandoned_handler(request: Request, exc: Abandoned) -> Response:
    """The answer to a request whose client left before its computation ended: nobody reads it."""
    return Response(status_code=503, headers={"Cache-Control": "no-store"})


async def send_json(send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] = ()) -> None:
    """A JSON answer sent by a pure ASGI middleware, before any route: never cached."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
