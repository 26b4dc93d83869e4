"""/from-code?code=...: the explorer opened on a model's code (the "Your model" box's GET form).

Code that reads opens the explorer on the reading's canonical link, in compare mode with two
models, with a "Read from your code" panel above the answer: which line set which fields, and
every note (a clamp, a default, an ignored layer). The page is the explorer's own, rendered here
rather than behind a redirect, so that the notes, which no link carries, are on it; the explorer's
script then shows the canonical link (``/?<link>``) in the address bar, as it does for any link
(static/js/state.js showState), so what is copied or reloaded is the state itself.

Code that does not read gets a 422 page listing each reason with its line number and that line,
the pasted code kept in the box to be fixed and sent again. ``/from-code`` alone is that page
with an empty box (200): a page to paste into.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app.core.problems import StateError, capped
from app.web.api.from_code import CODE, code_of
from app.web.compute import compute
from app.web.pages.explorer import explorer_context
from app.web.pages.render import PRESENT, render, templates
from app.yourmodel import read_code
from app.yourmodel.code import MAX_CODE

router = APIRouter(include_in_schema=False)
TEMPLATE = "from_code.html"
templates.env.globals["code_max"] = MAX_CODE  # the box's maxlength on every page that draws it


# a call's name: `Embedding(`, `nn.LSTM (`, `model.add(`
CALL = re.compile(r"([A-Za-z_][\w.]*)\s*\(")
# calls that hold the layers rather than being one
HOLDERS = {"add", "Sequential", "ModuleList"}
IMPORT = re.compile(r"(from\s+\S+|import\s+[^\s,]+)")
SHORT = 24  # characters of a line with no call kept on a phone


def short_code(code: str) -> str:
    """A line's code as a phone's panel shows it, so that "line 6 -> vocab = 10000" still says what
    line 6 is: its layer, ``Embedding(…)`` (``model.add(keras.layers.Embedding(64, 64))``), the
    module an import names, or the line's start."""
    code = code.strip()
    for name in CALL.findall(code):
        layer = name.rsplit(".", 1)[-1]
        if layer not in HOLDERS:
            empty = re.search(re.escape(name) + r"\s*\(\s*\)", code)
            return f"{layer}()" if empty else f"{layer}(…)"
    imported = IMPORT.match(code)
    if imported:
        head = imported.group(1)
        return head if head == code else f"{head} …"
    return code if len(code) <= SHORT else code[: SHORT - 1].rstrip() + "…"


templates.env.filters["short_code"] = short_code  # the panel's {{ x.code|short_code }}


def read_panel(reading) -> dict:
    """What the "Read from your code" panel shows: each model (role, framework, lines, mapping),
    every note in the order of the code, and the links of the code read as another Keras."""
    body = reading.as_dict()
    notes = sorted(body["notes"], key=lambda n: n["line"])
    return {"models": reading.models_shown(), "notes": notes, "alternatives": body["alternatives"]}


def _box(code: str, **more) -> dict:
    return {"code": code, "code_max": MAX_CODE, **more}


def by_line(reasons: list[dict]) -> list[dict]:
    """The reasons in the order of the code, one entry per line: its text once, then each reason
    (those of the code as a whole, line 0, first and each on its own)."""
    lines: dict[int, dict] = {}
    for n, r in enumerate(sorted(reasons, key=lambda r: r["line"])):
        key = r["line"] or -1 - n
        entry = lines.setdefault(key, {"line": r["line"], "code": r["code"], "messages": []})
        entry["messages"].append(r["message"])
    return list(lines.values())


def _reasons_page(request: Request, code: str, reasons: list[dict], notes: list[dict], status: int) -> Response:
    context = {"your_model": _box(code, open=True), "reasons": reasons, "lines": by_line(reasons), "notes": notes}
    response = render(request, TEMPLATE, context)
    response.status_code = status
    return response


def build(request: Request, pairs: list[tuple[str, str]]) -> Response:
    """The page for a query: the explorer on the reading, or the reasons page."""
    if not pairs:
        return render(request, TEMPLATE, {"your_model": _box("", open=True), "reasons": [], "lines": [], "notes": []})
    try:
        code = code_of(pairs, own=(PRESENT,))
    except StateError as err:
        given = next((v for k, v in pairs if k == CODE), "")
        reasons = [{"line": 0, "code": "", "message": p.message} for p in capped(err.problems)]
        return _reasons_page(request, given[:MAX_CODE], reasons, [], 422)
    reading = read_code(code)
    if not reading.ok:
        body = reading.as_dict()
        return _reasons_page(request, code, body["reasons"], body["notes"], 422)
    link_pairs = parse_qsl(reading.link, keep_blank_values=True)
    context = explorer_context(request, link_pairs + [(k, v) for k, v in pairs if k == PRESENT])
    context["your_model"] = _box(code, open=False, read=read_panel(reading), link=reading.link)
    return render(request, "explorer.html", context)


@router.api_route("/from-code", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def from_code(request: Request) -> Response:
    # the query (up to 60 KB encoded) is parsed off the event loop too
    return await compute(request, lambda job: build(request, request.query_params.multi_items()))
