"""Live parity: app/engine/optim.py against Keras 3's own RMSprop and Adam (torch backend).

Same float32 initial values and the same seeded gradients on both sides; after every one of
five steps the parameters, and the optimiser slots, must agree. Required in CI, like
test_live.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import optim

pytestmark = pytest.mark.parity

SHAPES = [(64, 400), (100, 400), (400,), (100, 1)]
STEPS = 5
RTOL, ATOL = 1e-6, 1e-7
# 1.0 is far below the gradients' global norm (about 250), 1e3 above it: both clipping branches.
CASES = [(name, clip) for name in optim.OPTIMIZERS for clip in (None, 1.0, 1e3)]


def keras_optimizer(keras, name: str, learning_rate: float, clip: float | None):
    kinds = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}
    return kinds[name](learning_rate=learning_rate, global_clipnorm=clip)


def keras_slots(opt, name: str) -> dict[str, list[np.ndarray]]:
    """Keras's velocities (and Adam's momentums), in our slot names."""
    import keras

    slots = {"v": opt._velocities} | ({"m": opt._momentums} if name == "adam" else {})
    return {k: [keras.ops.convert_to_numpy(s) for s in vs] for k, vs in slots.items()}


@pytest.mark.parametrize(("name", "clip"), CASES)
def test_matches_keras_every_step(keras, name, clip):
    rng = np.random.default_rng(20261127)
    initial = [(0.1 * rng.normal(size=s)).astype(np.float32) for s in SHAPES]
    grads = [[rng.normal(size=s).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]

    params = [p.copy() for p in initial]
    ours = optim.make(name, learning_rate=0.01, global_clipnorm=clip)
    variables = [keras.Variable(p.copy(), dtype="float32") for p in initial]
    theirs = keras_optimizer(keras, name, 0.01, clip)

    for step, gs in enumerate(grads, start=1):
        ours.step(params, gs)
        theirs.apply_gradients(zip([keras.ops.convert_to_tensor(g.copy()) for g in gs], variables, strict=True))
        assert ours.iterations == int(keras.ops.convert_to_numpy(theirs.iterations)) == step
        for k, (p, var) in enumerate(zip(params, variables, strict=True)):
            assert p.dtype == np.float32
            np.testing.assert_allclose(
                p, keras.ops.convert_to_numpy(var), rtol=RTOL, atol=ATOL, err_msg=f"step {step}, param {k}"
            )
        for slot, values in keras_slots(theirs, name).items():
            for k, (s, ref) in enumerate(zip(getattr(ours, slot), values, strict=True)):
                np.testing.assert_allclose(s, ref, rtol=RTOL, atol=ATOL, err_msg=f"step {step}, {slot}[{k}]")
    moved = max(np.abs(p - p0).max() for p, p0 in zip(params, initial, strict=True))
    assert moved > 1e-3  # the comparison saw real updates


def test_defaults_match_keras(keras):
    r, kr = optim.RMSprop(), keras.optimizers.RMSprop()
    assert (r.learning_rate, r.rho, r.epsilon) == pytest.approx((float(kr.learning_rate), kr.rho, kr.epsilon))
    assert (kr.momentum, kr.centered, kr.global_clipnorm) == (0.0, False, None)
    a, ka = optim.Adam(), keras.optimizers.Adam()
    assert (a.learning_rate, a.beta_1, a.beta_2, a.epsilon) == pytest.approx(
        (float(ka.learning_rate), ka.beta_1, ka.beta_2, ka.epsilon)
    )
    assert (ka.amsgrad, ka.global_clipnorm) == (False, None)
