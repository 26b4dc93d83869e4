"""The training lab's page: ``/train?<state>&configs=...`` (its stream: app/web/api/lab.py)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app.core.encoding import dumps
from app.core.problems import Problem, capped
from app.link.lab_query import (
    CONFIG_TITLES,
    LAB_FIELD,
    LAB_FIELDS,
    MAX_COST,
    VAL_SIZE,
    default_in,
    parse_lab_lenient,
)
from app.link.state import VERSIONS
from app.studies.recorded import DECLARED
from app.web.pages.render import PLOTLY_JS, html_json, page, page_constants, page_params, parse_lenient

router = APIRouter(include_in_schema=False)

# The recorded studies (app/studies/), as the lab page lists them: /train?study=NAME replays one.
# Their full title and question come with the replay (the `start` event: study_title, study_question).
STUDIES = {name: d.title for name, d in DECLARED.items()}  # the recorded studies (app/studies/)


@router.api_route("/train", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def training_lab(request: Request) -> Response:
    """The training lab: the configurations of a state trained side by side (/api/train)."""
    pairs = request.query_params.multi_items()
    return await page(request, "train.html", lambda: lab_context(request, pairs))


@lru_cache(maxsize=1)
def lab_constants() -> dict:
    """What the lab page's scripts need of the lab's field table and bounds."""
    return {
        "lab_fields": [f.as_json() for f in LAB_FIELDS],
        # each state version's lab defaults (a link keeps its version's): what the page's links omit
        "lab_defaults": {str(v): {f.name: f.kind.to_json(default_in(f, v)) for f in LAB_FIELDS} for v in VERSIONS},
        "config_titles": CONFIG_TITLES,
        "lab_limits": {"max_cost": MAX_COST, "val_size": VAL_SIZE},
    }


def lab_context(
    request: Request, pairs: list[tuple[str, str]], extra_problems: Sequence[Problem] = (), **extra
) -> dict:
    """What train.html renders for a lab link (the lab, and a lesson step drawn by it)."""
    pairs, present, problems = page_params(pairs)
    problems = [*extra_problems, *problems]
    lab, lab_problems = parse_lab_lenient(pairs, parse_lenient)
    problems += lab_problems
    study = getattr(lab, "study", "") or ""
    constants = {
        **page_constants(),
        **lab_constants(),
        "lab": {
            "query": lab.canonical(),
            "state": lab.state.canonical(),
            "configs": list(lab.configs),
            "study": study,
            # every lab field's value as the link has it: what the form has no control for (study) is read here
            "values": {f.name: f.kind.to_json(getattr(lab, f.name)) for f in LAB_FIELDS},
        },
        "problems": [p.as_dict() for p in capped(problems)],
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
        "study": study,
        "study_title": STUDIES.get(study, study),
        "studies": STUDIES,
        "constants_json": html_json(dumps(constants)),
        "plotly_js": PLOTLY_JS,
    }
