"""The seed model: Embedding -> embedding dropout -> LSTM stack -> Dense(1, sigmoid).

    e_t = E[token_t]                       (T, E)   embedding lookup
    x_t = e_t * m_t                        (T, E)   embedding dropout (standard, spatial, word)
    h^1 = LSTM_1(x), h^l = LSTM_l(h^{l-1} * d^{l-1})   d: PyTorch between-layer dropout
    logit = (h^L_T * q) . w + b,  p = sigmoid(logit)   q: output dropout before Dense (H,)

``run`` draws every mask from ``spec.seed`` (nothing at inference), runs the stack and returns
a ``Trace`` holding every array the pages show. Batch of one sequence, float32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine import dropout as dp
from app.engine.init import Weights
from app.engine.lstm import CellMasks, Kernels, LayerRecord, lstm_forward, prepare
from app.engine.semantics import LayerPlan, Plan

F32 = np.float32


@dataclass(frozen=True)
class RunSpec:
    """What a forward pass drops besides the weights and the input: the resolved LSTM plan, the
    embedding dropout (rate, mode), the output dropout before Dense, the mask seed and the phase."""

    plan: Plan
    emb_rate: float = 0.0
    emb_mode: str = "standard"
    out_rate: float = 0.0
    seed: int = 0
    train: bool = True


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
class Draw:
    """Every mask of one forward pass, as ``run`` draws them from ``spec.seed``."""

    embedding: dp.Mask  # keep-bits (T, E)
    layers: tuple[dict[str, dp.Mask], ...]  # per layer, name -> mask (see _layer_masks)
    output: dp.Mask  # keep-bits (H,)


@dataclass(frozen=True)
class Trace:
    tokens: np.ndarray  # (T,) int64
    embedding: np.ndarray  # (T, E) the lookup, before dropout
    embedding_mask: dp.Mask  # keep-bits (T, E)
    layers: tuple[LayerTrace, ...]
    output_mask: dp.Mask  # keep-bits (H,) on the last h before Dense
    logit: float
    probability: float

    @property
    def draw(self) -> Draw:
        return Draw(self.embedding_mask, tuple(lt.masks for lt in self.layers), self.output_mask)


def sigmoid(z: float) -> float:
    return float(0.5 * np.tanh(0.5 * z) + 0.5)


def draw_cell(
    plan: LayerPlan,
    rng: Callable[[str], np.random.Generator | None],
    steps: int,
    in_dim: int,
    units: int,
    batch: tuple[int, ...] = (),
) -> dict[str, dp.Mask]:
    """The masks inside one LSTM layer, drawn in the order input, recurrent, candidate, zoneout_c,
    zoneout_h, weight_drop, gate_output; ``rng(name)`` is the generator of a mask (None at inference).

    input      (nT, nG, *batch, in)  always present, all kept when the plan has none
    recurrent  (nT, nG, *batch, H)   likewise
    candidate, zoneout_c, zoneout_h  (T, *batch, H)   when the plan has them
    weight_drop                      (H, 4H)          one per forward pass
    gate_output                      (T, 4, *batch, H) on the gate activations i, f, g, o (preset forum)
    """
    none = dp.MaskSpec(0.0)
    masks = {
        "input": dp.gate_mask(rng("input") if plan.input else None, plan.input or none, steps, in_dim, batch),
        "recurrent": dp.gate_mask(
            rng("recurrent") if plan.recurrent else None, plan.recurrent or none, steps, units, batch
        ),
    }
    if plan.candidate:
        masks["candidate"] = dp.step_mask(rng("candidate"), plan.candidate.rate, steps, units, batch)
    for name in ("zoneout_c", "zoneout_h"):
        if rate := getattr(plan, name):
            masks[name] = dp.zoneout_mask(rng(name), rate, steps, units, batch)
    if plan.weight_drop:
        masks["weight_drop"] = dp.weight_mask(rng("weight_drop"), plan.weight_drop, (units, 4 * units))
    if plan.gate_output:
        masks["gate_output"] = dp.gate_mask(rng("gate_output"), plan.gate_output, steps, units, batch)
    return masks


def _layer_masks(
    plan: LayerPlan, seed: int, layer: int, train: bool, steps: int, in_dim: int, units: int
) -> dict[str, dp.Mask]:
    """``draw_cell`` and the between-layer mask (T, H), each mask from its own stream."""

    def rng(name: str) -> np.random.Generator | None:
        return dp.stream(seed, name, layer) if train else None

    masks = draw_cell(plan, rng, steps, in_dim, units)
    if plan.between:
        masks["between"] = dp.step_mask(rng("between"), plan.between, steps, units)
    return masks


def cell_masks(masks: dict[str, dp.Mask], plan: LayerPlan, train: bool) -> CellMasks:
    """The multipliers (float32) the loop applies, from ``draw_cell``'s masks (any batch axis);
    all-kept masks are left out (they change nothing), and at inference only zoneout's expectation."""

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
        gate_output=used("gate_output"),
    )


