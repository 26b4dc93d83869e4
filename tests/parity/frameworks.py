"""Run the real frameworks on our weights with our masks injected.

Used by the live parity tests and by make_golden.py, which stores their outputs so that the
plain test run checks parity where torch and keras are not installed. Every function returns
NumPy arrays: per layer h (T, H) and the last c (H,), and the output probability.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

from app.engine.init import Weights
from app.engine.model import Trace


def _gate_list(keep: np.ndarray, scale: float, per_gate: bool):
    """Compact (1, nG, D) keep-bits -> what Keras's get_*_dropout_mask returns, batch 1."""
    import keras

    m = keep[0].astype(np.float32) * np.float32(scale)  # (nG, D)
    if per_gate:
        return [keras.ops.convert_to_tensor(m[k][None]) for k in range(4)]
    return keras.ops.convert_to_tensor(m[0][None])


@contextmanager
def injected_keras_masks(monkeypatch, by_cell: dict):
    """Make each Keras LSTMCell return our masks: by_cell maps id(cell) -> (input, recurrent)."""
    from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

    def get_dropout_mask(self, step_input):
        return by_cell[id(self)][0]

    def get_recurrent_dropout_mask(self, step_input):
        return by_cell[id(self)][1]

    with monkeypatch.context() as m:
        m.setattr(DropoutRNNCell, "get_dropout_mask", get_dropout_mask)
        m.setattr(DropoutRNNCell, "get_recurrent_dropout_mask", get_recurrent_dropout_mask)
        yield


def keras_model(
    weights: Weights, trace: Trace, dropout: float, recurrent_dropout: float, emb_rate: float, emb_mode: str
):
    """Embedding -> Dropout/SpatialDropout1D -> LSTM x L -> Dense(sigmoid), Keras 3 layers."""
    import keras

    vocab, emb = weights.embedding.shape
    layers = []
    for n, lw in enumerate(weights.layers):
        units = lw.recurrent_kernel.shape[0]
        last = n == len(weights.layers) - 1
        layer = keras.layers.LSTM(
            units, dropout=dropout, recurrent_dropout=recurrent_dropout, return_sequences=True, return_state=last
        )
        layer.build((1, len(trace.tokens), lw.kernel.shape[0]))
        layer.set_weights([lw.kernel, lw.recurrent_kernel, lw.bias])
        layers.append(layer)
    embedding = keras.layers.Embedding(vocab, emb)
    embedding.build((1, len(trace.tokens)))
    embedding.set_weights([weights.embedding])
    drop = {"standard": keras.layers.Dropout, "spatial": keras.layers.SpatialDropout1D}[emb_mode](emb_rate)
    dense = keras.layers.Dense(1, activation="sigmoid")
    dense.build((1, weights.dense_kernel.shape[0]))
    dense.set_weights([weights.dense_kernel, weights.dense_bias])
    return embedding, drop, layers, dense


def run_keras(
    monkeypatch, weights: Weights, trace: Trace, dropout, recurrent_dropout, emb_rate, emb_mode, train, out_rate=0.0
):
    """Our masks injected into Keras: the LSTM cells' masks, the embedding dropout's and the
    output dropout's (a Dropout(out_rate) on the last h before Dense)."""
    import keras
    from keras.src import backend

    embedding, drop, layers, dense = keras_model(weights, trace, dropout, recurrent_dropout, emb_rate, emb_mode)
    by_cell = {}
    for layer, lt in zip(layers, trace.layers, strict=True):
        four = getattr(layer.cell, "dropout_mask_count", None) == 4
        by_cell[id(layer.cell)] = (
            _gate_list(lt.masks["input"].keep, lt.masks["input"].scale, four),
            _gate_list(lt.masks["recurrent"].keep, lt.masks["recurrent"].scale, four),
        )
    seen_noise = []

    def fake_dropout(inputs, rate, noise_shape=None, seed=None):
        seen_noise.append((rate, noise_shape))
        mask = trace.output_mask if len(inputs.shape) == 2 else trace.embedding_mask  # (1, H) or (1, T, E)
        mult = mask.keep.astype(np.float32) * np.float32(mask.scale)
        return inputs * keras.ops.convert_to_tensor(mult[None])

    tokens = keras.ops.convert_to_tensor(trace.tokens[None].astype("int32"))
    with injected_keras_masks(monkeypatch, by_cell), monkeypatch.context() as m:
        m.setattr(backend.random, "dropout", fake_dropout)
        x = drop(embedding(tokens), training=train)
        hs = []
        for layer in layers[:-1]:
            x = layer(x, training=train)
            hs.append(keras.ops.convert_to_numpy(x)[0])
        seq, h_last, c_last = layers[-1](x, training=train)
        hs.append(keras.ops.convert_to_numpy(seq)[0])
        p = dense(keras.layers.Dropout(out_rate)(h_last, training=train))
    return {
        "h": hs,
        "c_last": keras.ops.convert_to_numpy(c_last)[0],
        "probability": float(keras.ops.convert_to_numpy(p)[0, 0]),
        "embedding_noise": seen_noise,
        "mask_counts": [getattr(layer.cell, "dropout_mask_count", None) for layer in layers],
    }


