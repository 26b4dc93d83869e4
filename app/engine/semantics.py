"""Framework presets: what Keras 3, tf.keras 2, PyTorch and the papers do with the rates.

``resolve(preset, rates, layers)`` turns the user's rates into a ``Plan``: which masks each
LSTM layer draws, shared by the gates or one per gate, once per sequence or at every step.
The words come from the traces (app/engine/facts.py, summary.py); the semantics are those of
docs/semantics.md, checked against Keras 3.15.1, TF 2.15.1 (tf.keras 2) and PyTorch 2.13.0 by
tests/parity.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from app.engine.dropout import MaskSpec

KERAS3_SRC = "keras/src/layers/rnn/lstm.py (LSTMCell.call), keras/src/layers/rnn/dropout_rnn_cell.py"
TFKERAS2_SRC = "keras/src/layers/rnn/lstm.py in Keras 2.15.0 (the same in keras-team/tf-keras)"
TORCH_SRC = "torch/nn/modules/rnn.py; aten/src/ATen/native/RNN.cpp"
AWD_SRC = "arXiv 1708.02182; salesforce/awd-lstm-lm embed_regularize.py, locked_dropout.py, weight_drop.py"
FORUM_SRC = "the popular forum answer (shared/seed/question.txt); docs/semantics.md, The popular answer"


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
    gate_output: MaskSpec | None = None  # on the four gate activations i, f, g, o (preset forum, hypothetical)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    versions: str
    source: str
    knobs: frozenset[str]  # rate fields the preset accepts besides the embedding's
    lead: str  # what the preset models, sourced; what its masks do is measured (app/engine/summary.py)


@dataclass(frozen=True)
class Plan:
    preset: str
    layers: tuple[LayerPlan, ...]
    notes: tuple[str, ...] = field(default=())


# The rates of the cell (every float knob of Rates): what preset custom has, what a preset may lack.
RATE_KNOBS = tuple(f.name for f in fields(Rates) if isinstance(f.default, float))

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "keras3", "Keras 3 (3.8 and later)", "3.15.1 checked; 3.8.0 to 3.14 read from source (PR #20663)",
            KERAS3_SRC, frozenset({"dropout", "recurrent_dropout"}),
            "keras.layers.LSTM in Keras 3.8 and later (PR #20663).",
        ),
        Preset(
            "keras3-legacy", "Keras 3.0 to 3.7", "3.0.0 to 3.7.x, read from source (keras/src/layers/rnn/lstm.py)",
            KERAS3_SRC,
            frozenset({"dropout", "recurrent_dropout"}),
            "keras.layers.LSTM in Keras 3.0 to 3.7, before PR #20663.",
        ),
        Preset(
            "tfkeras2", "tf.keras 2, eager call",
            "TF 2.15.1 (Keras 2.15) checked; Keras 2.3 to 2.14 as tf.keras read from source",
            TFKERAS2_SRC, frozenset({"dropout", "recurrent_dropout"}),
            "tf.keras.layers.LSTM (Keras 2) called directly (eager, unroll=False); model.fit is the preset "
            "tfkeras2-fit. With unroll=True TF 2.15.1 keeps one input mask over time even at "
            "recurrent_dropout = 0, which this preset does not show.",
        ),
        Preset(
            "tfkeras2-fit", "tf.keras 2 inside model.fit",
            "TF 2.15.1 (Keras 2.15), observed; not a documented contract",
            TFKERAS2_SRC, frozenset({"dropout", "recurrent_dropout"}),
            "tf.keras.layers.LSTM (Keras 2) inside model.fit (tf.function, unroll=False), as TF 2.15.1 runs it.",
        ),
        Preset(
            "pytorch", "PyTorch nn.LSTM", "2.13.0 checked; 1.x and other 2.x from source (torch/nn/modules/rnn.py)",
            TORCH_SRC,
            frozenset({"dropout"}),
            "torch.nn.LSTM(dropout=p, num_layers=L), which has no recurrent dropout argument.",
        ),
        Preset(
            "gal-tied", "Gal & Ghahramani 2016, tied", "arXiv 1512.05287 (NeurIPS 2016)",
            "arXiv 1512.05287, section 4", frozenset({"dropout", "recurrent_dropout"}),
            "Variational dropout (Gal & Ghahramani 2016), tied weights.",
        ),
        Preset(
            "gal-untied", "Gal & Ghahramani 2016, untied", "arXiv 1512.05287 (NeurIPS 2016)",
            "arXiv 1512.05287, section 4", frozenset({"dropout", "recurrent_dropout"}),
            "Variational dropout (Gal & Ghahramani 2016), untied weights: each gate its own masks.",
        ),
        Preset(
            "zaremba", "Zaremba, Sutskever & Vinyals 2014", "arXiv 1409.2329",
            "arXiv 1409.2329, section 3.1", frozenset({"dropout"}),
            "Dropout on the non-recurrent connections only (Zaremba et al. 2014).",
        ),
        Preset(
            "semeniuta", "Semeniuta, Severyn & Barth 2016", "arXiv 1603.05118 (COLING 2016)",
            "arXiv 1603.05118, section 3", frozenset({"dropout", "candidate_dropout"}),
            "Recurrent dropout without memory loss (Semeniuta et al. 2016): c_t = f * c_{t-1} + i * d(g_t), "
            "the memory c_{t-1} itself is never dropped.",
        ),
        Preset(
            "awd", "AWD-LSTM (Merity et al. 2017)", "arXiv 1708.02182", AWD_SRC,
            frozenset({"dropout", "weight_drop"}),
            "AWD-LSTM (Merity et al. 2017): weight-drop on the hidden-to-hidden weights, locked dropout "
            "on each layer's input.",
        ),
        Preset(
            "forum", "The forum answer (hypothetical)", "no framework or paper: the forum answer's picture, computed",
            FORUM_SRC, frozenset({"dropout", "recurrent_dropout"}),
            "A hypothetical scheme, not what any framework does: the popular forum answer's picture of "
            "LSTM(dropout=d), \"Dropout(d/2) four times, once after each of the 4 yellow blocks\", computed. "
            "dropout does not mask x(t); each of the four gate activations i, f, g, o is multiplied by its own "
            "mask at rate d/2, fresh at every step, per gate and unit, scaled by 1/(1 - d/2): "
            "c_t = (f q_f) c_{t-1} + (i q_i)(g q_g), h_t = (o q_o) tanh(c_t). recurrent_dropout is Keras 3.8's. "
            "Nothing at inference. Its published relative is Semeniuta et al.'s candidate dropout (preset "
            "semeniuta), which masks g only.",
        ),
        Preset(
            "custom", "Custom", "every knob explicit", "this app (app/engine/lstm.py)",
            frozenset(RATE_KNOBS),
            "Every mask chosen by hand: in_share, in_time, rec_share and rec_time set the sharing and "
            "timing of the masks on x(t) and h(t-1).",
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
    elif preset == "forum":  # hypothetical: dropout split over the four gate outputs, recurrent as keras3
        cell = LayerPlan(recurrent=_spec(rd, per_gate=True), gate_output=_spec(d / 2, per_gate=True, per_step=True))
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
