"""The Keras 3, tf.keras 2 and PyTorch code that builds the model of a state.

Each framework gets the closest model its public API allows, and a comment wherever the
state's dropout scheme cannot be expressed with it (a custom cell is then needed).
"""

from __future__ import annotations

from app.engine.semantics import LayerPlan
from app.state import State
from app.trace import plan_of

CUSTOM_CELL = "needs a custom cell (keras.layers.RNN with your own cell)"
TORCH_CELL = "needs a custom cell: loop over nn.LSTMCell and apply the masks yourself"


def _num(x: float) -> str:
    return repr(float(x))


def _extras(lp: LayerPlan, cell: str) -> list[str]:
    out = []
    if lp.candidate:
        out.append(f"# candidate dropout on g (Semeniuta, rate {_num(lp.candidate.rate)}) {cell}")
    if lp.zoneout_c or lp.zoneout_h:
        out.append(f"# zoneout (c {_num(lp.zoneout_c)}, h {_num(lp.zoneout_h)}) {cell}")
    if lp.weight_drop:
        out.append(f"# weight-drop on the recurrent kernel (rate {_num(lp.weight_drop)}) {cell}")
    return out


def _keras_layer(lp: LayerPlan, v3: bool) -> tuple[list[str], dict[str, str], list[str]]:
    """(layers before the LSTM, LSTM keyword arguments, comments) for one layer."""
    pre: list[str] = []
    kw: dict[str, str] = {}
    notes: list[str] = []
    inp, rec = lp.input, lp.recurrent
    if rec is not None:
        kw["recurrent_dropout"] = _num(rec.rate)
        if rec.per_step:
            notes.append(f"# a recurrent mask drawn at every step {CUSTOM_CELL}")
        elif not rec.per_gate:
            notes.append(
                "# one recurrent mask shared by the gates: Keras 3.0-3.7 (keras<3.8); Keras 3.8+ draws four"
                if v3
                else f"# one recurrent mask shared by the gates {CUSTOM_CELL}; tf.keras 2 draws four"
            )
    if inp is not None:
        r = _num(inp.rate)
        if inp.per_step and inp.per_gate:
            kw["dropout"] = r
            notes.append(f"# four input masks drawn at every step {CUSTOM_CELL}")
        elif inp.per_step:  # fresh every step, shared: a Dropout layer on the input sequence
            if not v3 and rec is None:
                kw["dropout"] = r  # tf.keras 2 default path: exactly Dropout before the LSTM
            else:
                pre.append(f"layers.Dropout({r}),  # a fresh input mask at every step, shared by the gates")
        elif not inp.per_gate:  # one mask for the sequence, shared by the gates
            if v3 and rec is None:
                kw["dropout"] = r
            else:
                pre.append(f"layers.SpatialDropout1D({r}),  # one input mask, the same at every step")
        else:  # four masks, per sequence: implementation 1
            kw["dropout"] = r
            if rec is None:
                if v3:
                    kw["recurrent_dropout"] = "1e-07"
                    notes.append(
                        "# four input masks need implementation 1, which Keras 3.8+ takes only when "
                        "recurrent_dropout > 0: 1e-07 forces it and drops (almost) nothing"
                    )
                else:
                    kw["implementation"] = "1"
    if not v3 and rec is not None:
        notes.append(
            "# tf.keras 2 (TF 2.15) inside model.fit with unroll=False was observed to redraw these "
            "masks at every step; eager mode and unroll=True keep them for the sequence"
        )
    return pre, kw, notes + _extras(lp, CUSTOM_CELL)


def _embedding_keras(s: State) -> list[str]:
    if s.emb_dropout == 0:
        return []
    r = _num(s.emb_dropout)
    if s.emb_mode == "standard":
        return [f"layers.Dropout({r}),  # a fresh mask per step and feature"]
    if s.emb_mode == "spatial":
        return [f"layers.SpatialDropout1D({r}),  # whole features, the same at every step"]
    return [
        f"# word dropout ({r}): whole word types; no built-in layer, drop rows of the embedding",
        "# matrix in a custom Embedding (see embedded_dropout in the PyTorch code)",
    ]


def keras(s: State, v3: bool) -> str:
    plan = plan_of(s)
    steps = len(s.sequence())
    head = (
        ["import keras", "from keras import layers", ""]
        if v3
        else ["import tensorflow as tf  # TF 2.x, Keras 2", "from tensorflow.keras import layers", ""]
    )
    seq = "keras.Sequential" if v3 else "tf.keras.Sequential"
    inp = "keras.Input" if v3 else "tf.keras.Input"
    body = [
        f'{inp}(shape=({steps},), dtype="int32"),',
        f"layers.Embedding(input_dim={s.vocab}, output_dim={s.emb}),",
        *_embedding_keras(s),
    ]
    for n, lp in enumerate(plan.layers):
        pre, kw, notes = _keras_layer(lp, v3)
        body += notes + pre
        if n < len(plan.layers) - 1:
            kw["return_sequences"] = "True"
        order = ("dropout", "recurrent_dropout", "implementation", "return_sequences")
        args = "".join(f", {k}={kw[k]}" for k in order if k in kw)
        body.append(f"layers.LSTM({s.units}{args}),")
        if lp.between:
            body.append(f"layers.Dropout({_num(lp.between)}),  # between layers, as nn.LSTM(dropout=...)")
    body.append('layers.Dense(1, activation="sigmoid"),')
    lines = [*head, f"model = {seq}(["]
    lines += ["    " + b for b in body]
    lines += [
        "])",
        'model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])',
    ]
    if s.phase == "infer":
        lines.append("# phase=infer: model.predict(x) (training=False) applies no dropout at all")
    return "\n".join(lines) + "\n"


