"""The page's view of a trace, read from the JSON the explorer receives (app/documents/trace.py),
independently of dropout_lab: what static/js/cell/masks.js ``cellMasks`` lists at a step."""

from __future__ import annotations

import json

import numpy as np

from app.core.encoding import decode
from app.documents.trace import trace_json
from app.link.state import parse

GATE_KEYS = "ifgo"


def load(query: str) -> dict:
    return json.loads(trace_json(parse(query)))


def cell_masks(trace: dict, n: int, t: int) -> dict[str, np.ndarray]:
    """{data-mask key: keep-bits at step t} of layer n, as cellMasks lists them."""
    if trace["config"]["phase"] == "infer":
        return {}
    plan = trace["plan"]["masks"]

    def on(name: str) -> bool:
        return bool(plan.get(name, {}).get("active"))

    masks = trace["layers"][n]["masks"]
    out = {}
    if n == 0 and on("embedding"):
        out["embedding"] = decode(trace["embedding"]["mask"])[t]
    if n > 0 and on("between") and "between" in trace["layers"][n - 1]["masks"]:
        out["between"] = decode(trace["layers"][n - 1]["masks"]["between"])[t]
    for part, name in (("x", "input"), ("h", "recurrent")):
        if on(name) and name in masks:
            for k, g in enumerate(GATE_KEYS):
                out[f"{part}:{g}"] = decode(masks[name])[t, k]
    if on("gate_output") and "gate_output" in masks:
        for k, g in enumerate(GATE_KEYS):
            out[f"gate:{g}"] = decode(masks["gate_output"])[t, k]
    if on("candidate") and "candidate" in masks:
        out["candidate"] = decode(masks["candidate"])[t]
    for v in ("c", "h"):
        if on(f"zoneout_{v}") and f"zoneout_{v}" in masks:
            out[f"zoneout:{v}"] = decode(masks[f"zoneout_{v}"])[t]
    if n == len(trace["layers"]) - 1 and on("output"):
        out["output"] = decode(trace["output"]["mask"])
    return out
