"""The seed model over a batch, forward and backward, for training and gradients.

    e = E[tokens]                            (T, B, E)  time-major
    x^1 = e * m                              embedding dropout: standard, spatial or word
    h^l = LSTM_l(x^l),  x^{l+1} = h^l * d^l  d: PyTorch's between-layer dropout
    logit = (h^L_T * q) w + b                (B,)       q: output dropout before Dense
    p = sigmoid(logit),  p' = clip(p, 1e-7, 1 - 1e-7)
    L = -mean_b [y log p' + (1 - y) log(1 - p')]           Keras binary_crossentropy

Backward: dL/dlogit = dL/dp' [1e-7 <= p <= 1 - 1e-7] p (1 - p), then Dense, the output mask,
each layer's BPTT (app/engine/bptt.py) from the top, the between-layer masks, the embedding
mask, and a scatter-add into the rows of E that the tokens used.

Masks are multipliers (keep * scale) in time-major layout. In training every example draws its
own masks (``draw_masks``, from one explicit generator per batch), as Keras draws masks of
shape (batch, dim); weight-drop draws one mask per forward pass for the batch, as AWD-LSTM's
WeightDrop does. ``stack_masks`` instead stacks the masks that ``model.run`` drew for single
sequences, so a batch reproduces given traces exactly (Monte Carlo draws, tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine import bptt
from app.engine import dropout as dp
from app.engine.init import LayerWeights, Weights
from app.engine.model import Draw, RunSpec, cell_masks, draw_cell
from app.engine.semantics import LayerPlan

EPSILON = 1e-7  # keras.config.epsilon(): BCE clips probabilities to [eps, 1 - eps]


@dataclass(frozen=True)
class BatchMasks:
    """Every multiplier of one forward pass over a batch; None where nothing is applied."""

    embedding: np.ndarray | None  # (T or 1, B, E)
    layers: tuple[bptt.BatchCellMasks, ...]
    between: tuple[np.ndarray | None, ...]  # per layer (T, B, H)
    output: np.ndarray | None  # (B, H)


@dataclass(frozen=True)
class Cache:
    tokens: np.ndarray  # (B, T)
    masks: BatchMasks
    layers: tuple[bptt.LayerCache, ...]
    last: np.ndarray  # (B, H) h^L_T after the output mask


def _typed(multiplier: np.ndarray | None, dtype) -> np.ndarray | None:
    return None if multiplier is None else multiplier.astype(dtype, copy=False)


def _cell(rng, lp: LayerPlan, train: bool, steps: int, batch: int, n_in: int, units: int, dtype):
    """``model.draw_cell`` with batch axis (B,) from the one generator, as the loop applies it:
    input (nT, G, B, in), recurrent (nT, G, B, H), candidate and zoneout (T, B, H), weight (H, 4H),
    gate_output (T, 4, B, H)."""
    cm = cell_masks(draw_cell(lp, lambda _: rng, steps, n_in, units, (batch,)), lp, train)
    return bptt.BatchCellMasks(
        input=_typed(cm.input, dtype),
        recurrent=_typed(cm.recurrent, dtype),
        candidate=_typed(cm.candidate, dtype),
        zoneout_c=_typed(cm.zoneout_c, dtype),
        zoneout_h=_typed(cm.zoneout_h, dtype),
        weight=_typed(cm.weight, dtype),
        gate_output=_typed(cm.gate_output, dtype),
    )


def draw_masks(
    rng: np.random.Generator | None, spec: RunSpec, tokens: np.ndarray, weights: Weights, dtype=np.float32
) -> BatchMasks:
    """Fresh masks for a batch of ``tokens`` (B, T), each example its own; nothing at inference
    (``spec.train`` False, then ``rng`` may be None). Draw order is fixed: embedding, then per
    layer input, recurrent, candidate, zoneout c, zoneout h, weight, gate output, between; then output. The
    samplers are app/engine/dropout.py's, as for ``model.run``, with a batch axis."""
    batch, steps = tokens.shape
    vocab, emb = weights.embedding.shape
    train = spec.train
    rng = rng if train else None
    embedding = None
    if train and spec.emb_rate > 0:
        embedding = dp.embedding_mask(rng, spec.emb_mode, spec.emb_rate, tokens, emb, vocab).as_type(dtype)
    cells, between = [], []
    for n, (lp, lw) in enumerate(zip(spec.plan.layers, weights.layers, strict=True)):
        n_in, units = lw.kernel.shape[0], lw.recurrent_kernel.shape[0]
        cells.append(_cell(rng, lp, train, steps, batch, n_in, units, dtype))
        drop = train and lp.between > 0 and n < len(weights.layers) - 1
        between.append(dp.step_mask(rng, lp.between, steps, units, (batch,)).as_type(dtype) if drop else None)
    units = weights.layers[-1].recurrent_kernel.shape[0]
    output = None
    if train and spec.out_rate > 0:
        output = dp.output_mask(rng, spec.out_rate, units, (batch,)).as_type(dtype)
    return BatchMasks(embedding, tuple(cells), tuple(between), output)


