"""Query parameters: the state's fields (app/link/state.py, every version) and a route's own, each
documented and parsed by its Field (app/link/fields.py). FastAPI does not coerce them itself (lax
coercion would accept ``false`` for a number), so there is one validation path, and the OpenAPI
schema states exactly what it accepts."""

from __future__ import annotations

from fastapi import Request

from app.core.problems import Problem, StateError, shown
from app.link.fields import Field, Int
from app.link.state import FIELDS, State, parse_with

SAMPLES = Field("samples", Int(1, 100), 30, "Number of Monte Carlo mask draws (seeds seed, seed+1, ...).")
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


def reject_params(request: Request) -> None:
    """For routes without parameters: every parameter given is named in a 422."""
    problems = [
        Problem(name, shown(value), "no parameters", f"unknown parameter {shown(name)!r}: this route takes none.")
        for name, value in request.query_params.multi_items()
    ]
    if problems:
        raise StateError(problems)
