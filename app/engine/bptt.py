"""One LSTM layer over a batch: forward, and backward through time (BPTT). Pure NumPy.

The equations are those of app/engine/lstm.py, with a batch axis; every example has its own
masks, as in the frameworks (Keras draws masks of shape (batch, dim)):

    z^k_t = (x_t * m^k_t) W^k + (h_{t-1} * r^k_t) (U^k * M_U) + b^k       k in {i, f, g, o}
    i, f, o = sigmoid(z^i, z^f, z^o)        g = tanh(z^g)
    k' = k q^k_t                            q: gate-output masks (preset forum; else k' = k)
    c~_t = f' * c_{t-1} + i' * (g' * d_t)   h~_t = o' * tanh(c~_t)
    c_t = c_{t-1} + n^c_t (c~_t - c_{t-1})  h_t = h_{t-1} + n^h_t (h~_t - h_{t-1})   (zoneout)

Backward, step t from T-1 down to 0, with dh_t = dL/dh_t from above plus dh_next from t+1:

    dh~ = n^h dh_t                 dh_next = (1 - n^h) dh_t + sum_k (dz^k U^kT) * r^k_t
    dc~ = n^c dc_t + dh~ o (1 - tanh^2 c~_t)                 dc_next = (1 - n^c) dc_t + dc~ f
    do = dh~ tanh(c~_t) q^o   df = dc~ c_{t-1} q^f   di = dc~ g' d_t q^i   dg = dc~ i' d_t q^g
    (dc_next takes f' for f)
    dz^{i,f,o} = da a (1 - a)             dz^g = dg (1 - g^2)
    dW^k = sum_t (x_t m^k_t)^T dz^k_t     dU^k = M_U * sum_t (h_{t-1} r^k_t)^T dz^k_t
    db^k = sum_t dz^k_t                   dx_t = sum_k (dz^k_t W^kT) * m^k_t

Shapes (time-major, gate-major; G is 1 for a mask shared by the gates, 4 for one per gate,
nT is 1 for a mask drawn once per sequence, T for one drawn at every step):

    x (T, B, in)   masks.input (nT, G, B, in)   masks.recurrent (nT, G, B, H)
    masks.candidate, zoneout_c, zoneout_h (T, B, H)   masks.weight (H, 4H), Keras layout
    masks.gate_output (T, 4, B, H), gate order i, f, g, o
    acts (4, T, B, H) gate activations in block order i, f, o, g (as lstm.py)
    c, h (T + 1, B, H) with row 0 the zero initial state

How it is fast (benchmarks/bench_train.py): the loop does one batched (4, B, H) x (4, H, H)
matmul per step forward and one backward, and a dozen in-place ufuncs on (B, H). The big
matmuls work on chunks of ``CHUNK`` steps at once: the input projections of a chunk before the
loop reaches it, and dW, dU, db and dx of a chunk as soon as the backward loop has left it
(gate-major storage makes each gate's (steps * B, H) block of a chunk contiguous). With
``threads=2`` those chunks are computed in a second thread beside the recurrence, in the same
order, so the bits do not change. Sigmoid is 0.5 tanh(z/2) + 0.5 with the i, f, o columns of
W, U, b halved (a power of two, exact), so one tanh covers the four gates. Gradients that have
vanished below 1e-30 are flushed to zero every 4 steps (float32 subnormals are a hundred times
slower, and T = 498 makes them common).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from app.engine.lstm import INTERNAL

# Gate k (order i, f, g, o) is internal block INTERNAL.index(k); KERAS[j] is the inverse map.
KERAS = tuple(INTERNAL.index(k) for k in range(4))


@dataclass(frozen=True)
class BatchCellMasks:
    """Multipliers (keep * scale) applied inside one layer for a batch; None where absent."""

    input: np.ndarray | None = None  # (nT, G, B, in)
    recurrent: np.ndarray | None = None  # (nT, G, B, H)
    candidate: np.ndarray | None = None  # (T, B, H)
    zoneout_c: np.ndarray | None = None  # (T, B, H): 1 updates, 0 keeps; 1 - z at inference
    zoneout_h: np.ndarray | None = None  # (T, B, H)
    weight: np.ndarray | None = None  # (H, 4H) DropConnect on U, one mask for the batch
    gate_output: np.ndarray | None = None  # (T, 4, B, H) on the gate activations i, f, g, o (forum)


@dataclass(frozen=True)
class LayerGrads:
    kernel: np.ndarray  # (in, 4H)  Keras layout, gate order i, f, g, o
    recurrent_kernel: np.ndarray  # (H, 4H)
    bias: np.ndarray  # (4H,)


@dataclass(frozen=True)
class LayerCache:
    """What the backward pass needs: inputs, masks, weights and every activation."""

    x: np.ndarray  # (T, B, in)
    masks: BatchCellMasks
    W4: np.ndarray  # (4, in, H) blocks i, f, o, g, unhalved
    U4: np.ndarray  # (4, H, H) the recurrent kernel as applied (weight mask folded in), unhalved
    acts: np.ndarray  # (4, T, B, H)
    c: np.ndarray  # (T + 1, B, H)
    h: np.ndarray  # (T + 1, B, H)
    tc: np.ndarray  # (T, B, H) tanh(c~_t)
    hr: np.ndarray  # (G, T, B, H) h_{t-1} * r_t as it entered the recurrent matmul, blocks i, f, o, g
    r: np.ndarray | None  # (nT, G, B, H) the recurrent mask, gates in block order i, f, o, g
    q: np.ndarray | None = None  # (4, T, B, H) the gate-output mask in block order i, f, o, g


def gate_major(a: np.ndarray) -> np.ndarray:
    """(D, 4H) Keras layout -> (4, D, H) in internal block order i, f, o, g."""
    d, units = a.shape[0], a.shape[1] // 4
    return np.ascontiguousarray(a.reshape(d, 4, units).transpose(1, 0, 2)[list(INTERNAL)])


def keras_layout(g: np.ndarray) -> np.ndarray:
    """(4, D, H) internal blocks -> (D, 4H) Keras layout (inverse of ``gate_major``)."""
    return np.concatenate(list(g[list(KERAS)]), axis=1)


def _halve(a: np.ndarray) -> np.ndarray:
    """Blocks i, f, o (the sigmoid gates) times 0.5: sigmoid(z) = 0.5 tanh(z/2) + 0.5."""
    out = a.copy()
    out[:3] *= 0.5
    return out


CHUNK = 50  # steps per chunk of parameter gradients (1,600 rows of a batch of 32)


def _gate_mask(m: np.ndarray | None, j: int, t0: int, t1: int) -> np.ndarray | None:
    """The input mask that block j (order i, f, o, g) sees at steps t0 <= t < t1, (nT, B, in),
    from (nT, G, B, in)."""
    if m is None:
        return None
    gate = m[:, INTERNAL[j] if m.shape[1] == 4 else 0]
    return gate[t0:t1] if gate.shape[0] > 1 else gate


def _project(x: np.ndarray, W4h: np.ndarray, m: np.ndarray | None, acts: np.ndarray, t0: int, t1: int) -> None:
    """acts[j, t] = (x_t * m^k_t) W^k for every gate block j, steps t0 <= t < t1 at once."""
    x = x[t0:t1]
    rows = x.shape[0] * x.shape[1]
    for j in range(4):
        mask = _gate_mask(m, j, t0, t1)
        xm = x if mask is None else x * mask  # (t1 - t0, B, in)
        np.matmul(xm.reshape(rows, -1), W4h[j], out=acts[j, t0:t1].reshape(rows, -1))


def _chunks(steps: int) -> list[tuple[int, int]]:
    return [(t0, min(t0 + CHUNK, steps)) for t0 in range(0, steps, CHUNK)]


def _forward_steps(acts, c, h, tc, hr, r, U4h, b4h, masks: BatchCellMasks, chunk_ready, q=None) -> None:
    """The recurrence: adds h_{t-1} r U + b to the projections in acts and turns them into the
    activations; fills c, h, tc and hr (shapes in ``LayerCache``). ``chunk_ready(t)`` returns
    once the projections of the chunk starting at t are in acts. ``q``: the gate-output mask
    (4, T, B, H) in block order, or None; acts keeps the activations before it."""
    cand, zc, zh = masks.candidate, masks.zoneout_c, masks.zoneout_h
    steps, batch, units = tc.shape
    rec = np.empty((4, batch, units), dtype=tc.dtype)
    ig = np.empty((batch, units), dtype=tc.dtype)
    ct = np.empty_like(ig) if zc is not None else None
    ht = np.empty_like(ig) if zh is not None else None
    qz = np.empty_like(rec) if q is not None else None  # i', f', o', g'
    tanh, multiply, matmul = np.tanh, np.multiply, np.matmul

    for t in range(steps):
        if t % CHUNK == 0:
            chunk_ready(t)
        h_prev, c_prev = h[t], c[t]
        if r is None:
            matmul(h_prev, U4h, out=rec)  # (B, H) x (4, H, H) -> (4, B, H)
        else:
            hr_t = hr[:, t]  # (G, B, H)
            multiply(h_prev, r[t if r.shape[0] > 1 else 0], out=hr_t)
            matmul(hr_t, U4h, out=rec)
        rec += b4h  # the bias here: one small add per step instead of a pass over all of acts
        z = acts[:, t]  # (4, B, H) view
        z += rec
        tanh(z, out=z)
        s = z[:3]
        s *= 0.5
        s += 0.5  # i, f, o = sigmoid
        i, f, o, g = z
        if q is not None:
            i, f, o, g = multiply(z, q[:, t], out=qz)
        if cand is not None:
            g = g * cand[t]
        c_new = c[t + 1] if ct is None else ct
        multiply(f, c_prev, out=c_new)
        multiply(i, g, out=ig)
        c_new += ig  # c~_t
        tanh(c_new, out=tc[t])
        h_new = h[t + 1] if ht is None else ht
        multiply(o, tc[t], out=h_new)  # h~_t
        if zc is not None:  # c_t = c_{t-1} + n (c~_t - c_{t-1})
            np.subtract(ct, c_prev, out=c[t + 1])
            c[t + 1] *= zc[t]
            c[t + 1] += c_prev
        if zh is not None:
            np.subtract(ht, h_prev, out=h[t + 1])
            h[t + 1] *= zh[t]
            h[t + 1] += h_prev


def forward(
    x: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    masks: BatchCellMasks,
    threads: int = 1,
):
    """Run the layer over x (T, B, in) from zero states. Returns (h (T, B, H), cache).
    ``threads`` > 1 computes the input projections of the next chunks of ``CHUNK`` steps in a
    second thread while the loop goes on (the result does not depend on ``threads``)."""
    steps, batch, _ = x.shape
    units = recurrent_kernel.shape[0]
    dtype = x.dtype
    U = recurrent_kernel if masks.weight is None else recurrent_kernel * masks.weight
    W4, U4, b4 = gate_major(kernel), gate_major(U), gate_major(bias[None])  # b4 (4, 1, H)
    W4h, U4h, b4h = _halve(W4), _halve(U4), _halve(b4)  # b4h (4, 1, H)

    acts = np.empty((4, steps, batch, units), dtype=dtype)

    r = masks.recurrent  # (nT, G, B, H), gates i, f, g, o
    if r is not None and r.shape[1] == 4:
        r = np.ascontiguousarray(r[:, list(INTERNAL)])  # blocks i, f, o, g, as U4
    hr = None if r is None else np.empty((r.shape[1], steps, batch, units), dtype=dtype)
    c = np.zeros((steps + 1, batch, units), dtype=dtype)
    h = np.zeros((steps + 1, batch, units), dtype=dtype)
    tc = np.empty((steps, batch, units), dtype=dtype)
    q = masks.gate_output  # (T, 4, B, H), gates i, f, g, o
    if q is not None:
        q = np.ascontiguousarray(q.transpose(1, 0, 2, 3)[list(INTERNAL)])  # (4, T, B, H) blocks i, f, o, g
    chunks = _chunks(steps)
    if threads > 1:
        with ThreadPoolExecutor(1) as pool:
            ready = {t0: pool.submit(_project, x, W4h, masks.input, acts, t0, t1) for t0, t1 in chunks}
            _forward_steps(acts, c, h, tc, hr, r, U4h, b4h, masks, lambda t: ready[t].result(), q)
    else:
        bounds = dict(chunks)
        _forward_steps(
            acts, c, h, tc, hr, r, U4h, b4h, masks, lambda t: _project(x, W4h, masks.input, acts, t, bounds[t]), q
        )
    if r is None:
        hr = h[None, :-1]  # h_{t-1} itself: a view, nothing copied
    cache = LayerCache(x=x, masks=masks, W4=W4, U4=U4, acts=acts, c=c, h=h, tc=tc, hr=hr, r=r, q=q)
    return h[1:], cache


def _backward_steps(dz, dh_out, last_only: bool, cache: LayerCache, U4T, on_chunk, record) -> None:
    """BPTT through the recurrence, from the last step to the first: fills dz (4, T, B, H) and
    calls ``on_chunk(t0, t1)`` as soon as the steps t0 <= t < t1 of a chunk are done.
    ``record``: None, or (dh, dc) (T, B, H) to fill with dL/dh_t and dL/dc_t."""
    masks, acts, c, tc, r, q = cache.masks, cache.acts, cache.c, cache.tc, cache.r, cache.q
    cand, zc, zh = masks.candidate, masks.zoneout_c, masks.zoneout_h
    _, steps, batch, units = acts.shape
    dtype = acts.dtype
    dh_next = np.zeros((batch, units), dtype=dtype)  # dL/dh_t arriving from step t + 1
    spare = np.empty_like(dh_next)
    dc_next = np.zeros((batch, units), dtype=dtype)
    dhr = np.empty((4, batch, units), dtype=dtype)
    dct = np.empty_like(dh_next)
    tmp = np.empty_like(dh_next)
    tiny = np.empty(dh_next.shape, dtype=bool)
    multiply, subtract = np.multiply, np.subtract

    for t in range(steps - 1, -1, -1):
        i, f, o, g = acts[:, t]
        ie, fe, oe, ge = (i, f, o, g) if q is None else acts[:, t] * q[:, t]  # i', f', o', g' as applied
        dzt = dz[:, t]
        di, df, do, dg = dzt
        dh, dh_next, spare = dh_next, spare, dh_next  # dh: dL/dh_t; dh_next receives dL/dh_{t-1}
        if not (last_only and t < steps - 1):
            dh += dh_out[t]
        if record is not None:
            record[0][t] = dh
            if zc is not None:  # with zoneout c_t reaches the loss through c_{t+1} only
                record[1][t] = dc_next
        if zh is not None:
            multiply(dh, 1 - zh[t], out=dh_next)  # carried to h_{t-1}
            dh *= zh[t]  # dL/dh~_t
        # c~ feeds h~ through tanh, and c_t (through zoneout)
        multiply(dh, oe, out=dct)
        multiply(tc[t], tc[t], out=tmp)
        subtract(1, tmp, out=tmp)
        dct *= tmp
        if zc is not None:
            multiply(dc_next, zc[t], out=tmp)
            dct += tmp
            dc_next *= 1 - zc[t]
        else:
            dct += dc_next
            if record is not None:
                record[1][t] = dct
        multiply(dh, tc[t], out=do)  # dL/do'
        multiply(dct, c[t], out=df)  # dL/df'
        gd = ge if cand is None else ge * cand[t]
        multiply(dct, gd, out=di)  # dL/di'
        multiply(dct, ie, out=dg)  # dL/d(g' d)
        if cand is not None:
            dg *= cand[t]
        if q is not None:  # k' = k q^k: dL/dk = dL/dk' q^k
            dzt *= q[:, t]
        if zc is not None:
            multiply(dct, fe, out=tmp)
            dc_next += tmp
        else:
            multiply(dct, fe, out=dc_next)
        # through the activations: sigmoid' = a (1 - a), tanh' = 1 - g^2
        s = acts[:3, t]
        ds = dzt[:3]
        ds *= s
        ds *= 1 - s
        multiply(g, g, out=tmp)
        subtract(1, tmp, out=tmp)
        dg *= tmp
        np.matmul(dzt, U4T, out=dhr)  # (4, B, H): dL/d(h_{t-1} r^k) per gate
        rec = dh_next if zh is None else tmp  # zoneout already put its carry in dh_next
        if r is not None and r.shape[1] == 4:
            dhr *= r[t if r.shape[0] > 1 else 0]
        dhr.sum(axis=0, out=rec)
        if r is not None and r.shape[1] == 1:
            rec *= r[t if r.shape[0] > 1 else 0, 0]
        if zh is not None:
            dh_next += tmp
        if t % 4 == 0:  # flush what has vanished (see the docstring); 4 steps keep 1e-30 far from subnormal
            for grad in (dh_next, dc_next):
                np.less(np.abs(grad, out=tmp), 1e-30, out=tiny)
                np.putmask(grad, tiny, 0)
        if t % CHUNK == 0:
            on_chunk(t, min(t + CHUNK, steps))


def _chunk_grads(t0: int, t1: int, dz, dx, cache: LayerCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dW4, dU4, db4) of steps t0 <= t < t1, and dx there; each gate's (rows, H) block of dz
    is contiguous in the gate-major layout."""
    x, m, hr, W4 = cache.x[t0:t1], cache.masks.input, cache.hr, cache.W4
    steps, batch, n_in = x.shape
    units = dz.shape[3]
    rows = steps * batch
    dW4 = np.empty((4, n_in, units), dtype=dz.dtype)
    dU4 = np.empty((4, units, units), dtype=dz.dtype)
    db4 = np.empty((4, units), dtype=dz.dtype)
    dxc = dx[t0:t1].reshape(rows, n_in)
    part = np.empty_like(dxc)
    for j in range(4):
        dzk = dz[j, t0:t1].reshape(rows, units)
        mask = _gate_mask(m, j, t0, t1)
        xm = x if mask is None else x * mask
        np.matmul(xm.reshape(rows, n_in).T, dzk, out=dW4[j])
        np.matmul(hr[j if hr.shape[0] == 4 else 0, t0:t1].reshape(rows, units).T, dzk, out=dU4[j])
        np.matmul(dzk, W4[j].T, out=part if j else dxc)
        if mask is not None:
            (part if j else dxc).reshape(steps, batch, n_in)[...] *= mask
        if j:
            dxc += part
        dzk.sum(axis=0, out=db4[j])
    return dW4, dU4, db4


