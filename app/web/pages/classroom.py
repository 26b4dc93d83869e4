"""Pages for a class: lessons and one figure to embed (the QR code of a link: app/web/api/qr.py).

    /lessons                      every lesson, with its level and minutes
    /lessons/<slug>               its first step
    /lessons/<slug>/<n>           step n (1-based): the explorer or the lab drawing the step's
                                  link, with the lesson beside it; the step is the URL
    /embed?<state>&view=<figure>  one figure without the page around it, for an iframe (the only
                                  page another site may frame: app/web/security.py)

``?present=1`` works on each page as on the explorer (classroom mode).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.core.problems import Problem, shown
from app.lessons import lesson_by_slug, load
from app.lessons.targets import FOCUS
from app.web.pages.explorer import explorer_context
from app.web.pages.render import page, page_constants, page_params, render, templates
from app.web.pages.train import lab_context

router = APIRouter(include_in_schema=False)
EMBED_VIEWS = ("cell", *[t for t in FOCUS["explorer"] if t.startswith("fig-")])


def _not_found(request: Request, what: str) -> Response:
    html = templates.get_template("not_found.html").render(
        {"request": request, "what": what, "lessons": load(), "version": page_constants()["version"]}
    )
    return HTMLResponse(html, status_code=404, headers={"Cache-Control": "no-cache"})


PAGE = {"methods": ["GET", "HEAD"], "response_class": HTMLResponse}  # HEAD: link checkers, unfurlers
STEP_NUMBER = re.compile(r"[1-9][0-9]{0,3}")  # ASCII digits only: str.isdigit accepts "²", which int() refuses
STEP_PARAMS = ("present", "hide")  # what a lesson step's URL may add to the step's own link


@router.api_route("/lessons", **PAGE)
def lessons(request: Request) -> Response:
    _, present, _ = page_params(request.query_params.multi_items())  # an index: other parameters are ignored
    return render(request, "lessons.html", {"lessons": load(), "present": present})


@router.api_route("/lessons/{slug}", **PAGE)
def lesson_start(request: Request, slug: str) -> Response:
    if lesson_by_slug(slug) is None:
        return _not_found(request, f"a lesson called {shown(slug)!r}")
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/lessons/{slug}/1{query}", status_code=307)


def _step_pairs(step_link: str, given: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The step's link with what the URL may add (present, hide); anything else is named, not used:
    the step's model is the lesson's."""
    hide = [(k, v) for k, v in given if k == "hide"]
    pairs = [(k, v) for k, v in parse_qsl(step_link, keep_blank_values=True) if not (hide and k == "hide")]
    pairs += [(k, v) for k, v in given if k in STEP_PARAMS]
    problems = [
        Problem(
            k,
            shown(v),
            "present or hide",
            f"{k} cannot change a lesson step (the step's model is the lesson's): a step's link takes only "
            "present=1 and hide=…; open the step in the explorer to change the model.",
        )
        for k, v in given
        if k not in STEP_PARAMS
    ]
    return pairs, problems


@router.api_route("/lessons/{slug}/{number}", **PAGE)
async def lesson_step(request: Request, slug: str, number: str) -> Response:
    lesson = lesson_by_slug(slug)
    if lesson is None:
        return _not_found(request, f"a lesson called {shown(slug)!r}")
    if not (STEP_NUMBER.fullmatch(number) and 1 <= int(number) <= len(lesson.steps)):
        return _not_found(request, f"step {number[:20]!r} of {lesson.title!r} (it has {len(lesson.steps)})")
    n = int(number)
    step = lesson.steps[n - 1]
    given = request.query_params.multi_items()
    lessons_ = load()
    after = lessons_.index(lesson) + 1
    next_lesson = {"slug": lessons_[after].slug, "title": lessons_[after].title} if after < len(lessons_) else None
    lesson_data = {"lesson": lesson.as_dict(), "step": n, "next_lesson": next_lesson}
    of_step = {"lesson": lesson, "step": step, "step_number": n}

    def context() -> dict:
        pairs, problems = _step_pairs(step.link, given)
        if step.view == "lab":
            return {**lab_context(request, pairs, extra_problems=problems, **lesson_data), **of_step}
        return {**explorer_context(request, pairs, extra_problems=problems, **lesson_data), **of_step}

    return await page(request, "train.html" if step.view == "lab" else "explorer.html", context)


@router.api_route("/embed", **PAGE)
async def embed(request: Request) -> Response:
    """One figure of a state, for an iframe; a bad view falls back to the cell, named beside it."""
    pairs = request.query_params.multi_items()
    views = [v for k, v in pairs if k == "view"]
    view = views[-1] if views else "cell"
    extra: list[Problem] = []
    if view not in EMBED_VIEWS or len(views) > 1:
        extra.append(
            Problem(
                "view",
                shown(view),
                "one of " + ", ".join(EMBED_VIEWS),
                f"view must be one of {', '.join(EMBED_VIEWS)}.",
            )
        )
        view = "cell"
    rest = [(k, v) for k, v in pairs if k != "view"]

    def context() -> dict:
        return {**explorer_context(request, rest, extra_problems=extra, embed={"view": view}), "view": view}

    return await page(request, "embed.html", context)
