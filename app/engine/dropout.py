"""Dropout masks for every scheme, drawn from explicit generators.

A mask is stored compactly as keep-bits of shape (nT, nG, D), with nT = T for a mask drawn
afresh at every step or 1 for one drawn once per sequence (variational / locked dropout),
and nG = 4 for one mask per gate (i, f, g, o) or 1 for one shared by the four gates. The
multiplier actually applied is ``keep * scale`` with ``scale = 1 / (1 - rate)`` (inverted
dropout, as in every framework), so nothing is rescaled at inference.

Draws are nested: a per-sequence mask is the first step of the per-step draw and a shared mask
is gate i of the per-gate draw, and an element dropped at rate r is dropped at every rate
above r. Moving one slider in the explorer therefore changes as little as possible.

Each mask has its own stream ``default_rng([seed, stream, layer])``, so changing one knob
never reshuffles the masks of another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

F32 = np.float32

STREAMS = {
    "embedding": 0,
    "input": 1,
    "recurrent": 2,
    "candidate": 3,
    "zoneout_c": 4,
    "zoneout_h": 5,
    "weight_drop": 6,
    "between": 7,
    "output": 8,
}


@dataclass(frozen=True)
class MaskSpec:
    """How one mask is drawn: its rate, whether each gate has its own, whether it changes per step."""

    rate: float
    per_gate: bool = False
    per_step: bool = False


@dataclass(frozen=True)
class Mask:
    """Keep-bits (1 = kept) in compact shape (nT, nG, D) or any shape, and the kept multiplier."""

    keep: np.ndarray  # uint8
    scale: float

    @property
    def multiplier(self) -> np.ndarray:
        return self.keep.astype(F32) * F32(self.scale)


def stream(seed: int, name: str, layer: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[name], layer])


def inverted_scale(rate: float) -> float:
    """The multiplier of a kept element, 1 / (1 - rate), rounded to float32 as it is applied."""
    return float(F32(1.0) / F32(1.0 - rate))


def bernoulli_keep(rng: np.random.Generator, rate: float, shape: tuple[int, ...]) -> np.ndarray:
    """Keep-bits with P(keep) = 1 - rate: keep where u >= rate, u ~ U[0, 1) in float32."""
    return (rng.random(shape, dtype=F32) >= rate).astype(np.uint8)


def gate_mask(rng: np.random.Generator | None, spec: MaskSpec, steps: int, dim: int) -> Mask:
    """A mask on x_t (dim = input size) or h_{t-1} (dim = units), compact shape (nT, nG, dim).

    ``rng=None`` is inference: every element kept.
    """
    shape = (steps if spec.per_step else 1, 4 if spec.per_gate else 1, dim)
    if rng is None:
        return Mask(np.ones(shape, dtype=np.uint8), 1.0)
    return Mask(bernoulli_keep(rng, spec.rate, shape), inverted_scale(spec.rate))


def embedding_mask(
    rng: np.random.Generator | None, mode: str, rate: float, tokens: np.ndarray, emb: int, vocab: int
) -> Mask:
    """The mask on the embedding output, full shape (T, E).

    standard  Keras Dropout: a fresh bit per step and feature.
    spatial   SpatialDropout1D: one bit per feature, constant over time (noise shape (1, E)).
    word      Gal / AWD-LSTM embedding dropout: one bit per word type (a row of the
              embedding matrix), so every occurrence of a dropped word is dropped.
    """
    steps = len(tokens)
    if rng is None:
        return Mask(np.ones((steps, emb), dtype=np.uint8), 1.0)
    if mode == "standard":
        keep = bernoulli_keep(rng, rate, (steps, emb))
    elif mode == "spatial":
        keep = np.repeat(bernoulli_keep(rng, rate, (1, emb)), steps, axis=0)
    elif mode == "word":
        rows = bernoulli_keep(rng, rate, (vocab,))
        keep = np.repeat(rows[tokens][:, None], emb, axis=1)
    else:
        raise ValueError(f"unknown embedding dropout mode {mode!r}")
    return Mask(keep, inverted_scale(rate))


def step_mask(rng: np.random.Generator | None, rate: float, steps: int, dim: int) -> Mask:
    """An element-wise mask drawn afresh at every step, shape (T, dim)."""
    if rng is None:
        return Mask(np.ones((steps, dim), dtype=np.uint8), 1.0)
    return Mask(bernoulli_keep(rng, rate, (steps, dim)), inverted_scale(rate))


def zoneout_mask(rng: np.random.Generator | None, rate: float, steps: int, dim: int) -> Mask:
    """Zoneout (Krueger et al. 2016): keep-bit 1 = the unit is updated, 0 = it keeps its
    previous value (probability ``rate``). No inverted scaling in training: scale 1.

    At inference the paper uses the expectation, c_t = c_{t-1} + (1 - z)(c~_t - c_{t-1}):
    every bit is 1 and the scale is 1 - z.
    """
    if rng is None:
        return Mask(np.ones((steps, dim), dtype=np.uint8), float(F32(1.0 - rate)))
    return Mask(bernoulli_keep(rng, rate, (steps, dim)), 1.0)


def weight_mask(rng: np.random.Generator | None, rate: float, shape: tuple[int, int]) -> Mask:
    """DropConnect on the recurrent kernel (AWD-LSTM WeightDrop), once per forward pass."""
    if rng is None:
        return Mask(np.ones(shape, dtype=np.uint8), 1.0)
    return Mask(bernoulli_keep(rng, rate, shape), inverted_scale(rate))
