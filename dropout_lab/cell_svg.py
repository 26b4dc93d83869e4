"""The LSTM cell at one step as an SVG string: a simpler drawing of the page's cell (static/js/cell/).

colah's conventions, as on the page: yellow boxes are the four gates (f, i, g, o), pink circles
pointwise operations, the c line on top. Each gate gets its two wires, x(t) on the left and h(t-1)
on the right, and every mask the cell lists (traced.py, the page's cell/masks.js) is drawn on the
wire it multiplies: its elements dark (dropped) or pale (kept) in a dashed orange frame, a group
``<g class="mask-mark" data-mask="x:i" data-dropped="N" data-size="D">`` as the page's, and under
it how many of them this step drops. Built with ElementTree, so every text is escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from app.engine.semantics import PRESETS
from dropout_lab.traced import GATES, MaskSeries, Traced

DROPPED, KEPT = "#12355b", "#e3e9f3"  # static/js/gates.js
MASK_FRAME = "#d55e00"  # static/js/cell/diagram.js
LAYER_FILL, OP_FILL = "#f6c85f", "#f4a6b7"
WIDTH, HEIGHT = 780, 500
GATE_X = {"f": 150, "i": 280, "g": 410, "o": 540}  # centres, in colah's order
GATE_W, GATE_TOP, GATE_H = 104, 232, 34
C_LINE, R = 96, 14
ADD_X = (GATE_X["i"] + GATE_X["g"]) / 2
OUT_X = GATE_X["o"] + GATE_W / 2 + 34
DOWN_X = OUT_X + 90
WIRE_TOP, MARK_Y, H_BUS, X_BUS, BOX_BOTTOM = 292, 300, 344, 360, 372
MARK_W, MARK_H = 44, 10
X_IN = 22
ACT = {"i": "σ", "f": "σ", "g": "tanh", "o": "σ"}
HALO = {"stroke": "#fbfbfc", "stroke_width": 4, "paint_order": "stroke"}  # text readable over a wire


def _num(v: float) -> str:
    return f"{v:.6g}"


def _el(parent: ET.Element, tag: str, attrs: dict | None = None, text: str | None = None) -> ET.Element:
    values = {k: _num(v) if isinstance(v, float) else str(v) for k, v in (attrs or {}).items()}
    node = ET.SubElement(parent, tag, values)
    if text is not None:
        node.text = text
    return node


def _text(parent: ET.Element, x: float, y: float, s: str, size: int = 14, **attrs: object) -> ET.Element:
    named = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}  # text_anchor, class_
    return _el(parent, "text", {"x": x, "y": y, "font-size": size, **named}, s)


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float, width: float = 1.6) -> None:
    _el(parent, "line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": "#555", "stroke-width": width})


def runs(dropped: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], dropped.astype(np.int8), [0]])))
    return [(int(s), int(e - s)) for s, e in zip(edges[::2], edges[1::2], strict=True)]


def _mark(parent: ET.Element, x: float, y: float, width: float, m: MaskSeries, t: int, count: str) -> None:
    """A mask on a wire at step t: its elements dark (dropped) or pale (kept), and how many are dropped;
    ``count``: a short name for under the mark ("x", "h", a gate's), or a label for beside it."""
    bits = np.asarray(m.at(t))
    n, dropped = len(bits), int((bits == 0).sum())
    verb = "keep their old value" if m.key.startswith("zoneout") else "dropped"
    g = _el(parent, "g", {"class": "mask-mark", "data-mask": m.key, "data-dropped": dropped, "data-size": n})
    _el(g, "title", {}, f"{m.key}: {m.what}; {dropped} of {n} {verb} at this step")
    _el(g, "rect", {"x": x, "y": y, "width": width, "height": MARK_H, "fill": KEPT})
    w = width / n
    for start, length in runs(bits == 0):
        _el(g, "rect", {"x": x + start * w, "y": y, "width": length * w, "height": MARK_H, "fill": DROPPED,
                        "class": "dropped", "data-n": length})  # fmt: skip
    frame = {"fill": "none", "stroke": MASK_FRAME, "stroke-width": 1.6, "stroke-dasharray": "4 2.5"}
    _el(g, "rect", {"x": x - 2, "y": y - 2, "width": width + 4, "height": MARK_H + 4, **frame})
    if len(count) == 1:
        _text(g, x + width / 2, y + MARK_H + 15, f"{count} {dropped}/{n}", 12, text_anchor="middle",
              class_="mask-count", **HALO)  # fmt: skip
    else:
        _text(g, x + width + 8, y + MARK_H - 1, f"{count}: {dropped} of {n} {verb}", 12, class_="mask-count",
              **HALO)  # fmt: skip


def _frame(svg: ET.Element) -> None:
    """The cell's box, the c line, the operations and the wires between them."""
    _el(svg, "rect", {"x": 8, "y": 54, "width": WIDTH - 16, "height": BOX_BOTTOM - 54, "rx": 16, "fill": "#fbfbfc",
                      "stroke": "#9aa3b2"})  # fmt: skip
    _line(svg, 2, C_LINE, WIDTH - 2, C_LINE, 2.5)
    _text(svg, 12, C_LINE - 10, "c(t-1)", 13)
    _text(svg, WIDTH - 12, C_LINE - 10, "c(t)", 13, text_anchor="end")
    f, i, g, o = (GATE_X[k] for k in "figo")
    top = GATE_TOP
    for wire in ((f, top, f, C_LINE + R), (i, top, i, 156), (i, 156, ADD_X - R, 156), (g, top, g, 156),
                 (g, 156, ADD_X + R, 156), (ADD_X, 156 - R, ADD_X, C_LINE + R), (OUT_X, C_LINE, OUT_X, 126 - R),
                 (OUT_X, 126 + R, OUT_X, 168 - R), (o, top, o, 168), (o, 168, OUT_X - R, 168),
                 (OUT_X + R, 168, DOWN_X, 168), (DOWN_X, 168, DOWN_X, 300)):  # fmt: skip
        _line(svg, *wire)
    _text(svg, DOWN_X, 318, "h(t)", 13, text_anchor="middle")
    for x, y, label in ((f, C_LINE, "×"), (ADD_X, C_LINE, "+"), (ADD_X, 156, "×"), (OUT_X, 168, "×")):
        _el(svg, "circle", {"cx": x, "cy": y, "r": R, "fill": OP_FILL, "stroke": "#a14d63"})
        _text(svg, x, y + 6, label, 17, text_anchor="middle")
    _el(svg, "ellipse", {"cx": OUT_X, "cy": 126, "rx": 22, "ry": R, "fill": OP_FILL, "stroke": "#a14d63"})
    _text(svg, OUT_X, 130, "tanh", 13, text_anchor="middle")
    # the buses: h(t-1) into every gate's right wire, x(t) into every left wire, x(t) from below
    h_end = max(cx + GATE_W / 4 for cx in GATE_X.values())
    x_end = max(cx - GATE_W / 4 for cx in GATE_X.values())
    _line(svg, 2, H_BUS, h_end, H_BUS, 2)
    _text(svg, h_end + 6, H_BUS + 5, "h(t-1)", 13)
    _line(svg, X_IN, X_BUS, x_end, X_BUS, 2)
    _line(svg, X_IN, X_BUS, X_IN, 440, 2)
    for cx in GATE_X.values():
        x = cx - GATE_W / 4  # where an x wire crosses the h(t-1) bus: a gap, so they read as two wires
        _el(svg, "line", {"x1": x, "y1": H_BUS - 4, "x2": x, "y2": H_BUS + 4, "stroke": "#fbfbfc", "stroke-width": 6})
        _line(svg, cx - GATE_W / 4, WIRE_TOP, cx - GATE_W / 4, X_BUS)
        _line(svg, cx + GATE_W / 4, WIRE_TOP, cx + GATE_W / 4, H_BUS)


def cell_svg(tr: Traced, step: int | None = None, layer: int = 0, role: str = "") -> str:
    """The cell of ``layer`` at ``step`` (default: the last step, the sentence's last word)."""
    t = tr.steps - 1 if step is None else step
    if not 0 <= t < tr.steps:
        raise ValueError(f"step must be from 0 to {tr.steps - 1}; got {step}")
    if not 0 <= layer < tr.layers:
        raise ValueError(f"layer must be from 0 to {tr.layers - 1}; got {layer}")
    word = tr.words[t]
    masks = {m.key: m for m in tr.masks(layer)}
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {WIDTH} {HEIGHT}",
                             "width": str(WIDTH), "height": str(HEIGHT), "style": "max-width: 100%; height: auto",
                             "role": "img", "class": "dropout-lab-cell",
                             "font-family": "system-ui, sans-serif"})  # fmt: skip
    who = f"Model {role}, " if role else ""
    of_layer = f" · layer {layer + 1}" if tr.layers > 1 else ""
    title = f"{who}step {t}: “{word}”{of_layer}"
    _el(svg, "title", {}, f"The LSTM cell: {title}; {len(masks)} masks")
    _text(svg, 8, 22, title[0].upper() + title[1:], 16, font_weight=600, class_="cell-title")
    phase = "training: the masks of this draw" if tr.state.train else "inference: no mask is applied"
    _text(svg, 8, 42, f"{PRESETS[tr.state.preset].title} · {phase} (mask seed {tr.state.seed})", 13, fill="#5b6577")
    _frame(svg)
    for key, name in GATES:
        cx = GATE_X[key]
        x0 = cx - GATE_W / 2
        _el(svg, "rect", {"x": x0, "y": GATE_TOP, "width": GATE_W, "height": GATE_H, "rx": 6, "fill": LAYER_FILL,
                          "stroke": "#b08a1e", "class": f"gate-box gate-{key}"})  # fmt: skip
        _el(_text(svg, cx, GATE_TOP + 22, ACT[key], 15, text_anchor="middle", font_weight=600), "title", {}, name)
        mean = float(tr.gate(key, layer)[t].mean())
        _text(svg, cx, GATE_TOP + GATE_H + 17, f"{key} ≈ {mean:.2f}", 14, text_anchor="middle", class_="gate-value")
        for part, x in (("x", cx - GATE_W / 4), ("h", cx + GATE_W / 4)):
            if m := masks.get(f"{part}:{key}"):
                _mark(svg, x - MARK_W / 2, MARK_Y, MARK_W, m, t, count=part)
        out = masks.get(f"gate:{key}") or (masks.get("candidate") if key == "g" else None)
        if out:
            _mark(svg, cx - GATE_W * 0.3, 190, GATE_W * 0.6, out, t, count=key)
    if m := masks.get("zoneout:c"):
        _mark(svg, OUT_X + 40, C_LINE - 5, 70, m, t, count="zoneout")
    if m := masks.get("zoneout:h"):
        _mark(svg, DOWN_X - 30, 198, 60, m, t, count="h")
    if m := masks.get("output"):
        _mark(svg, DOWN_X - 30, 244, 60, m, t, count="h")
        _text(svg, WIDTH - 4, 232, "Dropout → Dense", 12, text_anchor="end", **HALO)
    into = f"x(t): the embedding of “{word}”" if layer == 0 else f"x(t): h(t) of layer {layer}"
    _text(svg, X_IN + 10, 456, into, 13)
    source = masks.get("embedding") or masks.get("between")
    if source:
        words = "Dropout after the Embedding" if source.key == "embedding" else "dropout between layers"
        _mark(svg, 8, 396, 96, source, t, count=words)
    if not masks:
        why = "No masks at inference" if not tr.state.train else "No masks"
        _text(svg, X_IN + 10, 408, f"{why}: every element reaches every gate", 13, class_="no-masks")
    legend = _el(svg, "g", {"class": "legend"})
    _el(legend, "rect", {"x": 8, "y": 476, "width": 12, "height": 12, "fill": DROPPED})
    _text(legend, 24, 487, "dropped", 12)
    _el(legend, "rect", {"x": 86, "y": 476, "width": 12, "height": 12, "fill": KEPT, "stroke": "#8a94a6"})
    _text(legend, 102, 487, "kept; n/N under a mask: the elements it drops at this step, of all", 12)
    return ET.tostring(svg, encoding="us-ascii").decode("ascii")  # “, σ, → as &#...;: right in any page's charset
