"""One LSTM layer, forward, recording every gate, state and mask. Pure NumPy, float32.

Notation (Keras layout, gate order i, f, g, o; Keras calls g "c"):

    x_t      (E,)      layer input at step t          W  (E, 4H)  kernel
    h_{t-1}  (H,)      previous hidden state          U  (H, 4H)  recurrent kernel
    c_{t-1}  (H,)      previous cell state            b  (4H,)    bias
    m^k_t    (E,)      input mask of gate k           r^k_t (H,)  recurrent mask of gate k

Equations, for k in {i, f, g, o}, with masks holding 0 or 1/(1-rate):

    z^k_t = (x_t * m^k_t) W^k + (h_{t-1} * r^k_t) (U^k * M_U) + b^k
    i, f, o = sigmoid(z^i), sigmoid(z^f), sigmoid(z^o)      g = tanh(z^g)
    k' = k * q^k_t  for k in {i, f, g, o}                    q: gate-output masks (forum)
    c~_t = f' * c_{t-1} + i' * (g' * d_t)                    d_t: candidate mask (Semeniuta)
    h~_t = o' * tanh(c~_t)
    c_t = c_{t-1} + n^c_t * (c~_t - c_{t-1})                 n: zoneout multiplier (Krueger)
    h_t = h_{t-1} + n^h_t * (h~_t - h_{t-1})

Without zoneout c_t = c~_t and h_t = h~_t; M_U is the weight-drop mask (AWD-LSTM). Without
gate-output masks k' = k. q^k_t (H,) is the hypothetical scheme of preset forum (the popular
answer's "Dropout after each of the 4 yellow blocks"), one mask per gate, fresh at every step;
the recorded gate activations are i, f, g, o before it (the yellow boxes' outputs).

How it is fast (batch 1, all exact):
- the input projections of all steps are computed before the loop, one matmul per mask;
- a per-sequence recurrent mask and the weight-drop mask are folded into U
  (diag(r^k) U^k), so the loop does one (H,) x (H, 4H) matmul per step;
- columns are reordered i, f, o, g and those of i, f, o halved (a power of two, exact), so one
  tanh covers the four gates and sigmoid(z) = 0.5 * tanh(z / 2) + 0.5 on a contiguous slice;
- every result is written in place into the preallocated buffers that are the record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

F32 = np.float32
GATES = ("i", "f", "g", "o")
# Internal column blocks are (i, f, o, g); INTERNAL[j] is the gate index (i,f,g,o order) of block j.
INTERNAL = (0, 1, 3, 2)


@dataclass(frozen=True)
class CellMasks:
    """Multipliers (keep * scale, float32) applied inside one layer; None where absent.

    input      (nT, nG, in)  nT in {1, T}, nG in {1, 4} (gate order i, f, g, o)
    recurrent  (nT, nG, H)
    candidate  (T, H)
    zoneout_c  (T, H)        1 updates, 0 keeps the previous value; 1 - z at inference
    zoneout_h  (T, H)
    weight     (H, 4H)       DropConnect multiplier on the recurrent kernel
    gate_output (T, 4, H)    on the gate activations i, f, g, o after their nonlinearity (forum)
    """

    input: np.ndarray | None = None
    recurrent: np.ndarray | None = None
    candidate: np.ndarray | None = None
    zoneout_c: np.ndarray | None = None
    zoneout_h: np.ndarray | None = None
    weight: np.ndarray | None = None
    gate_output: np.ndarray | None = None


@dataclass(frozen=True)
class LayerRecord:
    """Everything one layer computed. ``acts`` holds the gate activations in the internal
    block order (i, f, o, g); ``gate(k)`` and ``gates`` give them in the order i, f, g, o."""

    acts: np.ndarray  # (T, 4H), blocks i, f, o, g
    c: np.ndarray  # (T, H)
    h: np.ndarray  # (T, H)

    def gate(self, k: int) -> np.ndarray:
        """Activation of gate k (0 i, 1 f, 2 g, 3 o), shape (T, H); a view, no copy."""
        units = self.c.shape[1]
        j = INTERNAL.index(k)
        return self.acts[:, j * units : (j + 1) * units]

    @property
    def gates(self) -> np.ndarray:
        """(T, 4, H) in gate order i, f, g, o (a copy)."""
        return np.stack([self.gate(k) for k in range(4)], axis=1)


@dataclass(frozen=True)
class Kernels:
    """A layer's weights as the loop wants them: columns in block order i, f, o, g, those of
    i, f, o halved (sigmoid(z) = 0.5 tanh(z/2) + 0.5). Depends on the weights only, so it is
    prepared once per weights, not per trace."""

    W: np.ndarray  # (in, 4H)
    U: np.ndarray  # (H, 4H)
    b: np.ndarray  # (4H,)


def _blocks(a: np.ndarray, units: int) -> np.ndarray:
    """Reorder the last axis (4H) from i, f, g, o to i, f, o, g."""
    return np.concatenate([a[..., k * units : (k + 1) * units] for k in INTERNAL], axis=-1)


def _per_block(mask: np.ndarray, units: int) -> np.ndarray:
    """(nT, 4, D) gate masks -> (nT, D, 4H) column multipliers in internal block order."""
    return np.repeat(mask[:, INTERNAL, :].transpose(0, 2, 1), units, axis=2)


def prepare(kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray) -> Kernels:
    """Keras-layout weights (gate order i, f, g, o) -> ``Kernels``."""
    units = recurrent_kernel.shape[0]
    half = np.ones(4 * units, dtype=F32)
    half[: 3 * units] = 0.5
    return Kernels(
        W=_blocks(kernel, units) * half,
        U=_blocks(recurrent_kernel, units) * half,
        b=_blocks(bias, units) * half,
    )


def lstm_forward(x: np.ndarray, k: Kernels, masks: CellMasks) -> LayerRecord:
    """Run one layer over x (T, in) from zero states; return gates, c and h at every step."""
    steps = x.shape[0]
    units = k.U.shape[0]
    H, H3 = units, 3 * units
    W, U, b = k.W, k.U, k.b
    if masks.weight is not None:  # DropConnect, Keras layout -> internal
        U = U * _blocks(masks.weight, units)

    # Input projections of every step, (T, 4H); becomes the activation record in place.
    m = masks.input
    if m is None:
        A = x @ W
    elif m.shape[1] == 1:
        A = (x * m[:, 0]) @ W
    else:  # one mask per gate: z^k = (x * m^k) W^k
        A = np.empty((steps, 4 * units), dtype=F32)
        for j, k in enumerate(INTERNAL):
            cols = slice(j * units, (j + 1) * units)
            np.matmul(x * m[:, k], W[:, cols], out=A[:, cols])
    A += b

    r = masks.recurrent
    step_rec = r is not None and r.shape[0] > 1
    if r is not None and not step_rec:  # per sequence: fold diag(r^k) into U^k
        U = U * (r[0, 0][:, None] if r.shape[1] == 1 else _per_block(r, units)[0])
    U4 = None
    if step_rec and r.shape[1] == 4:  # per step, per gate: (4, H, H) batched matmul
        U4 = np.ascontiguousarray(U.reshape(H, 4, H).transpose(1, 0, 2))
        r = np.ascontiguousarray(r[:, INTERNAL, :])  # (T, 4, H) internal order

    Hs = np.zeros((steps + 1, H), dtype=F32)  # row 0 is h_0 = 0
    Cs = np.zeros((steps + 1, H), dtype=F32)
    rec = np.empty((1, 4 * units), dtype=F32)  # 2-D: a (1, H) x (H, 4H) matmul is the fastest here
    rec1 = rec[0]
    tmp = np.empty(H, dtype=F32)
    gd = np.empty(H, dtype=F32)
    ct = np.empty(H, dtype=F32) if masks.zoneout_c is not None else None
    ht = np.empty(H, dtype=F32) if masks.zoneout_h is not None else None
    cand, zc, zh = masks.candidate, masks.zoneout_c, masks.zoneout_h
    go = masks.gate_output
    if go is not None:  # (T, 4, H) gate order -> (T, 4H) internal block order, one multiply per step
        go = np.ascontiguousarray(go[:, INTERNAL, :]).reshape(steps, 4 * units)
        gm = np.empty(4 * units, dtype=F32)  # the masked activations i', f', o', g' (the record keeps i, f, o, g)
        gm4 = gm.reshape(4, H)
    special = step_rec or cand is not None or zc is not None or zh is not None or go is not None
    matmul, multiply, tanh = np.matmul, np.multiply, np.tanh

    # Row views made by iteration (in C) rather than by indexing at every step.
    rows = zip(A, A[:, :H3], A.reshape(steps, 4, H), Hs[:-1, None], Cs[:-1], Cs[1:], Hs[1:], strict=True)
    for t, (z, s, (i, f, o, g), h_prev, c_prev, c, h) in enumerate(rows):
        if not special:
            matmul(h_prev, U, out=rec)
        elif U4 is not None:
            matmul((h_prev * r[t])[:, None, :], U4, out=rec.reshape(4, 1, H))
        elif step_rec:
            matmul(h_prev * r[t, 0], U, out=rec)
        else:
            matmul(h_prev, U, out=rec)
        z += rec1
        tanh(z, out=z)
        s *= 0.5
        s += 0.5  # i, f, o = sigmoid
        if special:
            if go is not None:
                multiply(z, go[t], out=gm)
                i, f, o, g = gm4
            if cand is not None:
                g = multiply(g, cand[t], out=gd)
            c_new, h_new = c, h
            c = c if ct is None else ct
            h = h if ht is None else ht
        multiply(f, c_prev, out=c)
        multiply(i, g, out=tmp)
        c += tmp  # c~_t
        tanh(c, out=h)
        h *= o  # h~_t
        if special:
            if zc is not None:  # c_t = c_{t-1} + n (c~_t - c_{t-1})
                c -= c_prev
                c *= zc[t]
                np.add(c_prev, c, out=c_new)
            if zh is not None:
                h -= h_prev[0]
                h *= zh[t]
                np.add(h_prev[0], h, out=h_new)

    return LayerRecord(acts=A, c=Cs[1:], h=Hs[1:])
