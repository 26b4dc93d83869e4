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
never reshuffles the masks of another. New streams are appended to ``STREAMS``, never renumbered,
so an old link draws the same masks.

One sampler serves the single run (app/engine/model.py, a stream per mask) and the batch
(app/engine/batch.py, one generator in a fixed order): every function takes the generator
(None at inference: nothing is drawn) and the leading shape, ``batch = ()`` for one sequence
or ``(B,)``, which goes just before the feature axis, and returns keep-bits and scale.
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
    "gate_output": 9,  # appended (preset forum): the numbers above never change, old links keep their masks
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
        return self.as_type(F32)

    def as_type(self, dtype) -> np.ndarray:
        """keep * scale in ``dtype`` (the scale is already a float32 value, so exact in float64)."""
        return self.keep.astype(dtype) * dtype(self.scale)

    def expanded(self, shape: tuple[int, ...]) -> Mask:
        """The same mask repeated to the full ``shape`` (a spatial mask over every step)."""
        if self.keep.shape == shape:
            return self
        return Mask(np.broadcast_to(self.keep, shape).copy(), self.scale)


def stream(seed: int, name: str, layer: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[name], layer])


def inverted_scale(rate: float) -> float:
    """The multiplier of a kept element, 1 / (1 - rate), rounded to float32 as it is applied."""
    return float(F32(1.0) / F32(1.0 - rate))


def bernoulli_keep(rng: np.random.Generator, rate: float, shape: tuple[int, ...]) -> np.ndarray:
    """Keep-bits with P(keep) = 1 - rate: keep where u >= rate, u ~ U[0, 1) in float32."""
    return (rng.random(shape, dtype=F32) >= rate).astype(np.uint8)


def dropout_mask(rng: np.random.Generator | None, rate: float, shape: tuple[int, ...]) -> Mask:
    """Inverted dropout of any shape: keep ~ Bernoulli(1 - rate), scale 1 / (1 - rate), one draw
    of ``shape`` (row-major, so the draw order is the shape's). ``rng=None``: every element kept."""
    if rng is None:
        return Mask(np.ones(shape, dtype=np.uint8), 1.0)
    return Mask(bernoulli_keep(rng, rate, shape), inverted_scale(rate))


def gate_mask(
    rng: np.random.Generator | None, spec: MaskSpec, steps: int, dim: int, batch: tuple[int, ...] = ()
) -> Mask:
    """A mask on x_t (dim = input size) or h_{t-1} (dim = units), compact shape (nT, nG, *batch, dim):
    nT = steps if ``spec.per_step`` else 1, nG = 4 if ``spec.per_gate`` else 1."""
    shape = (steps if spec.per_step else 1, 4 if spec.per_gate else 1, *batch, dim)
    return dropout_mask(rng, spec.rate, shape)


def embedding_mask(
    rng: np.random.Generator | None, mode: str, rate: float, tokens: np.ndarray, emb: int, vocab: int
) -> Mask:
    """The mask on the embedding output of ``tokens`` (T,) or (*batch, T), shape (T, *batch, E).

    standard  Keras Dropout: a fresh bit per step and feature, drawn as (T, *batch, E).
    spatial   SpatialDropout1D: one bit per feature, constant over time (noise shape (1, E)):
              drawn and returned as (1, *batch, E); ``Mask.expanded`` repeats it over time.
    word      Gal / AWD-LSTM embedding dropout: one bit per word type (a row of the
              embedding matrix), drawn as (*batch, vocab), so every occurrence of a dropped
              word is dropped.
    """
    *batch, steps = tokens.shape
    if rng is None:
        return Mask(np.ones((steps, *batch, emb), dtype=np.uint8), 1.0)
    if mode == "standard":
        keep = bernoulli_keep(rng, rate, (steps, *batch, emb))
    elif mode == "spatial":
        keep = bernoulli_keep(rng, rate, (1, *batch, emb))
    elif mode == "word":
        rows = bernoulli_keep(rng, rate, (*batch, vocab))
        words = np.moveaxis(np.take_along_axis(rows, tokens, axis=-1), -1, 0)  # (T, *batch)
        keep = np.repeat(words[..., None], emb, axis=-1)
    else:
        raise ValueError(f"unknown embedding dropout mode {mode!r}")
    return Mask(keep, inverted_scale(rate))


def step_mask(rng: np.random.Generator | None, rate: float, steps: int, dim: int, batch: tuple[int, ...] = ()) -> Mask:
    """An element-wise mask drawn afresh at every step, shape (T, *batch, dim)."""
    return dropout_mask(rng, rate, (steps, *batch, dim))


def zoneout_mask(
    rng: np.random.Generator | None, rate: float, steps: int, dim: int, batch: tuple[int, ...] = ()
) -> Mask:
    """Zoneout (Krueger et al. 2016), shape (T, *batch, dim): keep-bit 1 = the unit is updated,
    0 = it keeps its previous value (probability ``rate``). No inverted scaling in training: scale 1.

    At inference the paper uses the expectation, c_t = c_{t-1} + (1 - z)(c~_t - c_{t-1}):
    every bit is 1 and the scale is 1 - z (in float32).
    """
    shape = (steps, *batch, dim)
    if rng is None:
        return Mask(np.ones(shape, dtype=np.uint8), float(F32(1.0 - rate)))
    return Mask(bernoulli_keep(rng, rate, shape), 1.0)


def weight_mask(rng: np.random.Generator | None, rate: float, shape: tuple[int, int]) -> Mask:
    """DropConnect on the recurrent kernel (AWD-LSTM WeightDrop), once per forward pass (and
    one for a whole batch): shape (H, 4H)."""
    return dropout_mask(rng, rate, shape)


def output_mask(rng: np.random.Generator | None, rate: float, units: int, batch: tuple[int, ...] = ()) -> Mask:
    """Dropout on h^L_T before Dense, shape (*batch, H)."""
    return dropout_mask(rng, rate, (*batch, units))