def backward(
    dh_out: np.ndarray,
    cache: LayerCache,
    last_only: bool = False,
    threads: int = 1,
    record: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, LayerGrads]:
    """Gradients from dL/dh_t of every step, dh_out (T, B, H). Returns (dx (T, B, in), grads).

    ``last_only``: dh_out is zero but at the last step (the top layer under Dense), so the
    loop skips adding it. Gradients below 1e-30 that flow back through time are flushed to
    zero: float32 subnormals would slow every operation on them a hundredfold (T = 498 makes
    them common), and at that size they no longer change any float32 sum they join.
    The parameter gradients are summed over chunks of ``CHUNK`` steps as the loop finishes
    them: dW^k += (x m^k)^T dz^k, dU^k += (h r^k)^T dz^k, db^k += sum dz^k, and dx of the chunk.
    ``threads`` > 1 computes them in a second thread while the loop goes on (the same sums in
    the same order: the result does not depend on ``threads``). ``record``: (dh, dc), each
    (T, B, H), filled with dL/dh_t and dL/dc_t at every step (gradients through time).
    """
    U4T = np.ascontiguousarray(cache.U4.transpose(0, 2, 1))  # (4, H, H)
    dz = np.empty_like(cache.acts)  # (4, T, B, H) dL/dz, blocks i, f, o, g
    dx = np.empty_like(cache.x)
    parts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def chunk(t0: int, t1: int) -> None:
        parts[t0] = _chunk_grads(t0, t1, dz, dx, cache)

    if threads > 1:  # the parameter gradients of finished chunks while the loop goes on
        with ThreadPoolExecutor(1) as pool:
            done = []
            submit = lambda t0, t1: done.append(pool.submit(chunk, t0, t1))  # noqa: E731
            _backward_steps(dz, dh_out, last_only, cache, U4T, submit, record)
            for future in done:
                future.result()
    else:
        _backward_steps(dz, dh_out, last_only, cache, U4T, chunk, record)
    order = sorted(parts, reverse=True)  # a fixed order of summation, whatever the scheduling
    dW4, dU4, db4 = parts[order[0]]
    for t0 in order[1:]:
        dW4 += parts[t0][0]
        dU4 += parts[t0][1]
        db4 += parts[t0][2]
    dU = keras_layout(dU4)
    if cache.masks.weight is not None:
        dU *= cache.masks.weight
    grads = LayerGrads(kernel=keras_layout(dW4), recurrent_kernel=dU, bias=keras_layout(db4[:, None])[0])
    return dx, grads
