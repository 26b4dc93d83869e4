"""Monte Carlo dropout: the same input under many mask draws.

For seeds s, s+1, ..., s+N-1 (mod 2^32) the model runs with the masks each seed draws; the
result is the output probability of every draw and, per layer, the mean and standard
deviation (population, ddof=0) over draws of h and of each gate, at every step and unit.
Draw 0 has the masks of the state's own trace (its numbers agree to float32 rounding).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.engine import batch, model
from app.engine.bptt import KERAS
from app.engine.init import Weights
from app.engine.lstm import Kernels

SEED_SPAN = 2**32


@dataclass(frozen=True)
class Spread:
    mean: np.ndarray  # (T, H)
    std: np.ndarray  # (T, H)


@dataclass(frozen=True)
class MCLayer:
    h: Spread
    gates: tuple[Spread, Spread, Spread, Spread]  # i, f, g, o


@dataclass(frozen=True)
class MCResult:
    seeds: tuple[int, ...]
    probability: np.ndarray  # (N,)
    layers: tuple[MCLayer, ...]


def draw_seeds(seed: int, samples: int) -> tuple[int, ...]:
    return tuple((seed + i) % SEED_SPAN for i in range(samples))


def _spread(values: np.ndarray) -> Spread:
    """Mean and population standard deviation over draws, axis 1 of (T, N, H), in float64."""
    v = values.astype(np.float64)
    return Spread(v.mean(axis=1).astype(np.float32), v.std(axis=1).astype(np.float32))


def monte_carlo(
    tokens: np.ndarray, weights: Weights, kernels: tuple[Kernels, ...], spec: model.RunSpec, samples: int
) -> MCResult:
    """The N draws run as one batch (app/engine/batch.py), each example with the masks its seed
    draws in ``model.run``: 2.5 times faster than N runs (benchmarks/bench_train.py). Weight-drop
    draws one recurrent kernel per pass, so its draws run one by one; at inference every draw
    is the same run, computed once."""
    seeds = draw_seeds(spec.seed, samples)
    if not spec.train:  # nothing is dropped: every draw is the same run
        one = _one_by_one(tokens, weights, kernels, spec, seeds[:1])
        return MCResult(seeds, np.repeat(one.probability, samples), one.layers)
    if any(lp.weight_drop for lp in spec.plan.layers):
        return _one_by_one(tokens, weights, kernels, spec, seeds)
    draws = [model.draw(tokens, weights, replace(spec, seed=s)) for s in seeds]
    logits, cache = batch.forward(weights, np.repeat(tokens[None], samples, axis=0), batch.stack_masks(draws, spec))
    layers = []
    for lc in cache.layers:
        gates = tuple(_spread(lc.acts[KERAS[k]]) for k in range(4))  # acts blocks i, f, o, g -> i, f, g, o
        layers.append(MCLayer(h=_spread(lc.h[1:]), gates=gates))
    return MCResult(seeds=seeds, probability=batch.sigmoid(logits.astype(np.float64)), layers=tuple(layers))


def _one_by_one(tokens, weights, kernels, spec: model.RunSpec, seeds: tuple[int, ...]) -> MCResult:
    runs = [model.run(tokens, weights, replace(spec, seed=s), kernels) for s in seeds]
    layers = []
    for n in range(len(spec.plan.layers)):
        h = np.stack([tr.layers[n].h for tr in runs], axis=1)  # (T, N, H)
        gates = np.stack([tr.layers[n].gates for tr in runs], axis=2)  # (T, 4, N, H)
        layers.append(MCLayer(h=_spread(h), gates=tuple(_spread(gates[:, k]) for k in range(4))))
    return MCResult(seeds=seeds, probability=np.array([tr.probability for tr in runs]), layers=tuple(layers))
