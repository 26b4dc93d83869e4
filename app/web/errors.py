"""Every invalid request is a 422 listing every problem; nothing becomes a 500."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from app.core.problems import StateError
from app.web.schemas import ErrorBody

ERROR_RESPONSES: dict[int | str, dict] = {
    422: {
        "model": ErrorBody,
        "description": "Invalid state: every problem, each naming field, value and what is allowed.",
    },
}


# Every cached route: a 304 on a matching If-None-Match, a 422 on a bad state.
CACHED_RESPONSES: dict[int | str, dict] = {
    304: {"description": "Not Modified: If-None-Match matched the ETag."},
    **ERROR_RESPONSES,
}


async def state_error_handler(request: Request, exc: StateError) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content={"detail": str(exc), "problems": [p.as_dict() for p in exc.problems]},
        headers={"Cache-Control": "no-store"},
    )