def torch_lstm(weights: Weights):
    """A torch.nn.LSTM (num_layers = L) holding our weights: weight_ih = kernel^T, b_hh = 0."""
    import torch

    lw0 = weights.layers[0]
    units = lw0.recurrent_kernel.shape[0]
    lstm = torch.nn.LSTM(lw0.kernel.shape[0], units, num_layers=len(weights.layers), batch_first=True)
    with torch.no_grad():
        for n, lw in enumerate(weights.layers):
            getattr(lstm, f"weight_ih_l{n}").copy_(torch.from_numpy(lw.kernel.T.copy()))
            getattr(lstm, f"weight_hh_l{n}").copy_(torch.from_numpy(lw.recurrent_kernel.T.copy()))
            getattr(lstm, f"bias_ih_l{n}").copy_(torch.from_numpy(lw.bias))
            getattr(lstm, f"bias_hh_l{n}").zero_()
    return lstm


def single_layers(lstm):
    """The layers of a stacked nn.LSTM as one-layer nn.LSTMs with the same weights."""
    import torch

    out = []
    for n in range(lstm.num_layers):
        one = torch.nn.LSTM(lstm.input_size if n == 0 else lstm.hidden_size, lstm.hidden_size, batch_first=True)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(one, f"{name}_l0").copy_(getattr(lstm, f"{name}_l{n}"))
        out.append(one)
    return out


def run_torch(weights: Weights, trace: Trace, train: bool):
    """Embedding (our embedding mask applied) -> layers of nn.LSTM with our between-layer
    masks applied to each output but the last -> Linear -> sigmoid; c per step from LSTMCell."""
    import torch

    lstm = torch_lstm(weights)
    e = torch.from_numpy(weights.embedding)[torch.from_numpy(trace.tokens)]
    emb = trace.embedding_mask
    x = e * torch.from_numpy(emb.keep.astype(np.float32) * np.float32(emb.scale)) if train else e
    hs, cs = [], []
    with torch.no_grad():
        for n, one in enumerate(single_layers(lstm)):
            seq, (_h, c) = one(x[None])
            hs.append(seq[0].numpy())
            cs.append(_cells(one, x))
            between = trace.layers[n].masks.get("between")
            x = seq[0]
            if between is not None and train:
                x = x * torch.from_numpy(between.keep.astype(np.float32) * np.float32(between.scale))
        logit = seq[0, -1] @ torch.from_numpy(weights.dense_kernel[:, 0]) + float(weights.dense_bias[0])
    return {"h": hs, "c": cs, "c_last": c[0, 0].numpy(), "probability": float(torch.sigmoid(logit))}


def _cells(one, x):
    """c at every step, from torch.nn.LSTMCell with the same weights as the one-layer LSTM."""
    import torch

    cell = torch.nn.LSTMCell(one.input_size, one.hidden_size)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(one, f"{name}_l0"))
        h = torch.zeros(1, one.hidden_size)
        c = torch.zeros(1, one.hidden_size)
        cs = []
        for t in range(x.shape[0]):
            h, c = cell(x[t][None], (h, c))
            cs.append(c[0].numpy().copy())
    return np.stack(cs)
