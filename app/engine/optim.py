"""Keras 3's RMSprop and Adam in NumPy, with Keras's optional global-norm clipping.

Scope: non-centered RMSprop without momentum, Adam without amsgrad; no weight decay, no
per-tensor clipnorm or clipvalue, no EMA, no loss scaling, no gradient accumulation, and a
constant learning rate. Defaults are Keras 3's.

Notation: theta a parameter, g its gradient (after clipping), eta the learning rate, eps
epsilon, t = iterations + 1 (Keras's ``local_step``), c = global_clipnorm. Every array and
scalar is in the parameter's dtype; slots m, v start at zero with the parameter's shape and
dtype, and ``iterations`` is incremented after the update.

Global-norm clipping (keras/src/optimizers/base_optimizer.py: ``global_norm``,
``clip_by_global_norm``; applied by ``_clip_gradients`` before the update)::

    n = sqrt(sum_k sum(g_k ** 2))           # one sum of squares per tensor, then their sum
    s = c * min(1 / n, 1 / c) + (n - n)
    g_k <- g_k * s                          # for every k

Every gradient is scaled, also when n <= c: then s = c * (1 / c), which is 1 up to rounding.
n = 0 gives 1 / n = inf and s = 1; a non-finite n gives s = NaN, so the step writes NaN
everywhere, as Keras does. Keras skips clipping for ``global_clipnorm`` None or <= 0; we
accept None and refuse <= 0.

RMSprop (keras/src/optimizers/rmsprop.py, ``update_step`` with centered=False,
momentum=0)::

    v     <- rho * v + (1 - rho) * g ** 2
    theta <- theta - (eta * g) / sqrt(v + eps)       # eps inside the sqrt

Adam (keras/src/optimizers/adam.py, ``update_step`` with amsgrad=False)::

    alpha = eta * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    m     <- beta_1 * m + (1 - beta_1) * g
    v     <- beta_2 * v + (1 - beta_2) * g ** 2
    theta <- theta - (m * alpha) / (sqrt(v) + eps)   # eps outside the sqrt

adam.py writes the moment updates as ``m <- m + (g - m) * (1 - beta_1)``; the torch backend
(keras/src/backend/torch/optimizers/torch_adam.py, torch_rmsprop.py), which is what runs with
KERAS_BACKEND=torch, writes them as above, and so do we: same maths, last-bit differences.
Keras keeps the learning rate in a float32 variable, so in float64 it steps with float32(eta);
we use eta as given. In float32 we agree with Keras on torch to about an ulp per step (torch's
CPU float32 sqrt is not always correctly rounded; NumPy's is).

Speed: each step updates slots and parameters in place with two scratch arrays per tensor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

OPTIMIZERS = ("rmsprop", "adam")


def global_norm(grads: list[np.ndarray]) -> np.floating:
    """n = sqrt(sum_k sum(g_k ** 2)), in the gradients' dtype."""
    squares = np.array([np.vdot(g, g) for g in grads], dtype=grads[0].dtype)  # (K,)
    return np.sqrt(squares.sum())


def clip_by_global_norm(grads: list[np.ndarray], clip_norm: float) -> list[np.ndarray]:
    """New arrays g_k * s with s = c * min(1 / n, 1 / c) + (n - n), exactly as Keras."""
    dt = grads[0].dtype.type
    n = global_norm(grads)
    with np.errstate(divide="ignore", invalid="ignore"):  # n = 0: 1 / n = inf, s = 1; n = inf: s = NaN
        s = dt(clip_norm) * np.minimum(dt(1) / n, dt(1.0 / clip_norm)) + (n - n)
    return [g * s for g in grads]


def _checked(params: list[np.ndarray], grads: list[np.ndarray], global_clipnorm: float | None) -> list[np.ndarray]:
    """The gradients to step with: checked against the params, clipped if asked."""
    if len(params) != len(grads) or not params:
        raise ValueError(f"need one gradient per parameter, got {len(grads)} for {len(params)}")
    for k, (p, g) in enumerate(zip(params, grads, strict=True)):
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise TypeError(f"parameter {k} must be a floating NumPy array (it is updated in place)")
        if g.shape != p.shape or g.dtype != p.dtype:
            raise ValueError(f"gradient {k} is {g.dtype}{g.shape}, its parameter {p.dtype}{p.shape}")
    return grads if global_clipnorm is None else clip_by_global_norm(grads, global_clipnorm)


