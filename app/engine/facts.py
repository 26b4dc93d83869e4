"""What a trace shows, measured on its own arrays: the only things a sentence of the app may claim.

The words (app/engine/verdict.py, app/engine/explain.py, the preset summaries and the lessons) are
templates over these facts, never branches on the state's fields, so a combination of fields
nobody thought of cannot make a sentence false. ``measure(trace, reference)`` reads them off a
trace and the same model's trace with every rate 0 (``reference``); tests/engine/test_facts.py
walks the grid of states, recomputes every fact from the served arrays by other code, and checks
each sentence against them.

A mask *acts* when it changes what it multiplies: some element dropped (keep-bit 0) or the kept
ones scaled (scale != 1). At inference every dropout mask keeps everything unscaled, so every fact
about it is false; zoneout acts at inference too (its expectation, scale 1 - z).

    embedding_masked    the mask on the embedding output e(t) acts
    input_masked        the first layer's mask on x(t), before the gates' input weights, acts
    recurrent_masked    the first layer's mask on h(t-1) acts
    other_masks         the other kinds that act, in any layer, in this order:
                        candidate (on g), zoneout (c or h), weight (DropConnect on U),
                        between_layers (on a layer's output before the next), output (before Dense),
                        gate_output (on the four gate activations i, f, g, o: the forum answer's picture)
    input_per_gate      the four gates' input masks are not all the same
    input_per_step      the input mask changes over time
    recurrent_per_gate  likewise on h(t-1)
    recurrent_per_step
    embedding_per_step  the embedding mask changes over time
    differs_from_no_dropout   the output or some h differs from the reference (every rate 0)
    keep, scale         an element of e(t) reaches gate i at step 0 with probability ``keep`` and is
                        then multiplied by ``scale``: the product of the acting masks' multipliers
                        on that path (inverted dropout: each keeps with probability 1 / its scale)
    equivalent_dropout  1 - keep when the embedding mask and the input mask are of one kind (both
                        dropped something in this draw, both change over time or neither does,
                        neither is per gate nor drops whole steps), so that together they are one
                        mask of that kind at rate 1 - keep; else None

And what the sentences quote besides (measured the same way):

    steps                  T, the number of steps (with one, per-step and per-sequence coincide)
    embedding_dropped, input_dropped, recurrent_dropped   the mask zeroed some element in this draw
                           (a mask can act by its scale alone: then its sharing and timing show nothing)
    embedding_whole_steps  the embedding mask dropped some step, and every step is kept or
                           dropped whole (word dropout)
    embedding_keep, input_keep   each mask's own keep probability (1 / its scale; 1 when off)
    other_per_step         the other masks that change over time (candidate, zoneout, between_layers,
                           gate_output)
    gate_output_per_gate   the masks on the gate outputs differ between the four gates
    gate_output_keep       their keep probability (1 / scale; 1 when none acts)
    probability, probability_without_dropout, max_abs_dh   the output, the reference's, and the
                           largest |h - h_reference| over layers, steps and units
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.dropout import Mask
from app.engine.model import Trace

OTHER_KINDS = ("candidate", "zoneout", "weight", "between_layers", "output", "gate_output")
# The trace's mask names behind each kind of other mask.
OTHER_MASKS = {
    "candidate": ("candidate",),
    "zoneout": ("zoneout_c", "zoneout_h"),
    "weight": ("weight_drop",),
    "between_layers": ("between",),
    "gate_output": ("gate_output",),
}
PER_STEP_KINDS = ("candidate", "zoneout", "between_layers", "gate_output")


@dataclass(frozen=True)
class Facts:
    embedding_masked: bool
    input_masked: bool
    recurrent_masked: bool
    other_masks: tuple[str, ...]
    input_per_gate: bool
    input_per_step: bool
    recurrent_per_gate: bool
    recurrent_per_step: bool
    embedding_per_step: bool
    differs_from_no_dropout: bool
    keep: float
    scale: float
    equivalent_dropout: float | None
    steps: int
    embedding_dropped: bool
    input_dropped: bool
    recurrent_dropped: bool
    embedding_whole_steps: bool
    embedding_keep: float
    input_keep: float
    other_per_step: tuple[str, ...]
    gate_output_per_gate: bool
    gate_output_keep: float
    probability: float
    probability_without_dropout: float
    max_abs_dh: float

    @property
    def any_mask(self) -> bool:
        """Some mask acts somewhere in the model."""
        return self.embedding_masked or self.input_masked or self.recurrent_masked or bool(self.other_masks)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def acts(mask: Mask | None) -> bool:
    """The mask changes what it multiplies: an element dropped, or the kept ones scaled."""
    return mask is not None and (mask.scale != 1.0 or not bool(mask.keep.all()))


def _gates(mask: Mask) -> np.ndarray:
    """Keep-bits of a gate mask as (nT, 4, D), whatever its compact shape."""
    keep = mask.keep
    return np.broadcast_to(keep, (keep.shape[0], 4, keep.shape[2]))


def _varies(keep: np.ndarray, axis: int) -> bool:
    """Some slice along ``axis`` differs from the first."""
    return bool((keep != np.take(keep, [0], axis=axis)).any())


def _keep(mask: Mask) -> float:
    """Probability that an element passes this mask: 1 / scale for inverted dropout, 1 when off."""
    return round(1.0 / mask.scale, 6) if acts(mask) else 1.0


def measure(trace: Trace, reference: Trace) -> Facts:
    """Every fact of ``trace``; ``reference`` is the same model, input and phase with every rate 0."""
    first = trace.layers[0].masks
    emb, inp, rec = trace.embedding_mask, first["input"], first["recurrent"]
    emb_on, inp_on, rec_on = acts(emb), acts(inp), acts(rec)

    def any_acts(names: tuple[str, ...]) -> bool:
        return any(acts(layer.masks.get(n)) for layer in trace.layers for n in names)

    def any_varies(names: tuple[str, ...]) -> bool:
        return any(
            acts(layer.masks.get(n)) and _varies(layer.masks[n].keep, 0) for layer in trace.layers for n in names
        )

    other = [kind for kind, names in OTHER_MASKS.items() if any_acts(names) and kind != "gate_output"]
    if acts(trace.output_mask):
        other.append("output")
    gate_out = [layer.masks["gate_output"] for layer in trace.layers if acts(layer.masks.get("gate_output"))]
    if gate_out:
        other.append("gate_output")
    per_step = tuple(k for k in PER_STEP_KINDS if any_varies(OTHER_MASKS[k]))

    emb_drop, in_drop, rec_drop = (
        on and not bool(m.keep.all()) for on, m in ((emb_on, emb), (inp_on, inp), (rec_on, rec))
    )
    emb_per_step = emb_on and _varies(emb.keep, 0)
    whole = emb_drop and bool((emb.keep == emb.keep[:, :1]).all())
    in_gate = inp_on and _varies(_gates(inp), 1)
    in_step = inp_on and _varies(_gates(inp), 0)
    k_emb, k_in = _keep(emb), _keep(inp)
    keep = round(k_emb * k_in, 6)
    scale = float(np.float32(emb.scale if emb_on else 1.0) * np.float32(inp.scale if inp_on else 1.0))
    same_kind = emb_drop and in_drop and not in_gate and not whole and emb_per_step == in_step
    dh = max(
        float(np.abs(a.h.astype(np.float64) - b.h).max()) for a, b in zip(trace.layers, reference.layers, strict=True)
    )
    return Facts(
        embedding_masked=emb_on,
        input_masked=inp_on,
        recurrent_masked=rec_on,
        other_masks=tuple(other),
        input_per_gate=in_gate,
        input_per_step=in_step,
        recurrent_per_gate=rec_on and _varies(_gates(rec), 1),
        recurrent_per_step=rec_on and _varies(_gates(rec), 0),
        embedding_per_step=emb_per_step,
        differs_from_no_dropout=dh > 0 or trace.probability != reference.probability,
        keep=keep,
        scale=round(scale, 6),
        equivalent_dropout=round(1.0 - keep, 6) if same_kind else None,
        steps=len(trace.tokens),
        embedding_dropped=emb_drop,
        input_dropped=in_drop,
        recurrent_dropped=rec_drop,
        embedding_whole_steps=whole,
        embedding_keep=k_emb,
        input_keep=k_in,
        other_per_step=per_step,
        gate_output_per_gate=any(_varies(m.keep, 1) for m in gate_out),
        gate_output_keep=_keep(gate_out[0]) if gate_out else 1.0,
        probability=float(trace.probability),
        probability_without_dropout=float(reference.probability),
        max_abs_dh=dh,
    )
