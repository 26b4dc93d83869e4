"""Framework presets: what Keras 3, tf.keras 2, PyTorch and the papers do with the rates.

``resolve(preset, rates, layers)`` turns the user's rates into a ``Plan``: which masks each
LSTM layer draws, shared by the gates or one per gate, once per sequence or at every step.
``describe(plan, ...)`` says the same in words, with the version range and the source file
each fact comes from. The facts are those of shared/docs/semantics.md, checked against
Keras 3.15.1, TF 2.15.1 (tf.keras 2) and PyTorch 2.13.0 by tests/parity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.engine.dropout import MaskSpec

KERAS3_SRC = "keras/src/layers/rnn/lstm.py (LSTMCell.call), keras/src/layers/rnn/dropout_rnn_cell.py"
TFKERAS2_SRC = "keras/layers/rnn/lstm.py in keras-team/keras v2.15.0 (the same in keras-team/tf-keras)"
TORCH_SRC = "torch/nn/modules/rnn.py; aten/src/ATen/native/RNN.cpp"
AWD_SRC = "arXiv 1708.02182; salesforce/awd-lstm-lm embed_regularize.py, locked_dropout.py, weight_drop.py"


@dataclass(frozen=True)
class Rates:
    """The dropout knobs of the state; the ``in_*``/``rec_*`` choices matter only for custom."""

    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    candidate_dropout: float = 0.0
    zoneout_c: float = 0.0
    zoneout_h: float = 0.0
    weight_drop: float = 0.0
    in_share: str = "shared"  # shared | gate
    in_time: str = "seq"  # seq | step
    rec_share: str = "shared"
    rec_time: str = "seq"


@dataclass(frozen=True)
class LayerPlan:
    """The in-cell dropout of one LSTM layer. A rate of 0 means the mask is absent."""

    input: MaskSpec | None = None  # on x_t, before the input kernel
    recurrent: MaskSpec | None = None  # on h_{t-1}, before the recurrent kernel
    candidate: MaskSpec | None = None  # on g_t (Semeniuta)
    zoneout_c: float = 0.0
    zoneout_h: float = 0.0
    weight_drop: float = 0.0  # DropConnect on the recurrent kernel, once per forward pass
    between: float = 0.0  # dropout on this layer's output sequence (PyTorch, not the last layer)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    versions: str
    source: str
    knobs: frozenset[str]  # rate fields the preset accepts besides the embedding's
    summary: str


@dataclass(frozen=True)
class Plan:
    preset: str
    layers: tuple[LayerPlan, ...]
    notes: tuple[str, ...] = field(default=())


_RATE_KNOBS = ("dropout", "recurrent_dropout", "candidate_dropout", "zoneout_c", "zoneout_h", "weight_drop")

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "keras3", "Keras 3 (3.8 and later)", ">= 3.8.0 (keras-team/keras PR #20663); checked on 3.15.1",
            KERAS3_SRC, frozenset({"dropout", "recurrent_dropout"}),
            "Masks drawn once per call and reused at every step. recurrent_dropout = 0: one input "
            "mask shared by the four gates; recurrent_dropout > 0: four input and four recurrent "
            "masks, one per gate.",
        ),
        Preset(
            "keras3-legacy", "Keras 3.0 to 3.7", "3.0.0 to 3.7.x", KERAS3_SRC,
            frozenset({"dropout", "recurrent_dropout"}),
            "One input mask and one recurrent mask, each shared by the four gates, drawn once "
            "per call and reused at every step.",
        ),
        Preset(
            "tfkeras2", "tf.keras 2, eager call", "Keras 2.3 to 2.15 as tf.keras; checked on TF 2.15.1",
            TFKERAS2_SRC, frozenset({"dropout", "recurrent_dropout"}),
            "A direct call of the layer (eager, or unroll=True). recurrent_dropout = 0: the "
            "cuDNN-compatible path multiplies the whole input by one mask, fresh at every step and "
            "shared by the gates (exactly Dropout before the LSTM); recurrent_dropout > 0: "
            "implementation 1, four input and four recurrent masks, the same at every step. "
            "model.fit re-draws the latter at every step: see tfkeras2-fit.",
        ),
        Preset(
            "tfkeras2-fit", "tf.keras 2 inside model.fit",
            "TF 2.15.1 (Keras 2.15), observed; not a documented contract",
            TFKERAS2_SRC, frozenset({"dropout", "recurrent_dropout"}),
            "What model.fit runs (tf.function, unroll=False): recurrent_dropout = 0 as eager, one input "
            "mask fresh at every step, shared by the gates; recurrent_dropout > 0: the four input and "
            "four recurrent masks are created inside the loop body, so they are re-drawn at every step.",
        ),
        Preset(
            "pytorch", "PyTorch nn.LSTM", "1.x and 2.x; checked on 2.13.0", TORCH_SRC,
            frozenset({"dropout"}),
            "dropout acts only between stacked layers, on each layer's output except the last, "
            "fresh per element and step. No recurrent dropout.",
        ),
        Preset(
            "gal-tied", "Gal & Ghahramani 2016, tied", "arXiv 1512.05287 (NeurIPS 2016)",
            "arXiv 1512.05287, section 4", frozenset({"dropout", "recurrent_dropout"}),
            "Variational dropout: one mask on x_t and one on h_{t-1}, shared by the gates, the "
            "same at every step.",
        ),
        Preset(
            "gal-untied", "Gal & Ghahramani 2016, untied", "arXiv 1512.05287 (NeurIPS 2016)",
            "arXiv 1512.05287, section 4", frozenset({"dropout", "recurrent_dropout"}),
            "Variational dropout with one mask per gate on x_t and on h_{t-1}, the same at every step.",
        ),
        Preset(
            "zaremba", "Zaremba, Sutskever & Vinyals 2014", "arXiv 1409.2329",
            "arXiv 1409.2329, section 3.1", frozenset({"dropout"}),
            "Dropout on the non-recurrent connections only (each layer's input), fresh at every "
            "step, one mask before the joint four-gate map. The recurrent path is never dropped.",
        ),
        Preset(
            "semeniuta", "Semeniuta, Severyn & Barth 2016", "arXiv 1603.05118 (COLING 2016)",
            "arXiv 1603.05118, section 3", frozenset({"dropout", "candidate_dropout"}),
            "Recurrent dropout without memory loss: only the candidate g is dropped, "
            "c_t = f * c_{t-1} + i * d(g_t); optional per-step dropout on the layer input.",
        ),
        Preset(
            "awd", "AWD-LSTM (Merity et al. 2017)", "arXiv 1708.02182", AWD_SRC,
            frozenset({"dropout", "weight_drop"}),
            "DropConnect on the hidden-to-hidden weights, one mask per forward pass; locked "
            "(per-sequence) dropout on each layer's input.",
        ),
        Preset(
            "custom", "Custom", "every knob explicit", "this app (app/engine/lstm.py)",
            frozenset(_RATE_KNOBS),
            "Every mask chosen by hand: sharing and timing of the input and recurrent masks, "
            "candidate dropout, zoneout and weight-drop.",
        ),
    )
}  # fmt: skip

CUSTOM_CHOICES = ("in_share", "in_time", "rec_share", "rec_time")


def pytorch_warning(dropout: float, layers: int) -> str:
    """The text of the UserWarning nn.LSTM gives for dropout with a single layer."""
    return (
        "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
        f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={layers}"
    )


def _spec(rate: float, per_gate: bool = False, per_step: bool = False) -> MaskSpec | None:
    return MaskSpec(rate, per_gate, per_step) if rate > 0 else None


def resolve(preset: str, r: Rates, layers: int) -> Plan:
    """The masks each layer draws under ``preset`` with rates ``r`` (already validated)."""
    notes: list[str] = []
    d, rd = r.dropout, r.recurrent_dropout
    if preset == "keras3":
        four = rd > 0
        cell = LayerPlan(input=_spec(d, per_gate=four), recurrent=_spec(rd, per_gate=True))
    elif preset in ("keras3-legacy", "gal-tied"):
        cell = LayerPlan(input=_spec(d), recurrent=_spec(rd))
    elif preset == "gal-untied":
        cell = LayerPlan(input=_spec(d, per_gate=True), recurrent=_spec(rd, per_gate=True))
    elif preset in ("tfkeras2", "tfkeras2-fit"):
        fit = preset == "tfkeras2-fit"  # inside tf.function the cell's masks are re-drawn every step
        if rd > 0:
            cell = LayerPlan(
                input=_spec(d, per_gate=True, per_step=fit), recurrent=_spec(rd, per_gate=True, per_step=fit)
            )
        else:
            cell = LayerPlan(input=_spec(d, per_step=True))
    elif preset == "pytorch":
        if d > 0 and layers == 1:
            notes.append("PyTorch warns: " + pytorch_warning(d, layers))
        plans = [LayerPlan(between=d if n < layers - 1 else 0.0) for n in range(layers)]
        return Plan(preset, tuple(plans), tuple(notes))
    elif preset == "zaremba":
        cell = LayerPlan(input=_spec(d, per_step=True))
    elif preset == "semeniuta":
        cell = LayerPlan(input=_spec(d, per_step=True), candidate=_spec(r.candidate_dropout, per_step=True))
    elif preset == "awd":
        cell = LayerPlan(input=_spec(d), weight_drop=r.weight_drop)
    elif preset == "custom":
        cell = LayerPlan(
            input=_spec(d, r.in_share == "gate", r.in_time == "step"),
            recurrent=_spec(rd, r.rec_share == "gate", r.rec_time == "step"),
            candidate=_spec(r.candidate_dropout, per_step=True),
            zoneout_c=r.zoneout_c,
            zoneout_h=r.zoneout_h,
            weight_drop=r.weight_drop,
        )
    else:
        raise ValueError(f"unknown preset {preset!r}")
    return Plan(preset, (cell,) * layers, tuple(notes))
