"""Keras 3 default initialisation of the seed model, from an explicit generator.

The algorithms and bounds are Keras's (keras/src/initializers/random_initializers.py):

    Embedding        RandomUniform(-0.05, 0.05)                      (V, E)
    LSTM kernel      GlorotUniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (E, 4H)
    LSTM recurrent   Orthogonal: QR of a normal matrix, signs fixed by diag(R)    (H, 4H)
    LSTM bias        zeros, forget slice [H:2H] = 1 (unit_forget_bias)            (4H,)
    Dense kernel     GlorotUniform                                    (H, 1)
    Dense bias       zeros                                            (1,)

Keras draws from its own RNG; here every draw comes from one ``np.random.Generator`` per
tensor, derived from ``init_seed``, so the same seed gives the same weights in any process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

F32 = np.float32


@dataclass(frozen=True)
class LayerWeights:
    """One LSTM layer in Keras layout; gate order along the last axis: i, f, g (Keras c), o."""

    kernel: np.ndarray  # (E, 4H)
    recurrent_kernel: np.ndarray  # (H, 4H)
    bias: np.ndarray  # (4H,)


@dataclass(frozen=True)
class Weights:
    embedding: np.ndarray  # (V, E)
    layers: tuple[LayerWeights, ...]
    dense_kernel: np.ndarray  # (H, 1)
    dense_bias: np.ndarray  # (1,)


def glorot_uniform(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(F32)


def orthogonal(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Keras ``Orthogonal(gain=1)``: rows or columns orthonormal, whichever are fewer."""
    rows, cols = shape
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return q.reshape(shape).astype(F32)


def lstm_bias(units: int) -> np.ndarray:
    bias = np.zeros(4 * units, dtype=F32)
    bias[units : 2 * units] = 1.0  # unit_forget_bias
    return bias


def keras_weights(vocab: int, emb: int, units: int, layers: int, init_seed: int) -> Weights:
    """Weights of Embedding(vocab, emb) -> LSTM(units) x layers -> Dense(1)."""

    def rng(*stream: int) -> np.random.Generator:
        return np.random.default_rng([init_seed, *stream])

    embedding = rng(0).uniform(-0.05, 0.05, size=(vocab, emb)).astype(F32)
    stack = []
    for n in range(layers):
        in_dim = emb if n == 0 else units
        stack.append(
            LayerWeights(
                kernel=glorot_uniform(rng(1, n, 0), (in_dim, 4 * units)),
                recurrent_kernel=orthogonal(rng(1, n, 1), (units, 4 * units)),
                bias=lstm_bias(units),
            )
        )
    return Weights(
        embedding=embedding,
        layers=tuple(stack),
        dense_kernel=glorot_uniform(rng(2), (units, 1)),
        dense_bias=np.zeros(1, dtype=F32),
    )
