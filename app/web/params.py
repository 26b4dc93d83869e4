"""Query parameters: the state fields (app/link/state.py, every version), documented from app/link/state.py and parsed
by it. FastAPI does not coerce them itself (lax coercion would accept ``false`` for a number),
so there is one validation path, and the OpenAPI schema states exactly what it accepts."""

from __future__ import annotations

from fastapi import Request

from app.link.state import FIELDS, MAX_TEXT, MAX_VALUE, Field, Problem, State, StateError, parse

TOKENS_PATTERN = r"^\s*[0-9]{1,20}\s*(,\s*[0-9]{1,20}\s*)*$"
WORD_PATTERN = r"[^\s!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~]"

SAMPLES = Field("samples", "int", 30, "Number of Monte Carlo mask draws (seeds seed, seed+1, ...).", 1, 100)
LABEL = Field(
    "label", "int", 1, "The sequence's label (0 or 1); default: what the toy task's rule says of the sentence.", 0, 1
)


def schema_of(f: Field) -> dict:
    if f.kind == "int":
        return {"type": "integer", "minimum": f.lo, "maximum": f.hi, "default": f.default}
    if f.kind == "rate":
        return {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "default": f.default}
    if f.kind == "choice":
        return {"type": "string", "enum": list(f.choices), "default": f.default}
    if f.kind == "names":
        name = "(" + "|".join(f.choices) + ")"
        return {"type": "string", "pattern": f"^({name}(,{name})*)?$", "maxLength": MAX_VALUE["names"], "default": ""}
    if f.kind == "text":
        return {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": WORD_PATTERN, "default": f.default}
    return {"type": "string", "pattern": TOKENS_PATTERN, "maxLength": 6000}


def openapi_parameters(*extra: Field) -> dict:
    """``openapi_extra`` for a route taking the state (and ``extra`` fields) as query parameters."""
    return {
        "parameters": [
            {
                "name": f.name,
                "in": "query",
                "required": False,
                "description": f"{f.doc} Allowed: {f.allowed}.",
                "schema": schema_of(f),
            }
            for f in (*FIELDS, *extra)
        ]
    }


def parse_request(request: Request, *extra: Field) -> tuple[State, dict[str, int]]:
    """The state and the extra integer fields of a request; StateError lists every problem."""
    names = {f.name: f for f in extra}
    pairs, extras, problems = [], {}, []
    for name, value in request.query_params.multi_items():
        if name not in names:
            pairs.append((name, value))
            continue
        f = names[name]
        if name in extras or any(p.field == name for p in problems):
            problems.append(Problem(name, value[:80], "one value", f"{name} is given more than once; give it once."))
        elif not (value.isascii() and value.isdigit() and len(value) <= 9 and f.lo <= int(value) <= f.hi):
            shown = value if len(value) <= 80 else value[:77] + "..."
            problems.append(Problem(name, shown, f.allowed, f"{name} must be {f.allowed}; got {shown!r}."))
        else:
            extras[name] = int(value)
    try:
        state = parse(pairs)
    except StateError as err:
        problems = err.problems + problems
        raise StateError(problems) from None
    if problems:
        raise StateError(problems)
    return state, {f.name: extras.get(f.name, f.default) for f in extra}


def reject_params(request: Request) -> None:
    """For routes without parameters: every parameter given is named in a 422."""
    problems = [
        Problem(name, value[:80], "no parameters", f"unknown parameter {name[:80]!r}: this route takes none.")
        for name, value in request.query_params.multi_items()
    ]
    if problems:
        raise StateError(problems)
