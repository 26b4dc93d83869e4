"""Run the code /api/code generates (app/codegen) with the engine's masks served to its draws.

``keras3_run`` and ``torch_run`` exec the generated Keras 3 / PyTorch code, load the state's
weights into the model it builds, answer every dropout draw the model makes with the engine's
mask (masks.MaskServer: Keras 3 through keras.src.backend.random.dropout, which its Dropout
layers, LSTM cells and keras.random.dropout all call; PyTorch through F.dropout / F.dropout1d),
and run one training (or inference) forward pass. They return the output probability, the
input of the final Dense (the last h after the output dropout) and how the framework drew each
mask. ``tf_job`` packs the same for tf_reference.py, which does it in tf.keras 2 (.venv-tf).
"""

from __future__ import annotations

import os
import warnings

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

from app.codegen import code
from app.documents import run as app_run
from app.link.state import State
from tests.parity.masks import MaskServer, pack


def engine(s: State):
    """(trace, weights, mask server) of a state."""
    tr = app_run.run(s)
    masks, rates = pack(s, app_run.plan_of(s), tr)
    return tr, app_run.state_weights(s), MaskServer(masks, rates, len(tr.tokens))


def _lstm_weights(w) -> list[list[np.ndarray]]:
    return [[lw.kernel, lw.recurrent_kernel, lw.bias] for lw in w.layers]


def keras3_run(s: State, monkeypatch) -> dict:
    import keras
    from keras.src import backend

    tr, w, server = engine(s)
    namespace: dict = {}
    exec(code(s)["keras3"], namespace)
    model = namespace["model"]
    lstms = iter(_lstm_weights(w))
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Embedding", "WordDropout"):
            layer.set_weights([w.embedding])
        elif kind in ("LSTM", "MaskedLSTM"):
            layer.set_weights(next(lstms))
        elif kind == "Dense":
            layer.set_weights([w.dense_kernel, w.dense_bias])
            dense = layer
    assert next(lstms, None) is None, "the model has fewer LSTM layers than the state"

    def dropout(inputs, rate, noise_shape=None, seed=None):
        shape = [1 if d is None else d for d in (noise_shape or inputs.shape)]
        return inputs * keras.ops.convert_to_tensor(server.draw(rate, shape))

    seen_input = []
    real_call = dense.call
    with monkeypatch.context() as mp:
        mp.setattr(dense, "call", lambda x, *a, **k: seen_input.append(x) or real_call(x, *a, **k))
        mp.setattr(backend.random, "dropout", dropout)
        p = model(keras.ops.convert_to_tensor(tr.tokens[None].astype("int32")), training=s.train)
    if s.train:
        server.check_complete()
    return {
        "probability": float(keras.ops.convert_to_numpy(p)[0, 0]),
        "dense_input": keras.ops.convert_to_numpy(seen_input[0])[0],
        "seen": server.seen,
        "model": model,
    }


def torch_run(s: State, monkeypatch) -> dict:
    import torch

    tr, w, server = engine(s)
    namespace: dict = {}
    with warnings.catch_warnings(record=True) as caught:  # nn.LSTM(dropout) with one layer warns
        warnings.simplefilter("always")
        exec(code(s)["pytorch"], namespace)
    model = namespace["model"]
    _load_torch(model, w)
    functional = torch.nn.functional

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training:
            return x
        if server.kind(p) == "weight_drop":  # PyTorch layout (4H, H) of the Keras (H, 4H)
            return x * torch.from_numpy(server.draw(p, x.shape[::-1]).T.copy())
        return x * torch.from_numpy(server.draw(p, x.shape))

    def dropout1d(x, p=0.5, training=True, inplace=False):  # x (B, C, L): one bit per channel
        if not training:
            return x
        return x * torch.from_numpy(server.draw(p, (1, 1, x.shape[1])).transpose(0, 2, 1).copy())

    seen_input = []
    hook = model.dense.register_forward_hook(lambda _m, args, _out: seen_input.append(args[0]))
    fused = getattr(model, "lstm", None)
    with monkeypatch.context() as mp, torch.no_grad():
        mp.setattr(functional, "dropout", dropout)
        mp.setattr(functional, "dropout1d", dropout1d)
        p = model(torch.from_numpy(tr.tokens[None].astype(np.int64)))
    hook.remove()
    if s.train and not (fused is not None and fused.dropout and fused.num_layers > 1):
        server.check_complete()  # (the fused stack draws its between-layer masks in C++)
    return {
        "probability": float(p[0, 0]),
        "dense_input": seen_input[0][0].numpy(),
        "seen": server.seen,
        "model": model,
        "warnings": [str(c.message) for c in caught],
    }


def _load_torch(model, w) -> None:
    import torch

    def put(param, value):
        param.copy_(torch.from_numpy(np.ascontiguousarray(value)))

    with torch.no_grad():
        put(model.embedding.weight, w.embedding)
        put(model.dense.weight, w.dense_kernel.T)
        put(model.dense.bias, w.dense_bias)
        if hasattr(model, "lstm"):
            lstms = [(model.lstm, n) for n in range(model.lstm.num_layers)]
        else:
            lstms = [(m, 0) for m in model.lstms]
        for (m, n), (k, rk, b) in zip(lstms, _lstm_weights(w), strict=True):
            if isinstance(m, torch.nn.LSTM):
                put(getattr(m, f"weight_ih_l{n}"), k.T)
                put(getattr(m, f"weight_hh_l{n}"), rk.T)
                put(getattr(m, f"bias_ih_l{n}"), b)
                getattr(m, f"bias_hh_l{n}").zero_()
            else:  # MaskedLSTM: W = nn.Linear(in, 4H), U = nn.Linear(H, 4H, bias=False)
                put(m.W.weight, k.T)
                put(m.W.bias, b)
                put(m.U.weight, rk.T)


def tf_job(
    s: State, modes: str = "", record: bool = False, batch: int = 1, source: str | None = None
) -> dict[str, np.ndarray]:
    """A job for tf_reference.py: run the generated tf.keras 2 code of ``s`` (or ``source``) with
    the state's weights, model.fit and an eager call in training, a call with training=False at
    inference, on the engine's masks; or with ``record`` on TF's own draws (then ``batch``
    sequences: the state's and shifted copies)."""
    tr, w, server = engine(s)
    tokens = np.stack([np.roll(tr.tokens, k) for k in range(batch)]).astype(np.int32)
    job = {
        "code": np.array(source or code(s)["tfkeras2"]),
        "x": tokens,
        "modes": np.array(modes or ("fit,eager" if s.train else "infer")),
        "record": np.int64(record),
        "embedding": w.embedding,
        "dense_kernel": w.dense_kernel,
        "dense_bias": w.dense_bias,
    }
    for n, lw in enumerate(_lstm_weights(w)):
        job |= {f"lstm{n}/{k}": v for k, v in zip(("kernel", "recurrent_kernel", "bias"), lw, strict=True)}
    for kind, layers in server.masks.items():
        job[f"rate/{kind}"] = np.float64(server.rates[kind])
        job |= {f"mask/{kind}/{n}": m for n, m in enumerate(layers)}
    return job