LOCKED = [
    "class LockedDropout(nn.Module):",
    '    """One mask per sequence, the same at every step (Gal; AWD-LSTM locked_dropout.py)."""',
    "",
    "    def __init__(self, p):",
    "        super().__init__()",
    "        self.p = p",
    "",
    "    def forward(self, x):  # (B, T, F)",
    "        if not self.training or self.p == 0:",
    "            return x",
    "        mask = x.new_empty(x.size(0), 1, x.size(2)).bernoulli_(1 - self.p) / (1 - self.p)",
    "        return x * mask",
    "",
    "",
]
EMBEDDED = [
    "def embedded_dropout(embed, words, p):",
    '    """Drop whole word types: rows of the embedding matrix (AWD-LSTM embed_regularize.py)."""',
    "    mask = embed.weight.new_empty(embed.weight.size(0), 1).bernoulli_(1 - p) / (1 - p)",
    "    return nn.functional.embedding(words, embed.weight * mask)",
    "",
    "",
]


def pytorch(s: State) -> str:
    plan = plan_of(s)
    lp = plan.layers[0]
    layers = len(plan.layers)
    between = next((p.between for p in plan.layers if p.between), 0.0)
    inp = lp.input
    need_locked = inp is not None and not inp.per_step and not inp.per_gate
    need_word = s.emb_dropout > 0 and s.emb_mode == "word"
    notes = []
    if inp is not None and inp.per_gate:
        notes.append(f"# four input masks, one per gate (rate {_num(inp.rate)}), {TORCH_CELL}")
    if lp.recurrent is not None:
        notes.append(f"# recurrent dropout on h_(t-1) (rate {_num(lp.recurrent.rate)}): nn.LSTM has none; {TORCH_CELL}")
    notes += _extras(lp, TORCH_CELL)
    per_layer_input = inp is not None and not inp.per_gate

    init = [f"self.embedding = nn.Embedding({s.vocab}, {s.emb})"]
    if s.emb_dropout > 0 and s.emb_mode == "standard":
        init.append(f"self.emb_drop = nn.Dropout({_num(s.emb_dropout)})  # per step and feature")
    elif s.emb_dropout > 0 and s.emb_mode == "spatial":
        init.append(f"self.emb_drop = nn.Dropout1d({_num(s.emb_dropout)})  # whole features, on (B, E, T)")
    if per_layer_input:
        drop = f"LockedDropout({_num(inp.rate)})" if need_locked else f"nn.Dropout({_num(inp.rate)})"
        init.append(f"self.in_drop = {drop}  # on each layer's input")
        init.append(
            f"self.lstms = nn.ModuleList(nn.LSTM({s.emb} if n == 0 else {s.units}, {s.units}, batch_first=True) "
            f"for n in range({layers}))"
        )
    else:
        drop_arg = f", dropout={_num(between)}" if between or (s.preset == "pytorch" and s.dropout) else ""
        if s.preset == "pytorch" and s.dropout and layers == 1:
            drop_arg = f", dropout={_num(s.dropout)}"
            notes.append("# with num_layers=1 this dropout does nothing (PyTorch warns about it)")
        init.append(f"self.lstm = nn.LSTM({s.emb}, {s.units}, num_layers={layers}, batch_first=True{drop_arg})")
    init.append(f"self.dense = nn.Linear({s.units}, 1)")

    fwd = []
    if need_word:
        fwd.append(
            f"x = embedded_dropout(self.embedding, tokens, {_num(s.emb_dropout)}) "
            "if self.training else self.embedding(tokens)"
        )
    else:
        fwd.append("x = self.embedding(tokens)  # (B, T, E)")
    if s.emb_dropout > 0 and s.emb_mode == "standard":
        fwd.append("x = self.emb_drop(x)")
    elif s.emb_dropout > 0 and s.emb_mode == "spatial":
        fwd.append("x = self.emb_drop(x.transpose(1, 2)).transpose(1, 2)")
    if per_layer_input:
        fwd += ["for lstm in self.lstms:", "    x, _ = lstm(self.in_drop(x))"]
    else:
        fwd.append("x, _ = self.lstm(x)")
    fwd.append("return torch.sigmoid(self.dense(x[:, -1]))")

    lines = ["import torch", "from torch import nn", "", ""]
    lines += LOCKED if need_locked else []
    lines += EMBEDDED if need_word else []
    lines += ["class Model(nn.Module):", "    def __init__(self):", "        super().__init__()"]
    lines += ["        " + line for line in notes + init]
    lines += ["", "    def forward(self, tokens):  # (B, T) int64"]
    lines += ["        " + line for line in fwd]
    lines += ["", "", "model = Model()"]
    lines.append("model.eval()  # phase=infer: no dropout" if s.phase == "infer" else "model.train()  # dropout on")
    return "\n".join(lines) + "\n"


def code(s: State) -> dict:
    notes = [
        "Weights: Keras initialises kernels glorot-uniform, recurrent kernels orthogonal and the "
        "forget bias to 1; PyTorch uses U(-1/sqrt(H), 1/sqrt(H)) for all. Copy the weights from "
        "/api/weights to reproduce this trace's numbers (PyTorch: weight_ih = kernel.T, "
        "weight_hh = recurrent_kernel.T, bias_ih = bias, bias_hh = 0).",
        "The masks themselves come from each framework's own random generator: the same seed "
        "gives other masks there. The parity tests inject this app's masks to compare numbers.",
    ]
    return {
        "state": s.canonical(),
        "keras3": keras(s, True),
        "tfkeras2": keras(s, False),
        "pytorch": pytorch(s),
        "notes": notes,
    }
