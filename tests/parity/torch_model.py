"""A torch gold model of app/engine/batch.py: the same equations, written step by step, for autograd.

Nothing here is shared with the engine but the masks it is handed (``batch.BatchMasks``, the
multipliers keep * scale). Each gate k in {i, f, g, o} is computed on its own, in Keras
layout (the columns k*H:(k+1)*H of kernel, recurrent_kernel and bias)::

    x^1 = E[tokens] * m_emb                                                  (T, B, E)
    z^k_t = (x_t * m^k_t) W^k + (h_{t-1} * r^k_t) (U * M_U)^k + b^k
    i, f, o = sigmoid(z^i, z^f, z^o)   g = tanh(z^g) * d_t
    c~_t = f c_{t-1} + i g             h~_t = o tanh(c~_t)
    c_t = c_{t-1} + n^c_t (c~_t - c_{t-1})   h_t = h_{t-1} + n^h_t (h~_t - h_{t-1})
    x^{l+1} = h^l * between^l;  logit = (h^L_T * q) w + b;  p = sigmoid(logit)
    L = mean_b BCE(clip(p, 1e-7, 1 - 1e-7), y)      torch.nn.functional.binary_cross_entropy

A mask of nT = 1 (drawn once per sequence) serves every step; G = 1 (shared) serves every gate.
"""

from __future__ import annotations

import numpy as np

from app.engine.batch import BatchMasks
from app.engine.bptt import BatchCellMasks
from app.engine.init import LayerWeights, Weights

EPSILON = 1e-7  # keras.config.epsilon()


def leaves(w: Weights, dtype) -> list:
    """Every weight as a torch leaf requiring grad, in the order of ``train.parameters``."""
    import torch

    arrays = [w.embedding]
    for lw in w.layers:
        arrays += [lw.kernel, lw.recurrent_kernel, lw.bias]
    arrays += [w.dense_kernel, w.dense_bias]
    return [torch.tensor(np.asarray(a), dtype=dtype, requires_grad=True) for a in arrays]


def as_weights(arrays: list[np.ndarray], layers: int) -> Weights:
    """The inverse of ``leaves``: a flat list (embedding, per layer 3, dense 2) -> Weights."""
    stack = tuple(LayerWeights(*arrays[1 + 3 * n : 4 + 3 * n]) for n in range(layers))
    return Weights(arrays[0], stack, arrays[-2], arrays[-1])


def _t(a: np.ndarray | None, dtype):
    import torch

    return None if a is None else torch.tensor(a, dtype=dtype)  # a copy: never shares NumPy memory


def _gate(mask, t: int, k: int):
    """Gate k's multiplier at step t, (B, D), of an (nT, G, B, D) mask."""
    step = mask[t if mask.shape[0] > 1 else 0]  # (G, B, D)
    return step[k if step.shape[0] == 4 else 0]


def lstm_layer(x, kernel, recurrent_kernel, bias, cm: BatchCellMasks, dtype):
    """One layer over x (T, B, in) from zero states, step by step. Returns h (T, B, H)."""
    import torch

    steps, batch = x.shape[0], x.shape[1]
    units = recurrent_kernel.shape[0]
    m, r = _t(cm.input, dtype), _t(cm.recurrent, dtype)
    cand, zc, zh = _t(cm.candidate, dtype), _t(cm.zoneout_c, dtype), _t(cm.zoneout_h, dtype)
    U = recurrent_kernel if cm.weight is None else recurrent_kernel * _t(cm.weight, dtype)
    h = torch.zeros(batch, units, dtype=dtype)
    c = torch.zeros(batch, units, dtype=dtype)
    out = []
    for t in range(steps):
        z = []
        for k in range(4):  # i, f, g, o: Keras's column blocks
            cols = slice(k * units, (k + 1) * units)
            xk = x[t] if m is None else x[t] * _gate(m, t, k)
            hk = h if r is None else h * _gate(r, t, k)
            z.append(xk @ kernel[:, cols] + hk @ U[:, cols] + bias[cols])
        i, f, o = torch.sigmoid(z[0]), torch.sigmoid(z[1]), torch.sigmoid(z[3])
        g = torch.tanh(z[2])
        if cand is not None:
            g = g * cand[t]
        c_tilde = f * c + i * g
        h_tilde = o * torch.tanh(c_tilde)
        c = c_tilde if zc is None else c + zc[t] * (c_tilde - c)
        h = h_tilde if zh is None else h + zh[t] * (h_tilde - h)
        out.append(h)
    return torch.stack(out)


def loss(params: list, tokens: np.ndarray, labels: np.ndarray, masks: BatchMasks, dtype):
    """The mean Keras binary cross-entropy of the model on tokens (B, T) under ``masks``."""
    import torch

    layers = (len(params) - 3) // 3
    embedding, dense_kernel, dense_bias = params[0], params[-2], params[-1]
    x = embedding[torch.tensor(tokens.T)]  # (T, B, E)
    if masks.embedding is not None:
        x = x * _t(masks.embedding, dtype)
    for n in range(layers):
        kernel, recurrent_kernel, bias = params[1 + 3 * n : 4 + 3 * n]
        x = lstm_layer(x, kernel, recurrent_kernel, bias, masks.layers[n], dtype)
        if masks.between[n] is not None:
            x = x * _t(masks.between[n], dtype)
    last = x[-1] if masks.output is None else x[-1] * _t(masks.output, dtype)  # (B, H)
    p = torch.sigmoid(last @ dense_kernel + dense_bias)[:, 0]  # (B,)
    p = torch.clip(p, EPSILON, 1 - EPSILON)
    return torch.nn.functional.binary_cross_entropy(p, torch.tensor(labels, dtype=dtype))


def grads(w: Weights, tokens: np.ndarray, labels: np.ndarray, masks: BatchMasks, dtype) -> tuple[float, Weights]:
    """(loss, autograd gradient of every weight) in ``dtype`` (torch.float32 or torch.float64)."""
    params = leaves(w, dtype)
    value = loss(params, tokens, labels, masks, dtype)
    value.backward()
    return float(value.detach()), as_weights([p.grad.numpy() for p in params], len(w.layers))
