"""The fast loop against a textbook LSTM written line for line from the equations.

The reference (d2l style, float64, no tricks) applies every mask exactly as the docstring of
app/engine/lstm.py states; the engine folds masks into kernels, reorders gates and computes
sigmoid through tanh, so agreement over every combination checks all of that.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.engine.lstm import CellMasks, prepare
from app.engine.lstm import lstm_forward as _forward


def lstm_forward(x, W, U, b, masks):
    return _forward(x, prepare(W, U, b), masks)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def reference(x, W, U, b, masks: CellMasks):
    """z^k_t = (x_t m^k_t) W^k + (h_{t-1} r^k_t)(U^k M_U) + b^k, gates i, f, g, o."""
    x, W, U, b = (np.asarray(a, dtype=np.float64) for a in (x, W, U, b))
    T, H = x.shape[0], U.shape[0]
    if masks.weight is not None:
        U = U * masks.weight
    h, c = np.zeros(H), np.zeros(H)
    G, C, Hs = np.zeros((T, 4, H)), np.zeros((T, H)), np.zeros((T, H))

    def gate_mask(m, t, k):
        if m is None:
            return 1.0
        return m[t if m.shape[0] > 1 else 0, k if m.shape[1] > 1 else 0]

    for t in range(T):
        z = [
            (x[t] * gate_mask(masks.input, t, k)) @ W[:, k * H : (k + 1) * H]
            + (h * gate_mask(masks.recurrent, t, k)) @ U[:, k * H : (k + 1) * H]
            + b[k * H : (k + 1) * H]
            for k in range(4)
        ]
        i, f, g, o = sigmoid(z[0]), sigmoid(z[1]), np.tanh(z[2]), sigmoid(z[3])
        d = masks.candidate[t] if masks.candidate is not None else 1.0
        c_new = f * c + i * (g * d)
        h_new = o * np.tanh(c_new)
        if masks.zoneout_c is not None:
            c_new = c + masks.zoneout_c[t] * (c_new - c)
        if masks.zoneout_h is not None:
            h_new = h + masks.zoneout_h[t] * (h_new - h)
        h, c = h_new, c_new
        G[t] = i, f, g, o
        C[t], Hs[t] = c, h
    return G, C, Hs


def params(rng, T=9, E=5, H=4):
    x = rng.standard_normal((T, E)).astype(np.float32)
    W = (rng.standard_normal((E, 4 * H)) * 0.5).astype(np.float32)
    U = (rng.standard_normal((H, 4 * H)) * 0.5).astype(np.float32)
    b = (rng.standard_normal(4 * H) * 0.1).astype(np.float32)
    return x, W, U, b


def mult(rng, shape, rate):
    return ((rng.random(shape) >= rate) / (1 - rate)).astype(np.float32)


@pytest.mark.parametrize(("in_t", "in_g", "rec_t", "rec_g"), list(itertools.product((1, 9), (1, 4), (1, 9), (1, 4))))
def test_every_mask_sharing_and_timing(in_t, in_g, rec_t, rec_g):
    rng = np.random.default_rng([in_t, in_g, rec_t, rec_g])
    x, W, U, b = params(rng)
    masks = CellMasks(input=mult(rng, (in_t, in_g, 5), 0.4), recurrent=mult(rng, (rec_t, rec_g, 4), 0.3))
    rec = lstm_forward(x, W, U, b, masks)
    G, C, H = reference(x, W, U, b, masks)
    np.testing.assert_allclose(rec.gates, G, atol=1e-5)
    np.testing.assert_allclose(rec.c, C, atol=1e-5)
    np.testing.assert_allclose(rec.h, H, atol=1e-5)


@pytest.mark.parametrize("which", ["none", "candidate", "zoneout_c", "zoneout_h", "zoneout", "weight", "all"])
def test_candidate_zoneout_weight_drop(which):
    rng = np.random.default_rng(len(which))
    x, W, U, b = params(rng)
    zone = (rng.random((9, 4)) >= 0.3).astype(np.float32)
    parts = {
        "candidate": {"candidate": mult(rng, (9, 4), 0.5)},
        "zoneout_c": {"zoneout_c": zone},
        "zoneout_h": {"zoneout_h": zone[::-1].copy()},
        "zoneout": {"zoneout_c": zone, "zoneout_h": np.full((9, 4), 0.7, np.float32)},
        "weight": {"weight": mult(rng, (4, 16), 0.5)},
    }
    kw = {} if which == "none" else parts.get(which) or {k: v for p in parts.values() for k, v in p.items()}
    if which == "all":
        kw |= {"input": mult(rng, (9, 4, 5), 0.2), "recurrent": mult(rng, (1, 4, 4), 0.2)}
    masks = CellMasks(**kw)
    rec = lstm_forward(x, W, U, b, masks)
    G, C, H = reference(x, W, U, b, masks)
    np.testing.assert_allclose(rec.gates, G, atol=1e-5)
    np.testing.assert_allclose(rec.c, C, atol=1e-5)
    np.testing.assert_allclose(rec.h, H, atol=1e-5)


def test_zoneout_with_every_unit_frozen_keeps_the_initial_state():
    rng = np.random.default_rng(0)
    x, W, U, b = params(rng)
    zeros = np.zeros((9, 4), np.float32)
    rec = lstm_forward(x, W, U, b, CellMasks(zoneout_c=zeros, zoneout_h=zeros))
    assert not rec.c.any() and not rec.h.any()
    assert rec.gates.any()


def test_gate_ranges_and_shapes():
    rng = np.random.default_rng(1)
    x, W, U, b = params(rng, T=30)
    rec = lstm_forward(x * 10, W, U, b, CellMasks())
    assert rec.gates.shape == (30, 4, 4) and rec.c.shape == rec.h.shape == (30, 4)
    assert rec.gates.dtype == rec.c.dtype == rec.h.dtype == np.float32
    sig = rec.gates[:, [0, 1, 3]]
    assert (sig >= 0).all() and (sig <= 1).all()
    assert (np.abs(rec.gates[:, 2]) <= 1).all() and (np.abs(rec.h) <= 1).all()


def test_inputs_are_not_modified():
    rng = np.random.default_rng(2)
    x, W, U, b = params(rng)
    m = CellMasks(input=mult(rng, (1, 4, 5), 0.5), recurrent=mult(rng, (1, 1, 4), 0.5))
    before = [a.copy() for a in (x, W, U, b, m.input, m.recurrent)]
    lstm_forward(x, W, U, b, m)
    for a, a0 in zip((x, W, U, b, m.input, m.recurrent), before, strict=True):
        np.testing.assert_array_equal(a, a0)
