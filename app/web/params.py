"""Query parameters: the state's fields (app/link/state.py, every version) and a route's own, each
documented and parsed by its Field (app/link/fields.py). FastAPI does not coerce them itself (lax
coercion would accept ``false`` for a number), so there is one validation path, and the OpenAPI
schema states exactly what it accepts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from fastapi import Request

from app.core.problems import Problem, StateError, shown
from app.link.cost import SAMPLES_MAX
from app.link.fields import Field, Int
from app.link.state import FIELDS, State, parse_with

T = TypeVar("T")
SAMPLES = Field("samples", Int(1, SAMPLES_MAX), 30, "Number of Monte Carlo mask draws (seeds seed, seed+1, ...).")
LABEL = Field(
    "label", Int(0, 1), 1, "The sequence's label (0 or 1); default: what the toy task's rule says of the sentence."
)


def openapi_parameters(*extra: Field) -> dict:
    """``openapi_extra`` for a route taking the state (and ``extra`` fields) as query parameters."""
    return {"parameters": [f.parameter() for f in (*FIELDS, *extra)]}


def parse_request(request: Request, *extra: Field) -> tuple[State, dict[str, object]]:
    """The state and the route's extra fields of a request; StateError lists every problem."""
    state, values = parse_with(request.query_params.multi_items(), {f.name: f for f in extra})
    return state, {f.name: values.get(f.name, f.default) for f in extra}


LONG_QUERY = 1_024  # bytes: a longer query (a long sentence) is parsed in a thread, not on the event loop


async def read_query(request: Request, work: Callable[[], T]) -> T:
    """``work()`` (reading the request's query) on the event loop when the query is short (well under a
    millisecond), in a worker thread when it is long (a 10,000-character sentence takes milliseconds
    to read and tokenise)."""
    if len(request.scope.get("query_string", b"")) <= LONG_QUERY:
        return work()
    return await anyio.to_thread.run_sync(work)


async def parse_checked(request: Request, check: Callable[[State, dict], T], *extra: Field) -> tuple[State, dict, T]:
    """``(state, extra values, check(state, values))``: the request parsed and checked (its cost, its
    own bounds), off the event loop if its query is long (``read_query``)."""

    def work() -> tuple[State, dict, T]:
        s, values = parse_request(request, *extra)
        return s, values, check(s, values)

    return await read_query(request, work)


def reject_params(request: Request) -> None:
    """For routes without parameters: every parameter given is named in a 422."""
    problems = [
        Problem(name, shown(value), "no parameters", f"unknown parameter {shown(name)!r}: this route takes none.")
        for name, value in request.query_params.multi_items()
    ]
    if problems:
        raise StateError(problems)