def _slots(slots: list[np.ndarray], params: list[np.ndarray]) -> list[np.ndarray]:
    """Zeros like the params on the first step; afterwards the same slots, checked."""
    if not slots:
        return [np.zeros_like(p) for p in params]
    if [(s.shape, s.dtype) for s in slots] != [(p.shape, p.dtype) for p in params]:
        raise ValueError("params changed shape or dtype since the first step")
    return slots


def _check_clipnorm(global_clipnorm: float | None) -> None:
    if global_clipnorm is not None and not global_clipnorm > 0:
        raise ValueError(f"global_clipnorm must be > 0 or None, got {global_clipnorm}")


@dataclass(eq=False)
class RMSprop:
    """Keras 3 RMSprop, non-centered, no momentum. ``v`` holds Keras's velocities."""

    learning_rate: float = 0.001
    rho: float = 0.9
    epsilon: float = 1e-7
    global_clipnorm: float | None = None
    iterations: int = field(default=0, init=False)
    v: list[np.ndarray] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        _check_clipnorm(self.global_clipnorm)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One update of every parameter, in place."""
        grads = _checked(params, grads, self.global_clipnorm)
        self.v = _slots(self.v, params)
        for theta, g, v in zip(params, grads, self.v, strict=True):
            dt = theta.dtype.type
            a = np.square(g)
            a *= dt(1 - self.rho)
            v *= dt(self.rho)
            v += a  # v = rho v + (1 - rho) g^2
            np.add(v, dt(self.epsilon), out=a)
            np.sqrt(a, out=a)  # sqrt(v + eps)
            increment = np.multiply(g, dt(self.learning_rate))
            increment /= a
            theta -= increment
        self.iterations += 1


@dataclass(eq=False)
class Adam:
    """Keras 3 Adam, no amsgrad. ``m`` and ``v`` hold Keras's momentums and velocities."""

    learning_rate: float = 0.001
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7
    global_clipnorm: float | None = None
    iterations: int = field(default=0, init=False)
    m: list[np.ndarray] = field(default_factory=list, init=False, repr=False)
    v: list[np.ndarray] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        _check_clipnorm(self.global_clipnorm)

    def alpha(self, dtype: np.dtype) -> np.floating:
        """alpha = eta sqrt(1 - beta_2^t) / (1 - beta_1^t) at t = iterations + 1, in dtype."""
        dt = np.dtype(dtype).type
        t = dt(self.iterations + 1)
        return dt(self.learning_rate) * np.sqrt(dt(1) - dt(self.beta_2) ** t) / (dt(1) - dt(self.beta_1) ** t)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One update of every parameter, in place."""
        grads = _checked(params, grads, self.global_clipnorm)
        self.m = _slots(self.m, params)
        self.v = _slots(self.v, params)
        for theta, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            dt = theta.dtype.type
            a = np.multiply(g, dt(1 - self.beta_1))
            m *= dt(self.beta_1)
            m += a  # m = beta_1 m + (1 - beta_1) g
            np.square(g, out=a)
            a *= dt(1 - self.beta_2)
            v *= dt(self.beta_2)
            v += a  # v = beta_2 v + (1 - beta_2) g^2
            np.sqrt(v, out=a)
            a += dt(self.epsilon)  # sqrt(v) + eps
            increment = np.multiply(m, self.alpha(theta.dtype))
            increment /= a
            theta -= increment
        self.iterations += 1


def make(name: str, learning_rate: float | None = None, global_clipnorm: float | None = None) -> RMSprop | Adam:
    """The optimiser called name (one of OPTIMIZERS), with Keras's default learning rate unless given."""
    kinds = {"rmsprop": RMSprop, "adam": Adam}
    if name not in kinds:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}")
    if learning_rate is None:
        return kinds[name](global_clipnorm=global_clipnorm)
    return kinds[name](learning_rate=learning_rate, global_clipnorm=global_clipnorm)
