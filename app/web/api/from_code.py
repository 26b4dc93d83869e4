"""GET /api/from-code?code=...: a Keras or PyTorch model's code, read (never run) into the lab's state.

The answer is the reading (app/yourmodel/state.py ``Reading.as_dict``) with ``ok``: 200 whenever the
request is well formed, also when the code cannot be mapped. Such code is an answer, not a
malformed request: its ``reasons`` name lines of the code (not query parameters, as a 422's
problems do), next to the models and notes that were read. A 422 is for the parameter itself:
missing, given twice, longer than ``MAX_CODE`` characters, or holding control characters.

Reading MAX_CODE characters of code takes a few ms of ``ast`` alone: the reading runs in the
fair compute queue (app/web/compute.py), and its answer is cached by the code's hash."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request, Response

from app.core.encoding import dumps
from app.core.problems import Problem, StateError, shown
from app.link.fields import CONTROL
from app.web.cache import cached_json
from app.web.errors import CACHED_RESPONSES
from app.web.params import read_query
from app.web.schemas import FromCodeModel
from app.yourmodel import read_code
from app.yourmodel.code import MAX_CODE

router = APIRouter(prefix="/api", tags=["your model"])
CODE = "code"
ALLOWED = (
    f"Keras 3, tf.keras 2 or PyTorch code, 1 to {MAX_CODE} characters, no control characters but tab and line breaks"
)
EXAMPLE = "model.add(LSTM(units=100, dropout=0.5, recurrent_dropout=0.5))"


def _problem(raw: str, message: str) -> Problem:
    return Problem(CODE, shown(raw), ALLOWED, message)


def code_problems(raw: str) -> list[Problem]:
    """What is wrong with the code as a parameter (not as a model: that is the reading's)."""
    size = len(raw) - raw.count("\r\n")  # a form sends the box's line breaks as CR LF: one character each
    if size > MAX_CODE:
        return [_problem(raw, f"code is {size} characters long; it must be at most {MAX_CODE} characters.")]
    if (bad := CONTROL.search(raw)) is not None:
        line = raw.count("\n", 0, bad.start()) + 1
        column = bad.start() - (raw.rfind("\n", 0, bad.start()) + 1) + 1
        return [
            _problem(
                raw,
                f"code must be text without control characters (tab and line breaks are fine): U+{ord(bad.group()):04X}"
                f" at line {line}, column {column}.",
            )
        ]
    if not raw.strip():
        return [_problem(raw, f"code is empty: paste a model's code, such as '{EXAMPLE}'.")]
    return []


def code_of(pairs: list[tuple[str, str]], own: tuple[str, ...] = ()) -> str:
    """The one ``code`` parameter of a query (``own``: other names the caller takes); StateError
    names every problem: missing, given twice, too long, control characters, unknown parameters."""
    problems = [
        Problem(k, shown(v), f"the parameter {CODE}", f"unknown parameter {shown(k)!r}: give the code as {CODE}=...")
        for k, v in pairs
        if k != CODE and k not in own
    ]
    values = [v for k, v in pairs if k == CODE]
    if not values:
        problems.append(Problem(CODE, "", ALLOWED, f"code is required: paste a model's code, such as '{EXAMPLE}'."))
    elif len(values) > 1:
        problems.append(_problem(values[-1], "code is given more than once; give it once."))
    else:
        problems += code_problems(values[0])
    if problems:
        raise StateError(problems)
    return values[0]


def reading_json(code: str) -> str:
    """The answer's JSON: the reading and whether it opens a state."""
    reading = read_code(code)
    return dumps({"ok": reading.ok, **reading.as_dict()})


@router.get(
    "/from-code",
    summary="Read a Keras or PyTorch model's code (never run) into the lab's state and compare link",
    operation_id="get_from_code",
    responses={
        200: {
            "model": FromCodeModel,
            "description": "The reading: ok and the link to open, or the reasons, line by line, why not.",
        },
        **CACHED_RESPONSES,
    },
    openapi_extra={
        "parameters": [
            {
                "name": CODE,
                "in": "query",
                "required": True,
                "description": f"The model's code: read with Python's ast, never run. Allowed: {ALLOWED} "
                "(a CR LF line break counts as one character, as in the page's box).",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CODE, "pattern": r"\S"},
            }
        ]
    },
)
async def from_code(request: Request) -> Response:
    code = await read_query(request, lambda: code_of(request.query_params.multi_items()))
    key = "from-code|" + hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()
    return await cached_json(request, key, lambda: reading_json(code))
