"""The explorer: ``/`` and ``/?<state>`` (with ``vs.FIELD=VALUE``: model B beside it). It embeds the
trace of its state, so the first paint waits for no API call."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app.core.encoding import dumps
from app.core.problems import Problem, StateError, capped
from app.engine.semantics import PRESETS
from app.link import compare
from app.link.state import (
    FIELD,
    PANELS,
    State,
)
from app.web.pages.render import PLOTLY_JS, html_json, page, page_constants, page_params, parse_lenient, trace_text

router = APIRouter(include_in_schema=False)


def _compare(request: Request, a: State, vs: list[tuple[str, str]]) -> dict:
    """Compare mode for the page: B's canonical link and trace, or the problems of the vs. fields."""
    try:
        b = compare.parse_b(a, vs)
    except StateError as err:
        return {"vs": vs, "query": None, "problems": [p.as_dict() for p in capped(err.problems)]}
    if b is None:
        return {"vs": [], "query": None, "problems": []}
    return {"vs": vs, "query": b.canonical(), "link": compare.canonical(a, b), "problems": [], "b": b}


def explorer_context(
    request: Request, pairs: list[tuple[str, str]], extra_problems: Sequence[Problem] = (), **constants
) -> dict:
    """What explorer.html renders for a link (the explorer, a lesson step, an embed); extra_problems:
    the calling page's own (a lesson step's or an embed's parameters)."""
    pairs, present, problems = page_params(pairs)
    problems = [*extra_problems, *problems]
    a_pairs, vs = compare.split(pairs)
    s, state_problems = parse_lenient(a_pairs)
    problems += state_problems
    comparison = _compare(request, s, vs)
    b = comparison.pop("b", None)
    return {
        "present": present,
        "state": s,
        "problems": problems,
        "problem_map": {p.field: p for p in problems},
        "preset_options": [(p.name, p.title) for p in PRESETS.values()],
        "fields": FIELD,
        "panels": PANELS,
        "limits": page_constants()["limits"],
        "trace_json": html_json(trace_text(request, s)),
        "compare_trace_json": html_json(trace_text(request, b)) if b is not None else "null",
        "constants_json": html_json(
            dumps(
                {
                    **page_constants(),
                    "problems": [p.as_dict() for p in capped(problems)],
                    "compare": comparison,
                    "present": present,
                    "plotly": PLOTLY_JS,
                    **constants,
                }
            )
        ),
        "plotly_js": PLOTLY_JS,
    }


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def explorer(request: Request) -> Response:
    pairs = request.query_params.multi_items()
    return await page(request, "explorer.html", lambda: explorer_context(request, pairs))
