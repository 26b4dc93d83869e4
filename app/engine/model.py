"""The seed model: Embedding -> embedding dropout -> LSTM stack -> Dense(1, sigmoid).

    e_t = E[token_t]                       (T, E)   embedding lookup
    x_t = e_t * m_t                        (T, E)   embedding dropout (standard, spatial, word)
    h^1 = LSTM_1(x), h^l = LSTM_l(h^{l-1} * d^{l-1})   d: PyTorch between-layer dropout
    logit = h^L_T . w + b,  p = sigmoid(logit)

``run`` draws every mask from ``seed`` (nothing at inference), runs the stack and returns a
``Trace`` holding every array the pages show. Batch of one sequence, float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine import dropout as dp
from app.engine.init import Weights
from app.engine.lstm import CellMasks, Kernels, LayerRecord, lstm_forward, prepare
from app.engine.semantics import LayerPlan, Plan

F32 = np.float32


@dataclass(frozen=True)
class LayerTrace:
    x: np.ndarray  # (T, in) what the layer receives
    masks: dict[str, dp.Mask]  # name -> keep-bits and scale; input/recurrent always present
    record: LayerRecord  # gates, c, h

    @property
    def c(self) -> np.ndarray:  # (T, H)
        return self.record.c

    @property
    def h(self) -> np.ndarray:  # (T, H)
        return self.record.h

    @property
    def gates(self) -> np.ndarray:  # (T, 4, H), gate order i, f, g, o
        return self.record.gates


@dataclass(frozen=True)
class Trace:
    tokens: np.ndarray  # (T,) int64
    embedding: np.ndarray  # (T, E) the lookup, before dropout
    embedding_mask: dp.Mask  # keep-bits (T, E)
    layers: tuple[LayerTrace, ...]
    logit: float
    probability: float


def sigmoid(z: float) -> float:
    return float(0.5 * np.tanh(0.5 * z) + 0.5)


def _layer_masks(
    plan: LayerPlan, seed: int, layer: int, train: bool, steps: int, in_dim: int, units: int
) -> dict[str, dp.Mask]:
    def rng(name: str) -> np.random.Generator | None:
        return dp.stream(seed, name, layer) if train else None

    none = dp.MaskSpec(0.0)
    masks = {
        "input": dp.gate_mask(rng("input") if plan.input else None, plan.input or none, steps, in_dim),
        "recurrent": dp.gate_mask(rng("recurrent") if plan.recurrent else None, plan.recurrent or none, steps, units),
    }
    if plan.candidate:
        masks["candidate"] = dp.step_mask(rng("candidate"), plan.candidate.rate, steps, units)
    for name in ("zoneout_c", "zoneout_h"):
        if rate := getattr(plan, name):
            masks[name] = dp.zoneout_mask(rng(name), rate, steps, units)
    if plan.weight_drop:
        masks["weight_drop"] = dp.weight_mask(rng("weight_drop"), plan.weight_drop, (units, 4 * units))
    if plan.between:
        masks["between"] = dp.step_mask(rng("between"), plan.between, steps, units)
    return masks


def _cell_masks(masks: dict[str, dp.Mask], plan: LayerPlan, train: bool) -> CellMasks:
    """The multipliers the loop applies; all-kept masks are left out (they change nothing)."""

    def used(name: str) -> np.ndarray | None:
        mask = masks.get(name)
        if mask is None or (not train and not name.startswith("zoneout")):
            return None
        return mask.multiplier

    return CellMasks(
        input=used("input") if plan.input else None,
        recurrent=used("recurrent") if plan.recurrent else None,
        candidate=used("candidate"),
        zoneout_c=used("zoneout_c"),
        zoneout_h=used("zoneout_h"),
        weight=used("weight_drop"),
    )


def prepare_layers(weights: Weights) -> tuple[Kernels, ...]:
    return tuple(prepare(lw.kernel, lw.recurrent_kernel, lw.bias) for lw in weights.layers)


def run(
    tokens: np.ndarray,
    weights: Weights,
    plan: Plan,
    emb_rate: float,
    emb_mode: str,
    seed: int,
    train: bool,
    kernels: tuple[Kernels, ...] | None = None,
) -> Trace:
    """Forward the model over ``tokens`` (T,), recording everything. ``train=False`` drops nothing.

    ``kernels`` are ``prepare_layers(weights)``, passed in by callers that keep them.
    """
    kernels = kernels or prepare_layers(weights)
    steps = len(tokens)
    vocab, emb = weights.embedding.shape
    e = weights.embedding[tokens]  # (T, E)
    emb_rng = dp.stream(seed, "embedding") if train and emb_rate > 0 else None
    emb_mask = dp.embedding_mask(emb_rng, emb_mode, emb_rate, tokens, emb, vocab)
    x = e * emb_mask.multiplier if emb_rng is not None else e

    records = []
    for n, (k, lp) in enumerate(zip(kernels, plan.layers, strict=True)):
        units = k.U.shape[0]
        masks = _layer_masks(lp, seed, n, train, steps, x.shape[1], units)
        rec = lstm_forward(x, k, _cell_masks(masks, lp, train))
        records.append(LayerTrace(x=x, masks=masks, record=rec))
        x = rec.h * masks["between"].multiplier if "between" in masks and train else rec.h

    logit = float(records[-1].h[-1] @ weights.dense_kernel[:, 0] + weights.dense_bias[0])
    return Trace(
        tokens=tokens,
        embedding=e,
        embedding_mask=emb_mask,
        layers=tuple(records),
        logit=logit,
        probability=sigmoid(logit),
    )