def _stacked(arrays: list[np.ndarray | None], axis: int, dtype) -> np.ndarray | None:
    return None if arrays[0] is None else np.stack(arrays, axis=axis).astype(dtype)


def stack_masks(draws: list[Draw], spec: RunSpec, dtype=np.float32) -> BatchMasks:
    """The masks ``model.draw`` (``model.run``) drew for single sequences, as one batch
    (example b = draws[b]). A trace's draw is ``trace.draw``."""
    train = spec.train
    emb = [d.embedding.multiplier if train and spec.emb_rate > 0 else None for d in draws]
    cells, between = [], []
    for n, lp in enumerate(spec.plan.layers):
        per = [cell_masks(d.layers[n], lp, train) for d in draws]  # what model.run applies
        weight = per[0].weight
        if weight is not None and any(not np.array_equal(p.weight, weight) for p in per):
            raise ValueError("weight-drop masks differ between the traces: one forward pass has one")
        cells.append(
            bptt.BatchCellMasks(
                input=_stacked([p.input for p in per], 2, dtype),  # (nT, G, B, in)
                recurrent=_stacked([p.recurrent for p in per], 2, dtype),
                candidate=_stacked([p.candidate for p in per], 1, dtype),
                zoneout_c=_stacked([p.zoneout_c for p in per], 1, dtype),
                zoneout_h=_stacked([p.zoneout_h for p in per], 1, dtype),
                weight=None if weight is None else weight.astype(dtype),
                gate_output=_stacked([p.gate_output for p in per], 2, dtype),  # (T, 4, B, H)
            )
        )
        masks = [d.layers[n].get("between") for d in draws]
        use = train and masks[0] is not None
        between.append(_stacked([m.multiplier for m in masks], 1, dtype) if use else None)
    out = [d.output.multiplier for d in draws] if train and spec.out_rate > 0 else [None]
    return BatchMasks(_stacked(emb, 1, dtype), tuple(cells), tuple(between), _stacked(out, 0, dtype))


def cast(weights: Weights, dtype) -> Weights:
    """The same weights in ``dtype`` (float64 for gradient checks)."""
    return Weights(
        embedding=weights.embedding.astype(dtype),
        layers=tuple(
            LayerWeights(lw.kernel.astype(dtype), lw.recurrent_kernel.astype(dtype), lw.bias.astype(dtype))
            for lw in weights.layers
        ),
        dense_kernel=weights.dense_kernel.astype(dtype),
        dense_bias=weights.dense_bias.astype(dtype),
    )


def forward(weights: Weights, tokens: np.ndarray, masks: BatchMasks, threads: int = 1) -> tuple[np.ndarray, Cache]:
    """Logits (B,) of ``tokens`` (B, T) under ``masks``, and what the backward pass needs.
    Works in the weights' dtype. ``threads``: 2 overlaps the big matmuls with the recurrence (bptt)."""
    dtype = weights.embedding.dtype.type
    x = weights.embedding[tokens.T]  # (T, B, E)
    if masks.embedding is not None:
        x = x * masks.embedding
    caches = []
    for lw, cm, between in zip(weights.layers, masks.layers, masks.between, strict=True):
        h, cache = bptt.forward(x, lw.kernel, lw.recurrent_kernel, lw.bias, cm, threads)
        caches.append(cache)
        x = h if between is None else h * between
    last = x[-1] if masks.output is None else x[-1] * masks.output  # (B, H)
    logits = last @ weights.dense_kernel[:, 0] + weights.dense_bias[0]
    return logits.astype(dtype, copy=False), Cache(tokens, masks, tuple(caches), last)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * np.tanh(0.5 * z) + 0.5


