"""The explorer's pictures over time as plotly.py figures: the masks, and the gates of a few units.

``mask_figure`` draws every mask the cell has (traced.py, the page's cell/masks.js) as a heatmap,
one row per step, dark where dropped; ``gates_figure`` draws i, f, g, o, c and h of a few units
over the steps, model B dashed beside A. A sequence longer than SHOWN_STEPS shows its last steps
(a padded sentence's words are at the end), and the title says so.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dropout_lab.traced import GATES, Traced

DROPPED, KEPT = "#12355b", "#e3e9f3"  # static/js/gates.js: the page's keep/drop colours
UNIT_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
SERIES = (*GATES, ("c", "cell state c"), ("h", "hidden state h"))
PANELS_PER_ROW = 9  # the embedding's mask and the eight of x(t) and h(t-1) of one layer


def steps_words(tr: Traced) -> str:
    """What the figures show of the steps, for a title."""
    shown = tr.shown()
    if len(shown) == tr.steps:
        return f"{tr.steps} steps"
    pad = f"; the first {tr.padding} steps are padding" if tr.padding else ""
    return f"the last {len(shown)} of {tr.steps} steps{pad}"


def _name(tr: Traced, role: str) -> str:
    return f"Model {role}" if role else "The model"


def mask_panels(tr: Traced) -> list[tuple[int, str, str, np.ndarray]]:
    """(layer, key, what, keep (shown steps, D)) of every mask over time; the output mask, drawn once
    per pass, is the cell's (cell_svg.py), not a picture over time."""
    rows = tr.shown()
    out = []
    for n in range(tr.layers):
        out += [(n, m.key, m.what, m.keep[rows.start : rows.stop]) for m in tr.masks(n) if m.keep.ndim == 2]
    return out


def mask_figure(tr: Traced, role: str = "") -> go.Figure:
    """Every mask over time: one heatmap per mask (rows = steps, columns = elements or units)."""
    panels = mask_panels(tr)
    title = f"{_name(tr, role)}: the masks over time ({steps_words(tr)}); dark = dropped"
    if not panels:
        fig = go.Figure()
        why = "at inference no mask is drawn" if not tr.state.train else "no mask acts in this model"
        fig.add_annotation(text=f"No masks: {why}.", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_layout(title=title, height=200, xaxis_visible=False, yaxis_visible=False)
        return fig
    cols = min(PANELS_PER_ROW, len(panels))
    nrows = -(-len(panels) // cols)
    layer_words = tr.layers > 1
    titles = [f"{key}{f' (layer {n + 1})' if layer_words else ''}" for n, key, _, _ in panels]
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=titles, shared_yaxes=True, horizontal_spacing=0.012)
    steps = np.arange(tr.shown().start, tr.shown().stop)
    for j, (_, key, what, keep) in enumerate(panels):
        fig.add_trace(
            go.Heatmap(
                z=keep,
                y=steps,
                zmin=0,
                zmax=1,
                colorscale=[[0, DROPPED], [1, KEPT]],
                showscale=False,
                name=key,
                hovertemplate=f"step %{{y}}, element %{{x}}: %{{z}} (1 kept, 0 dropped)<extra>{key}: {what}</extra>",
            ),
            row=j // cols + 1,
            col=j % cols + 1,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_yaxes(title_text="step", col=1)
    fig.update_layout(title=title, height=120 + nrows * (80 + 3 * len(steps)), margin={"t": 90})
    return fig


def gates_figure(a: Traced, b: Traced | None = None, units: tuple[int, ...] = (0, 1, 2), layer: int = 0) -> go.Figure:
    """i, f, g, o, c and h of ``units`` over the shown steps; B dashed when comparing."""
    models = [("A", a), ("B", b)] if b is not None else [("", a)]
    fig = make_subplots(rows=len(SERIES), cols=1, shared_xaxes=True, subplot_titles=[t for _, t in SERIES],
                        vertical_spacing=0.035)  # fmt: skip
    for role, tr in models:
        shown = tr.shown()
        steps = np.arange(shown.start, shown.stop)
        words = np.array(tr.words, dtype=object)[steps]
        for r, (key, _) in enumerate(SERIES):
            values = tr.gate(key, layer)[shown.start : shown.stop]
            for j, unit in enumerate(u for u in units if u < values.shape[1]):
                label = f"{role + ' ' if role else ''}unit {unit}"
                fig.add_trace(
                    go.Scatter(
                        x=steps,
                        y=values[:, unit],
                        customdata=words,
                        mode="lines",
                        name=label,
                        legendgroup=label,
                        showlegend=r == 0,
                        line={"color": UNIT_COLOURS[j % len(UNIT_COLOURS)], "dash": "dash" if role == "B" else "solid"},
                        hovertemplate=f"step %{{x}} “%{{customdata}}”: {key} = %{{y:.3f}}<extra>{label}</extra>",
                    ),
                    row=r + 1,
                    col=1,
                )
    fig.update_xaxes(title_text="step", row=len(SERIES), col=1)
    of_layer = f" of layer {layer + 1}" if a.layers > 1 else ""
    who = " (A solid, B dashed)" if b is not None else ""
    title = f"The gates, c and h of units {', '.join(map(str, units))}{of_layer} over time{who}: {steps_words(a)}"
    fig.update_layout(title=title, height=900, margin={"t": 90})
    return fig


def figures(a: Traced, b: Traced | None = None, units: tuple[int, ...] = (0, 1, 2)) -> list[go.Figure]:
    """The masks of A (and of B), then the gates of ``units`` of both."""
    out = [mask_figure(a, "A" if b is not None else "")]
    if b is not None:
        out.append(mask_figure(b, "B"))
    return [*out, gates_figure(a, b, units)]
