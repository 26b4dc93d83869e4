"""Monte Carlo dropout: the same input under many mask draws.

For seeds s, s+1, ..., s+N-1 (mod 2^32) the model runs with the masks each seed draws; the
result is the output probability of every draw and, per layer, the mean and standard
deviation (population, ddof=0) over draws of h and of each gate, at every step and unit.
Draw 0 is the trace of the state itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine import model
from app.engine.init import Weights
from app.engine.lstm import Kernels
from app.engine.semantics import Plan

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


def _spread(total: np.ndarray, squares: np.ndarray, n: int) -> Spread:
    mean = total / n
    var = np.maximum(squares / n - mean**2, 0.0)
    return Spread(mean.astype(np.float32), np.sqrt(var).astype(np.float32))


def draw_seeds(seed: int, samples: int) -> tuple[int, ...]:
    return tuple((seed + i) % SEED_SPAN for i in range(samples))


def monte_carlo(
    tokens: np.ndarray,
    weights: Weights,
    kernels: tuple[Kernels, ...],
    plan: Plan,
    emb_rate: float,
    emb_mode: str,
    seed: int,
    samples: int,
    train: bool,
) -> MCResult:
    seeds = draw_seeds(seed, samples)
    probs = np.empty(samples)
    sums: list[np.ndarray] = []  # per layer (5, T, H): h, i, f, g, o in float64
    squares: list[np.ndarray] = []
    for n, s in enumerate(seeds):
        tr = model.run(tokens, weights, plan, emb_rate, emb_mode, s, train, kernels)
        probs[n] = tr.probability
        for k, lt in enumerate(tr.layers):
            values = np.concatenate([lt.h[None], lt.gates.transpose(1, 0, 2)]).astype(np.float64)
            if n == 0:
                sums.append(values.copy())
                squares.append(values**2)
            else:
                sums[k] += values
                squares[k] += values**2
    layers = []
    for total, sq in zip(sums, squares, strict=True):
        spreads = [_spread(total[j], sq[j], samples) for j in range(5)]
        layers.append(MCLayer(h=spreads[0], gates=tuple(spreads[1:])))
    return MCResult(seeds=seeds, probability=probs, layers=tuple(layers))