def prepare_layers(weights: Weights) -> tuple[Kernels, ...]:
    return tuple(prepare(lw.kernel, lw.recurrent_kernel, lw.bias) for lw in weights.layers)


def output_mask(spec: RunSpec, units: int) -> dp.Mask:
    """The mask on h^L_T before Dense, full shape (H,); all kept at inference or at rate 0."""
    rng = dp.stream(spec.seed, "output") if spec.train and spec.out_rate > 0 else None
    return dp.output_mask(rng, spec.out_rate, units)


def draw(tokens: np.ndarray, weights: Weights, spec: RunSpec) -> Draw:
    """Every mask of a forward pass over ``tokens`` (T,), each from its own stream of ``spec.seed``."""
    steps = len(tokens)
    vocab, emb = weights.embedding.shape
    emb_rng = dp.stream(spec.seed, "embedding") if spec.train and spec.emb_rate > 0 else None
    layers, n_in = [], emb
    for n, (lw, lp) in enumerate(zip(weights.layers, spec.plan.layers, strict=True)):
        units = lw.recurrent_kernel.shape[0]
        layers.append(_layer_masks(lp, spec.seed, n, spec.train, steps, n_in, units))
        n_in = units
    return Draw(
        embedding=dp.embedding_mask(emb_rng, spec.emb_mode, spec.emb_rate, tokens, emb, vocab).expanded((steps, emb)),
        layers=tuple(layers),
        output=output_mask(spec, n_in),
    )


def run(tokens: np.ndarray, weights: Weights, spec: RunSpec, kernels: tuple[Kernels, ...] | None = None) -> Trace:
    """Forward the model over ``tokens`` (T,), recording everything. ``spec.train=False`` drops nothing.

    ``kernels`` are ``prepare_layers(weights)``, passed in by callers that keep them.
    """
    kernels = kernels or prepare_layers(weights)
    masks = draw(tokens, weights, spec)
    e = weights.embedding[tokens]  # (T, E)
    x = e * masks.embedding.multiplier if spec.train and spec.emb_rate > 0 else e
    records = []
    for k, lp, lm in zip(kernels, spec.plan.layers, masks.layers, strict=True):
        rec = lstm_forward(x, k, cell_masks(lm, lp, spec.train))
        records.append(LayerTrace(x=x, masks=lm, record=rec))
        x = rec.h * lm["between"].multiplier if "between" in lm and spec.train else rec.h

    last = records[-1].h[-1] * masks.output.multiplier if spec.train and spec.out_rate > 0 else records[-1].h[-1]
    logit = float(last @ weights.dense_kernel[:, 0] + weights.dense_bias[0])
    return Trace(
        tokens=tokens,
        embedding=e,
        embedding_mask=masks.embedding,
        layers=tuple(records),
        output_mask=masks.output,
        logit=logit,
        probability=sigmoid(logit),
    )
