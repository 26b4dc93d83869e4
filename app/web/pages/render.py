"""What every page shares: the templates, rendering (gzipped like the API), the page's constants
(the field table and the server's bounds, derived from app/link/state.py), a link repaired for a
page (``parse_lenient``), the page parameter ``present`` and the vendored plotly.js's address.

Every view is a pure function of its URL. A link with errors still opens: the offending fields
fall back (a rate a preset lacks to 0, anything else to its default), the page shows each
problem beside its control and keeps the rest. Templates escape every reflected value
(Jinja2 autoescape); JSON embedded in a page has <, > and & escaped as \\u003c, \\u003e, \\u0026."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from app import __version__
from app.core.problems import Problem, StateError, shown
from app.documents.trace import trace_json
from app.engine.semantics import CUSTOM_CHOICES, PRESETS
from app.engine.vocab import WORDS
from app.link.state import (
    DEFAULTS,
    FIELD,
    FIELDS,
    HIDEABLE,
    MAX_STEPS,
    MAX_TEXT,
    PANELS,
    SEED_MAX,
    TRAINED_SHAPE,
    VERSION,
    State,
    parse,
)
from app.web.cache import compress, get_or_build, negotiated
from app.web.compute import checkpoint, compute
from app.web.config import get_settings
from app.web.pages.modules import preload_modules
from app.web.params import SAMPLES
from app.web.static_files import PLOTLY_PATH, static_url

ROOT = Path(__file__).resolve().parents[3]
templates = Jinja2Templates(directory=ROOT / "templates")
templates.env.globals["preload_modules"] = preload_modules  # the modulepreload links of a page's entry
templates.env.globals["static_url"] = static_url  # a file's canonical URL, /static/<build>/<path> (immutable)
# the address students open (DROPOUT_LAB_PUBLIC_URL): the share panel's link and QR code, never
# the teacher's own address (localhost on the laptop at the projector)
templates.env.globals["public_url"] = lambda: get_settings().public_url
PLOTLY_JS = static_url(PLOTLY_PATH)  # plotly.js from the installed plotly package (never a CDN)


def html_json(text: str) -> str:
    """JSON text made safe inside <script type="application/json">: no <, > or & left."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def parse_lenient(pairs: list[tuple[str, str]]) -> tuple[State, list[Problem]]:
    """The state of a link, repaired: every problem reported, the rest of the link kept."""
    problems: list[Problem] = []
    for _ in range(4):
        try:
            return parse(pairs), problems
        except StateError as err:
            problems += [p for p in err.problems if p not in problems]
            bad = {p.field: p for p in err.problems}
            fixed = [(k, v) for k, v in pairs if k not in bad]
            fixed += [(f, p.fallback) for f, p in bad.items() if p.fallback is not None]
            pairs = fixed
    return State(), problems


@lru_cache(maxsize=1)
def page_constants() -> dict:
    """What the page's scripts need of the field table and the server's bounds: one source."""
    fields = [f.as_json() for f in FIELDS]
    # knobs: the rates a preset has, and for custom the sharing / timing choices it alone takes
    presets = [
        {
            "name": p.name,
            "title": p.title,
            "knobs": sorted(p.knobs) + (list(CUSTOM_CHOICES) if p.name == "custom" else []),
        }
        for p in PRESETS.values()
    ]
    defaults = {str(v): {f.name: f.kind.to_json(getattr(d, f.name)) for f in FIELDS} for v, d in DEFAULTS.items()}
    return {
        "fields": fields,
        # what a teacher's link hides, as the controls name it: a field's label, or a panel's title
        "hide_labels": {name: FIELD[name].label if name in FIELD else PANELS[name] for name in HIDEABLE},
        "presets": presets,
        "version": VERSION,
        "defaults": defaults,
        "trained_shape": TRAINED_SHAPE,
        "limits": {
            "mc_samples_max": SAMPLES.hi,
            "seed_max": SEED_MAX,
            "text_max": MAX_TEXT,
            "steps_max": MAX_STEPS,
        },
        "vocabulary": list(WORDS),
    }


def trace_text(request: Request, s: State) -> str:
    """The trace JSON of ``s``, shared with /api/trace through the response cache: one piece of a
    page's computation (app/web/compute.py), skipped if the page's client has gone."""
    checkpoint()
    body, _ = get_or_build(request.app.state.cache, "trace|" + s.canonical(), lambda: trace_json(s), get_settings())
    return body.decode()


async def page(request: Request, template: str, context_of: Callable[[], dict]) -> Response:
    """A page built off the event loop, in its client's turn (app/web/compute.py): the link parsed,
    its traces computed (each within the request budget: app/link/cost.py), the HTML rendered and
    gzipped, with a checkpoint between the pieces; nothing left to do once the client has gone."""

    def build(job) -> Response:
        context = context_of()
        job.check()
        return render(request, template, context)

    return await compute(request, build)


def render(request: Request, template: str, context: dict) -> Response:
    html = templates.get_template(template).render({"request": request, "version": __version__, **context}).encode()
    headers = {"Cache-Control": "no-cache"}
    body = negotiated(request, html, compress(html, get_settings()), headers)  # ISA-L, like the API
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


PRESENT = "present"  # ?present=1 on any page: classroom mode (large type, keyboard, share panel)


def page_params(pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], bool, list[Problem]]:
    """The page's own parameters taken out of a link: (the rest, present, problems)."""
    rest = [(k, v) for k, v in pairs if k != PRESENT]
    values = [v for k, v in pairs if k == PRESENT]
    if values and (len(values) > 1 or values[0] not in ("0", "1")):
        problem = Problem(
            PRESENT, shown(values[-1]), "0 or 1, once", "present must be 0 or 1 (classroom mode), given once."
        )
        return rest, False, [problem]
    return rest, values == ["1"], []
