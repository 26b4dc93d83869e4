"""An explanation as one piece of HTML for a notebook's output, with no server and no network.

plotly.js goes into the output inline, from the installed plotly package, the way plotly.io's
``notebook`` renderer does it with ``connected=False``: once per kernel session, in the first
output that has a figure; later outputs find ``window.Plotly`` already on the page. Colab draws
each output in an iframe of its own, so there every output carries it (plotly.py's own Colab
renderer loads it from a CDN at every figure for the same reason; nothing here names a CDN).
MathJax is not asked for (plotly.py would point it at a CDN): the figures' text is plain.
"""

from __future__ import annotations

import sys
from html import escape

import plotly.graph_objects as go
import plotly.io as pio

CONFIG = {"displaylogo": False, "responsive": True}
_plotly_sent = False  # plotly.js is on this kernel's page already


def in_colab() -> bool:
    return "google.colab" in sys.modules


def take_plotlyjs() -> bool:
    """Whether this output must carry plotly.js: the first of the session, or any in Colab."""
    global _plotly_sent
    first = not _plotly_sent
    _plotly_sent = True
    return first or in_colab()


def figures_html(figures: list[go.Figure], plotlyjs: bool) -> str:
    """Each figure as a div and its script; plotly.js inline before the first when ``plotlyjs``."""
    return "\n".join(
        pio.to_html(fig, full_html=False, include_plotlyjs=plotlyjs and k == 0, include_mathjax=False, config=CONFIG)
        for k, fig in enumerate(figures)
    )


def verdict_html(verdict: dict, heading: str) -> str:
    """The explorer's first panel (static/js/verdict.js): the answer, its points, the difference,
    the details behind a disclosure; the words are the plan's."""
    points = "".join(
        f'<li data-key="{escape(p["key"])}"><strong>{escape(p["title"])}.</strong> {escape(p["text"])}</li>'
        for p in verdict["points"]
    )
    details = "".join(f"<li>{escape(d)}</li>" for d in verdict["details"])
    return (
        f"<h3>{escape(heading)}</h3>"
        f'<p class="verdict-answer"><strong>{escape(verdict["answer"])}</strong></p>'
        f'<ol class="verdict-points">{points}</ol>'
        f'<p class="verdict-difference">{escape(verdict["difference"])}</p>'
        + (
            f'<details class="verdict-details"><summary>Details: what the frameworks do inside</summary>'
            f"<ul>{details}</ul></details>"
            if details
            else ""
        )
    )


def items_html(title: str, items: list[str], cls: str) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>{escape(s)}</li>" for s in items)
    return f'<div class="{cls}"><h4>{escape(title)}</h4><ul>{lis}</ul></div>'


ROLE_COLOURS = {"A": "#0b3d91", "B": "#6a3d9a"}  # the page's .who and .who-b (static/css/base.css)


def role_html(role: str) -> str:
    """A model's role as the page's strips and panel draw it: a round badge, A blue, B purple."""
    style = (
        f"display: inline-block; min-width: 1.6em; line-height: 1.6em; border-radius: 50%; text-align: center; "
        f"font-weight: 700; color: #fff; background: {ROLE_COLOURS.get(role, '#0b3d91')}"
    )
    return f'<span class="who" style="{style}" aria-label="Model {escape(role)}">{escape(role)}</span>'


def lines_of(model: dict) -> str:
    """Where a model is in the code ("lines 7-11"); a built model has no lines (0)."""
    first, last = model["first_line"], model["last_line"]
    if not first:
        return "the built model"
    return f"line {first}" if last in (0, first) else f"lines {first}\u2013{last}"


def read_panel_html(title: str, models: list[dict], notes: list[str], others: dict[str, str]) -> str:
    """The page's "Read from your code" panel (templates/_your_model.html read_panel): each model
    with its role (with two), its lines and framework, what each line set; then the notes and the
    links of the code read as another Keras (``others``: {title: URL})."""
    parts = []
    for m in models:
        who = role_html(m["role"]) + " " if len(models) > 1 else ""
        lis = "".join(
            "<li>"
            + (f'<span style="color: #5b6577">line {x["line"]}</span> ' if x["line"] else "")
            + f"<code>{escape(x['code'])}</code> <strong>\u2192 "
            + ", ".join(f"{escape(str(k))} = {escape(str(v))}" for k, v in x["fields"].items())
            + "</strong></li>"
            for x in m["mapping"]
        )
        label = f"model {m['role']}" if len(models) > 1 else "the model"
        parts.append(
            f'<div class="read-model" data-role="{escape(m["role"])}"><h4>{who}'
            f"<span>{escape(lines_of(m))} \u00b7 {escape(m['title'])}</span></h4>"
            f'<ul class="read-lines" aria-label="What each line of {escape(label)} set">{lis}</ul></div>'
        )
    if notes:
        parts.append(items_html("Notes", notes, "notes"))
    if others:
        links = "; ".join(f'<a href="{escape(url)}">{escape(t)}</a>' for t, url in others.items())
        parts.append(f'<p class="read-others">Written for another version? Open it as {links}.</p>')
    return f'<section class="read-panel"><h3>{escape(title)}</h3>{"".join(parts)}</section>'


def ascii_html(html: str) -> str:
    """Non-ASCII characters as character references: right whatever charset the page declares
    (not for scripts, where a reference is not decoded)."""
    return html.encode("ascii", "xmlcharrefreplace").decode("ascii")


def reasons_html(reasons: list[tuple[str, str]]) -> str:
    """Why a model cannot be opened: each reason ("line 3: ...") with the code it is about."""
    lis = "".join(
        f"<li>{escape(why)}" + (f"<br><code>{escape(code)}</code>" if code else "") + "</li>" for why, code in reasons
    )
    return f'<div class="reasons"><h4>Why</h4><ul>{lis}</ul></div>'


def page(*parts: str, scripts: str = "") -> str:
    """The output: ``parts`` (HTML, made ASCII), then ``scripts`` (the figures, as plotly.io wrote them)."""
    body = ascii_html("\n".join(p for p in parts if p))
    style = "font-family: system-ui, sans-serif; max-width: 1000px"
    return f'<div class="dropout-lab" style="{style}">{body}\n{scripts}</div>'
