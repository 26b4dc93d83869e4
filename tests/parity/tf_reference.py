"""Run tf.keras 2 models (TF 2.15, Keras 2.15) as model.fit and an eager call run them, and
report the dropout masks TF asks for, or run them on the engine's masks.

    .venv-tf/bin/python tests/parity/tf_reference.py IN.npz OUT.json

Runs in its own virtual environment (TF 2.15 needs numpy < 2), so it imports nothing from the
app; masks.py (pure NumPy) serves the engine's masks. IN holds jobs, keys "NAME/field":

    code        Python source that builds `model` (the generated code of /api/code, or any)
    x           the model's input, batch first; y is zeros
    modes       comma-separated: fit (one model.fit step), eager (model(x, training=True)),
                infer (model(x, training=False))
    record      1: run TF's own draws and record them; 0: serve the engine's masks
    embedding, lstm{n}/kernel, lstm{n}/recurrent_kernel, lstm{n}/bias, dense_kernel, dense_bias
                the weights to load (those present)
    mask/KIND/N, rate/KIND   the engine's masks (masks.pack), when record = 0

OUT is JSON: per job and mode, the outputs (`outputs`: every output of the model; `dense`:
input and output of the final Dense; `h`: per LSTM layer, h at every step from the cell),
`seen` (how TF drew each engine mask, masks.MaskServer.seen), `error` (a MaskMismatch when TF
draws other masks than the plan has), and `requests`: every mask TF's LSTM cells ask for, with
the graph it is created in (eager; graph: a tf.function; loop: the body of the while loop,
executed at every step; probe: the call before the loop that only fixes the output shapes) and,
with record = 1, what was drawn when the graph ran.

How the engine's masks go in: a cell's masks are made by DropoutRNNCellMixin._create_*_mask,
which TF's cache calls once per call in eager mode or with unroll=True, and once per trace of
the while-loop body inside tf.function (so the masks made there are re-drawn at every step);
those two are patched, and inside the loop body the mask of step t is gathered by a step
counter that advances after h_{t-1} exists. Dropout layers draw through RandomGenerator.dropout
and the custom layers of the generated code through tf.nn.dropout; both are patched too. The
masks of the probe call are NaN, which proves they are never used.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf
from keras import __version__ as keras_version
from keras.src import backend as keras_backend
from keras.src.layers.rnn import lstm as keras_lstm
from keras.src.layers.rnn.dropout_rnn_cell_mixin import DropoutRNNCellMixin
from keras.src.layers.rnn.lstm import LSTMCell

sys.path.insert(0, str(Path(__file__).parent))
from masks import MaskServer  # pure NumPy, beside this script

tf.config.threading.set_intra_op_parallelism_threads(1)  # tests/parity/tf.py runs one process per CPU
tf.config.threading.set_inter_op_parallelism_threads(1)

REAL = {
    "input": DropoutRNNCellMixin._create_dropout_mask,
    "recurrent": DropoutRNNCellMixin._create_recurrent_dropout_mask,
    "cell_call": LSTMCell.call,
    "standard_lstm": keras_lstm.standard_lstm,
    "layer_call": keras_lstm.LSTM.call,
    "generator_dropout": keras_backend.RandomGenerator.dropout,
    "nn_dropout": tf.nn.dropout,
    "dense_call": tf.keras.layers.Dense.call,
}


class Run:
    """What the patched functions need: the cells of the model, the mask server, the records."""

    def __init__(self):
        self.active = False
        self.server: MaskServer | None = None
        self.cells: dict[int, dict] = {}  # id(cell or layer) -> {"layer": n, "unroll": bool, "counter": ...}
        self.calling = None  # the LSTM layer being called (the default path's loop has no cell)
        self.clear()

    def clear(self):
        self.requests: list[dict] = []
        self.draws: list[tuple] = []  # (request index, step or -1, [mask arrays]) as executed
        self.h: list[tuple] = []  # (layer, step or -1, h)
        self.dense: list[tuple] = []


RUN = Run()


def _context(cell) -> str:
    if tf.executing_eagerly():
        return "eager"
    graph = tf.compat.v1.get_default_graph()
    if type(graph).__name__ == "WhileBodyFuncGraph":
        return "loop"
    info = RUN.cells.get(id(cell))
    return "probe" if info and not info["unroll"] and not info["default_path"] else "graph"


def _key():
    return None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()


def _record(tensors: list, index: int, step) -> None:
    """Append the values of ``tensors`` to RUN.draws when they are computed (graph or eager)."""

    def save(t, *values):
        RUN.draws.append((index, int(t), [v.numpy() for v in values]))
        return np.int32(0)

    tf.py_function(save, [tf.constant(-1) if step is None else step, *tensors], Tout=tf.int32)


def _mask_factory(kind: str):
    def create(self, inputs, training, count=1):
        context = _context(self)
        info = RUN.cells.get(id(self))
        if not RUN.active or info is None:
            return REAL[kind](self, inputs, training, count=count)
        n = info["layer"]
        rank = inputs.shape.rank
        step = getattr(self, "_dropout_lab_step", None) if context == "loop" else None
        request = {"kind": kind, "layer": n, "context": context, "count": count, "rank": rank}
        request |= {"shape": [d if d is not None else -1 for d in inputs.shape.as_list()]}
        request["implementation"] = int(self.implementation)
        RUN.requests.append(request)
        if RUN.server is None:  # record TF's own draw
            masks = REAL[kind](self, inputs, training, count=count)
            if masks is not None and training:
                _record(list(masks) if isinstance(masks, list) else [masks], len(RUN.requests) - 1, step)
            return masks
        if not training:
            return [tf.ones_like(inputs)] * count
        nan = tf.fill(tf.shape(inputs), float("nan"))
        if context == "probe":  # the time-zero call before the loop: its masks must not matter
            return [nan] * count
        gates = 4 if rank == 2 and self.implementation == 1 else 1
        stack = RUN.server.cell(kind, n, gates, per_step=rank == 3 or context == "loop")  # (nT, nG, D)
        if rank == 3:  # the whole (batch, time, features) input: one mask per step
            chosen = tf.constant(stack[:, 0][None])
            return [chosen] + [nan] * (count - 1)
        at = tf.gather(tf.constant(stack), step) if context == "loop" else tf.constant(stack[0])  # (nG, D)
        masks = [at[k][None] for k in range(gates)]
        return masks + [nan] * (count - gates)

    return create


def cell_call(self, inputs, states, training=None):
    """LSTMCell.call, with the step counter (inside the while loop) and h recorded."""
    info = RUN.cells.get(id(self))
    if not RUN.active or info is None:
        return REAL["cell_call"](self, inputs, states, training)
    step = tf.constant(-1)
    if _context(self) == "loop":
        with tf.control_dependencies([states[0]]):  # after h_{t-1}: the steps in order
            step = info["counter"].assign_add(1).read_value() - 1
        self._dropout_lab_step = step
    h, new_states = REAL["cell_call"](self, inputs, states, training)
    layer = info["layer"]

    def save(t, value):
        RUN.h.append((layer, int(t), value.numpy()))
        return np.int32(0)

    tf.py_function(save, [step, h], Tout=tf.int32)
    return h, new_states


def layer_call(self, *args, **kwargs):
    RUN.calling = self
    try:
        return REAL["layer_call"](self, *args, **kwargs)
    finally:
        RUN.calling = None


def standard_lstm(**params):
    """The default path's loop (no cell): its output sequence recorded. Recorded whenever the
    loop runs while RUN is active: the layer's tf.function may have been traced before."""
    out = REAL["standard_lstm"](**params)
    layer = RUN.calling

    def save(outputs):  # (B, T, H)
        info = RUN.cells.get(id(layer))
        if RUN.active and info is not None:
            RUN.h.extend((info["layer"], t, outputs[:, t].numpy()) for t in range(outputs.shape[1]))
        return np.int32(0)

    tf.py_function(save, [out[1]], Tout=tf.int32)
    return out


