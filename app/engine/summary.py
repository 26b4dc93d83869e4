"""Each preset in words, measured: what its masks do on a small model, case by case.

``preset_summary(name)`` runs the preset on a small random model in training for each case of
its rates (recurrent_dropout = 0 and > 0, ...), measures the facts of each trace
(app/engine/facts.py) and says them: the preset descriptions of the pages and of /api/presets are
these sentences after the preset's sourced lead (``Preset.lead``), never a hand-written account of
what the masks do.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from app.engine import model
from app.engine.facts import Facts, measure
from app.engine.init import keras_weights
from app.engine.semantics import PRESETS, Rates, resolve
from app.engine.verdict import num, words

# A model just big enough that a random draw shows every structure: 12 steps, 16 features, 16 units.
TOKENS = np.arange(12, dtype=np.int64) % 10
SHAPE = {"vocab": 10, "emb": 16, "units": 16}
SEED = 1


def cases(name: str) -> list[tuple[str, Rates, int]]:
    """(when, rates, layers) for each case of the preset's rates."""
    knobs = PRESETS[name].knobs
    if name == "custom":
        return [("every rate > 0, the default sharing and timing", Rates(0.5, 0.5, 0.5, 0.2, 0.2, 0.5), 1)]
    if name == "pytorch":
        return [("one layer", Rates(0.5), 1), ("two layers", Rates(0.5), 2)]
    if "recurrent_dropout" in knobs:
        return [
            ("dropout > 0, recurrent_dropout = 0", Rates(0.5, 0.0), 1),
            ("dropout > 0, recurrent_dropout > 0", Rates(0.5, 0.5), 1),
        ]
    extra = {k: 0.5 for k in knobs - {"dropout"}}
    return [("every rate > 0", Rates(dropout=0.5, **extra), 1)]


def case_facts(name: str, rates: Rates, layers: int) -> Facts:
    w = keras_weights(SHAPE["vocab"], SHAPE["emb"], SHAPE["units"], layers, 0)
    plan = resolve(name, rates, layers)
    trace = model.run(TOKENS, w, model.RunSpec(plan, seed=SEED))
    reference = model.run(TOKENS, w, model.RunSpec(resolve(name, Rates(), layers), seed=SEED))
    return measure(trace, reference)


def _mask(per_gate: bool, per_step: bool) -> str:
    return words("gate" if per_gate else "shared", "step" if per_step else "sequence")


OTHER = {
    "candidate": "a mask on the candidate g only",
    "zoneout": "zoneout (a unit of c or h keeps its previous value)",
    "weight": "DropConnect on the recurrent weights, once per forward pass",
    "between_layers": "a mask on each layer's output but the last",
    "output": "a mask on the last h before Dense, once per forward pass",
    "gate_output": "masks on the four gate outputs i, f, g and o",
}


def mask_words(f: Facts) -> dict[str, str]:
    """Each mask kind of a trace in words: 'none' where it does not act."""
    out = {
        "input": _mask(f.input_per_gate, f.input_per_step) if f.input_masked else "none",
        "recurrent": _mask(f.recurrent_per_gate, f.recurrent_per_step) if f.recurrent_masked else "none",
    }
    for kind in f.other_masks:
        text = OTHER[kind]
        if kind == "gate_output":
            text += ", one per gate" if f.gate_output_per_gate else ", the same for the four gates"
            text += f", each keeping {num(f.gate_output_keep)}"
        out[kind] = text + (", fresh at every step" if kind in f.other_per_step else "")
    return out


def sentence(when: str, f: Facts) -> str:
    if not (f.input_masked or f.recurrent_masked or f.other_masks):
        return f"With {when}: the LSTM puts no mask anywhere."
    words = mask_words(f)
    parts = [f"inside the cell, on x(t) {words['input']}", f"on h(t-1) {words['recurrent']}"]
    parts += [words[k] for k in f.other_masks]
    return f"With {when}: " + "; ".join(parts) + "."


@cache
def preset_summary(name: str) -> dict:
    """{summary, resolves [{when, masks}]}: the lead, then one measured sentence per case."""
    resolves, sentences = [], []
    for when, rates, layers in cases(name):
        f = case_facts(name, rates, layers)
        resolves.append({"when": when, "masks": mask_words(f)})
        sentences.append(sentence(when, f))
    return {"summary": " ".join([PRESETS[name].lead, *sentences]), "resolves": resolves}
