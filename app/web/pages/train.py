"""The training lab's page: ``/train?<state>&configs=...`` (its stream: app/web/api/lab.py)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app.core.encoding import dumps
from app.core.problems import Problem
from app.link.lab_query import CONFIG_TITLES, LAB_FIELD, LAB_FIELDS, MAX_WORK, VAL_SIZE, parse_lab_lenient
from app.web.pages.render import PLOTLY_JS, html_json, page_constants, page_params, parse_lenient, render

router = APIRouter(include_in_schema=False)


@router.api_route("/train", methods=["GET", "HEAD"], response_class=HTMLResponse)
def training_lab(request: Request) -> Response:
    """The training lab: the configurations of a state trained side by side (/api/train)."""
    return render(request, "train.html", lab_context(request, request.query_params.multi_items()))


@lru_cache(maxsize=1)
def lab_constants() -> dict:
    """What the lab page's scripts need of the lab's field table and bounds."""
    return {
        "lab_fields": [f.as_json() for f in LAB_FIELDS],
        "config_titles": CONFIG_TITLES,
        "lab_limits": {"max_work": MAX_WORK, "val_size": VAL_SIZE},
    }


def lab_context(
    request: Request, pairs: list[tuple[str, str]], extra_problems: Sequence[Problem] = (), **extra
) -> dict:
    """What train.html renders for a lab link (the lab, and a lesson step drawn by it)."""
    pairs, present, problems = page_params(pairs)
    problems = [*extra_problems, *problems]
    lab, lab_problems = parse_lab_lenient(pairs, parse_lenient)
    problems += lab_problems
    constants = {
        **page_constants(),
        **lab_constants(),
        "lab": {"query": lab.canonical(), "state": lab.state.canonical(), "configs": list(lab.configs)},
        "problems": [p.as_dict() for p in problems],
        "present": present,
        "plotly": PLOTLY_JS,
        **extra,
    }
    return {
        "present": present,
        "lab": lab,
        "state": lab.state,
        "problems": problems,
        "problem_map": {p.field: p for p in problems},
        "lab_fields": LAB_FIELD,
        "config_titles": CONFIG_TITLES,
        "constants_json": html_json(dumps(constants)),
        "plotly_js": PLOTLY_JS,
    }