def _shape(inputs, noise_shape) -> list[int]:
    """The shape a dropout draws, batch 1: noise_shape where it is 1, else the input's."""
    shape = [1, *inputs.shape.as_list()[1:]]
    if noise_shape is not None:
        shape = [1, *(1 if isinstance(d, int) and d == 1 else shape[i] for i, d in enumerate(noise_shape) if i)]
    return shape


def generator_dropout(self, inputs, rate, noise_shape=None):
    """Dropout and SpatialDropout1D layers draw here."""
    if not RUN.active or RUN.server is None:
        return REAL["generator_dropout"](self, inputs, rate, noise_shape=noise_shape)
    return inputs * tf.constant(RUN.server.draw(rate, _shape(inputs, noise_shape), key=_key()))


def nn_dropout(x, rate=None, noise_shape=None, seed=None, name=None):
    """The custom layers of the generated code draw here: tf.nn.dropout(tf.ones(shape), rate)."""
    if not RUN.active or RUN.server is None:
        return REAL["nn_dropout"](x, rate=rate, noise_shape=noise_shape, seed=seed, name=name)
    shape = [1 if d is None else d for d in x.shape.as_list()]  # the batch is None inside tf.function
    return x * tf.constant(RUN.server.draw(rate, shape, key=_key()))


def dense_call(self, inputs):
    out = REAL["dense_call"](self, inputs)
    if RUN.active:

        def save(a, b):
            RUN.dense.append((a.numpy(), b.numpy()))
            return np.int32(0)

        tf.py_function(save, [inputs, out], Tout=tf.int32)
    return out


DropoutRNNCellMixin._create_dropout_mask = _mask_factory("input")
DropoutRNNCellMixin._create_recurrent_dropout_mask = _mask_factory("recurrent")
LSTMCell.call = cell_call
keras_lstm.standard_lstm = standard_lstm
keras_lstm.LSTM.call = layer_call
keras_backend.RandomGenerator.dropout = generator_dropout
tf.nn.dropout = nn_dropout
tf.keras.layers.Dense.call = dense_call


