"""One state, run once: its trace, its plan in words, and its masks as the explorer's cell lists them.

``traced(state)`` runs the engine once (app/documents/run.py) and describes that very trace
(app/engine/explain.py, with the facts measured on it and the recorded study's answer, as the
page's trace carries them: app/documents/trace.py ``plan_fragment``). ``masks(t, layer)`` mirrors
the page's static/js/cell/masks.js ``cellMasks``: a mask is listed when the plan has it on and the
trace holds it, in training only, with the page's keys (``data-mask``): embedding, between, x:i..x:o,
h:i..h:o, gate:i..gate:o, candidate, zoneout:c, zoneout:h, output.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.documents.run import facts_of, run, spec_of
from app.documents.trace import expand_mask
from app.engine import model
from app.engine.explain import describe
from app.engine.vocab import PAD, word
from app.link.state import State
from app.studies import recorded

GATES = (("i", "input gate i"), ("f", "forget gate f"), ("g", "candidate g"), ("o", "output gate o"))
SHOWN_STEPS = 60  # a long sequence shows its last steps: a padded sentence's words are at the end


@dataclass(frozen=True)
class MaskSeries:
    """One mask of a layer over the steps: ``keep`` (T, D) keep-bits (1 kept, 0 dropped; zoneout: 0
    keeps the previous value), or (D,) for the output mask, drawn once per forward pass."""

    key: str
    keep: np.ndarray
    what: str

    def at(self, t: int) -> np.ndarray:
        return self.keep if self.keep.ndim == 1 else self.keep[t]


@dataclass(frozen=True)
class Traced:
    state: State
    trace: model.Trace
    plan: dict

    @property
    def steps(self) -> int:
        return len(self.trace.tokens)

    @property
    def layers(self) -> int:
        return len(self.trace.layers)

    @cached_property
    def words(self) -> list[str]:
        return [word(int(t)) for t in self.trace.tokens]

    @property
    def padding(self) -> int:
        """Leading padding steps (``len`` longer than the sentence, as pad_sequences does)."""
        tokens = self.trace.tokens
        return int(np.argmax(tokens != PAD)) if (tokens != PAD).any() else len(tokens)

    def shown(self) -> range:
        """The steps the figures show: all, or the last SHOWN_STEPS of a long sequence."""
        return range(max(0, self.steps - SHOWN_STEPS), self.steps)

    def active(self, name: str) -> bool:
        return self.state.train and bool(self.plan["masks"].get(name, {}).get("active"))

    def masks(self, layer: int = 0) -> list[MaskSeries]:
        """The masks acting in ``layer`` over the steps, in the page's order (cell/masks.js)."""
        tr = self.trace
        held = tr.layers[layer].masks
        out = []
        if layer == 0 and self.active("embedding"):
            out.append(MaskSeries("embedding", tr.embedding_mask.keep, "the Dropout after the Embedding, on x(t)"))
        below = tr.layers[layer - 1].masks.get("between") if layer > 0 else None
        if below is not None and self.active("between"):
            out.append(MaskSeries("between", below.keep, f"PyTorch's dropout between layers, on h of layer {layer}"))
        for part, name, wire in (("x", "input", "x(t)"), ("h", "recurrent", "h(t-1)")):
            if self.active(name) and name in held:
                keep = expand_mask(held[name], self.steps)
                out += [MaskSeries(f"{part}:{g}", keep[:, k], f"{title}'s mask on {wire}") for k, (g, title) in
                        enumerate(GATES)]  # fmt: skip
        if self.active("gate_output") and "gate_output" in held:
            keep = expand_mask(held["gate_output"], self.steps)
            out += [MaskSeries(f"gate:{g}", keep[:, k], f"a mask on the activation of {title} (the forum answer)")
                    for k, (g, title) in enumerate(GATES)]  # fmt: skip
        if self.active("candidate") and "candidate" in held:
            out.append(MaskSeries("candidate", held["candidate"].keep, "candidate dropout, on g"))
        for v in ("c", "h"):
            name = f"zoneout_{v}"
            if self.active(name) and name in held:
                what = f"zoneout on {v}: dark units keep their value of step t-1"
                out.append(MaskSeries(f"zoneout:{v}", held[name].keep, what))
        if layer == self.layers - 1 and self.active("output"):
            what = "the Dropout before Dense, on h(T), the last step's h"
            out.append(MaskSeries("output", tr.output_mask.keep, what))
        return out

    def gate(self, name: str, layer: int = 0) -> np.ndarray:
        """(T, H) of a gate (i, f, g, o) or of c, h."""
        lt = self.trace.layers[layer]
        if name in ("c", "h"):
            return getattr(lt, name)
        return lt.record.gate("ifgo".index(name))


def traced(s: State) -> Traced:
    """The state's trace and the plan of that trace, from one run."""
    tr = run(s)
    plan = describe(spec_of(s), s.dropout, s.recurrent_dropout, *facts_of(s, tr), recorded.answer())
    return Traced(s, tr, plan)
