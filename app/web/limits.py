"""Bounds on a request's query, checked before anything parses it.

A link of this app has at most a few dozen parameters (the state's fields, B's ``vs.`` fields, a
route's or page's own). A query of thousands of parameters is refused here, in a few microseconds,
with one problem naming it: parsed and answered one problem each, 30,000 unknown parameters made a
20 MB answer and held the event loop for a second (issue 21)."""

from __future__ import annotations

from app.core.encoding import dumps
from app.core.problems import Problem, error_body
from app.web.errors import send_json

MAX_PARAMS = 200  # a full state (about 40 fields) and a full B beside it, with room to spare


def too_many(query: bytes) -> bytes | None:
    """The 422 body for a query of more than MAX_PARAMS parameters, else None."""
    count = query.count(b"&") + 1 if query else 0
    if count <= MAX_PARAMS:
        return None
    problem = Problem(
        "query",
        f"{count} parameters",
        f"at most {MAX_PARAMS} parameters",
        f"the query has {count} parameters; a link of this app has at most {MAX_PARAMS} (the state's fields, "
        "the compared model's vs. fields and the page's own).",
    )
    return dumps(error_body([problem])).encode()


class QueryLimits:
    """Pure ASGI middleware: a query of too many parameters gets its 422 before any route runs."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and (body := too_many(scope.get("query_string", b""))) is not None:
            return await send_json(send, 422, body)
        await self.app(scope, receive, send)