def _set_weights(model, a: dict) -> None:
    n = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Embedding", "WordDropout") and "embedding" in a:
            layer.set_weights([a["embedding"]])
        elif kind in ("LSTM", "MaskedLSTM") and f"lstm{n}/kernel" in a:
            layer.set_weights([a[f"lstm{n}/{k}"] for k in ("kernel", "recurrent_kernel", "bias")])
            n += 1
        elif kind == "Dense" and "dense_kernel" in a:
            layer.set_weights([a["dense_kernel"], a["dense_bias"]])


def _lstm_layers(model) -> list:
    return [layer for layer in model.layers if type(layer).__name__ in ("LSTM", "MaskedLSTM")]


def _steps_h(records: list, layers: int, steps: int) -> list:
    """h of every step per layer: the loop's records by step, else the last T in order (an
    eager call without unroll first runs the cell once before its loop, to fix the shapes)."""
    out = []
    for n in range(layers):
        mine = [(t, h) for layer, t, h in records if layer == n]
        by_step = {t: h for t, h in mine if t >= 0}
        if by_step:
            out.append(np.concatenate([by_step[t] for t in sorted(by_step)]).tolist())
        else:
            out.append(np.concatenate([h for _, h in mine[-steps:]]).tolist() if mine else [])
    return out


def _draw_summary() -> list[dict]:
    """Per request: how often its masks were drawn when the graph ran, and how many differed."""
    out = []
    for i, request in enumerate(RUN.requests):
        draws = [masks for index, _step, masks in RUN.draws if index == i]
        if not draws:
            out.append({**request, "executed": 0})
            continue
        flat = {b"".join(m.tobytes() for m in masks) for masks in draws}
        out.append(
            {
                **request,
                "executed": len(draws),
                "distinct_draws": len(flat),
                "distinct_gate_masks": len({m.tobytes() for m in draws[0]}),
                "mask_shape": list(draws[0][0].shape),
                "values": sorted({float(v) for m in draws[0] for v in np.unique(m)}),
            }
        )
    return out


def run_job(a: dict) -> dict:
    RUN.active = False
    RUN.cells = {}
    namespace: dict = {}
    exec(str(a["code"]), namespace)
    model = namespace["model"]
    for n, layer in enumerate(_lstm_layers(model)):
        if type(layer).__name__ == "LSTM":  # the layer draws the default path's mask, the cell the others
            info = {
                "layer": n,
                "unroll": bool(layer.unroll),
                "default_path": bool(layer._could_use_gpu_kernel),
                "counter": tf.Variable(0, dtype=tf.int32),
            }
            RUN.cells[id(layer.cell)] = RUN.cells[id(layer)] = info
    masks = {}
    for key in a:
        if key.startswith("mask/"):
            _, kind, n = key.split("/")
            masks.setdefault(kind, {})[int(n)] = a[key]
    rates = {k.split("/")[1]: float(a[k]) for k in a if k.startswith("rate/")}
    x = a["x"]
    results = {"tf_version": tf.__version__, "keras_version": keras_version}
    for mode in str(a["modes"]).split(","):
        _set_weights(model, a)
        RUN.clear()
        RUN.server = None
        if not int(a["record"]):
            RUN.server = MaskServer({k: [v[n] for n in sorted(v)] for k, v in masks.items()}, rates, x.shape[1])
        for info in RUN.cells.values():
            info["counter"].assign(0)
        RUN.active = True
        result: dict = {}
        try:
            if mode == "fit":
                model.fit(x, np.zeros(len(x), dtype=np.float32), batch_size=len(x), epochs=1, verbose=0, shuffle=False)
                outputs = []
            else:
                out = model(x, training=mode == "eager")
                outputs = [o.numpy().tolist() for o in (out if isinstance(out, list | tuple) else [out])]
            if RUN.server is not None and mode != "infer":
                RUN.server.check_complete()
            result = {"outputs": outputs}
        except Exception as e:  # reported: a MaskMismatch, wrapped by Keras or autograph
            mismatch = "MaskMismatch" in f"{type(e).__name__} {e}"
            result = {"error": f"{'MaskMismatch' if mismatch else type(e).__name__}: {e}"}
        RUN.active = False
        result["requests"] = _draw_summary()
        result["h"] = _steps_h(RUN.h, len(_lstm_layers(model)), x.shape[1])
        if RUN.dense:
            result["dense"] = [RUN.dense[-1][0].tolist(), RUN.dense[-1][1].tolist()]
        if RUN.server is not None:
            result["seen"] = {k: {str(n): v for n, v in d.items()} for k, d in RUN.server.seen.items()}
        results[mode] = result
    results["implementation"] = [int(getattr(layer, "implementation", 0)) for layer in _lstm_layers(model)]
    results["lstm_layers"] = [type(layer).__name__ for layer in _lstm_layers(model)]
    return results


def main(src: str, dst: str) -> None:
    with np.load(src) as data:
        jobs: dict[str, dict] = {}
        for key in data.files:
            name, field = key.split("/", 1)
            jobs.setdefault(name, {})[field] = data[key]
    Path(dst).write_text(json.dumps({name: run_job(job) for name, job in jobs.items()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