def bce(probability: np.ndarray, labels: np.ndarray) -> float:
    """Keras binary_crossentropy (torch backend): clip to [eps, 1 - eps], logs floored at -100
    as torch's binary_cross_entropy does, mean over the batch."""
    p = np.clip(probability, EPSILON, 1 - EPSILON)
    terms = labels * np.maximum(np.log(p), -100) + (1 - labels) * np.maximum(np.log1p(-p), -100)
    return float(-terms.mean())


def loss_and_grads(
    weights: Weights,
    tokens: np.ndarray,
    labels: np.ndarray,
    masks: BatchMasks,
    threads: int = 1,
    through_time: dict | None = None,
) -> tuple[float, Weights, np.ndarray]:
    """(loss, gradients in the weights' layout, probabilities (B,)) for one batch;
    ``through_time`` as in ``backward``."""
    dtype = weights.embedding.dtype.type
    logits, cache = forward(weights, tokens, masks, threads)
    p = sigmoid(logits)
    loss = bce(p, labels)
    batch = len(labels)
    pc = np.clip(p, EPSILON, 1 - EPSILON)
    dp_ = (pc - labels) / np.maximum(pc * (1 - pc), 1e-12) / batch  # dL/dp'
    inside = (p >= EPSILON) & (p <= 1 - EPSILON)  # clip passes the gradient inside its range
    dlogit = (dp_ * inside * p * (1 - p)).astype(dtype)  # (B,)
    return loss, backward(weights, cache, dlogit, threads, through_time), p


def scatter_rows(ids: np.ndarray, rows: np.ndarray, vocab: int) -> np.ndarray:
    """(vocab, E) with out[v] = the sum of rows[n] where ids[n] == v: the embedding's gradient.
    Sorted and summed in runs (np.add.reduceat): five times np.add.at's speed here."""
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    out = np.zeros((vocab, rows.shape[1]), dtype=rows.dtype)
    out[ids[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def backward(
    weights: Weights, cache: Cache, dlogit: np.ndarray, threads: int = 1, through_time: dict | None = None
) -> Weights:
    """Gradients of every weight from dL/dlogit (B,). ``through_time``, when given, receives the
    gradients through time: "dh", "dc" (per layer, (T, B, H): dL/dh_t, dL/dc_t) and
    "embedding" ((T, B, E): dL/de_t of the embedding output, zero where embedding dropout
    dropped an element)."""
    masks = cache.masks
    dense_kernel = (cache.last.T @ dlogit)[:, None]  # (H, 1)
    dense_bias = np.array([dlogit.sum()], dtype=dlogit.dtype)
    dlast = dlogit[:, None] * weights.dense_kernel[:, 0]  # (B, H)
    if masks.output is not None:
        dlast = dlast * masks.output
    top = cache.layers[-1]
    dh = np.zeros(top.h[1:].shape, dtype=dlogit.dtype)  # (T, B, H)
    dh[-1] = dlast
    grads: list[bptt.LayerGrads] = []
    records: list[tuple[np.ndarray, np.ndarray] | None] = []
    for n in range(len(cache.layers) - 1, -1, -1):
        record = None if through_time is None else (np.empty_like(dh), np.empty_like(dh))
        last = n == len(cache.layers) - 1
        dx, g = bptt.backward(dh, cache.layers[n], last_only=last, threads=threads, record=record)
        grads.append(g)
        records.append(record)
        if n > 0:
            between = masks.between[n - 1]
            dh = dx if between is None else dx * between
    grads.reverse()
    if masks.embedding is not None:
        dx = dx * masks.embedding
    if through_time is not None:
        records.reverse()
        through_time.update(dh=[r[0] for r in records], dc=[r[1] for r in records], embedding=dx)
    demb = scatter_rows(cache.tokens.T.reshape(-1), dx.reshape(-1, dx.shape[2]), weights.embedding.shape[0])
    return Weights(
        embedding=demb,
        layers=tuple(LayerWeights(g.kernel, g.recurrent_kernel, g.bias) for g in grads),
        dense_kernel=dense_kernel,
        dense_bias=dense_bias,
    )
