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
