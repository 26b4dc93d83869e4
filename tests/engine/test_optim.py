"""The NumPy RMSprop and Adam against hand-computed steps and a reference written from the
equations in app/engine/optim.py (Keras 3's; tests/parity/test_optim_live.py runs Keras itself)."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import optim

SHAPES = [(6, 8), (5, 8), (8,), (5, 1)]


def ref_clip(grads, c):
    """g_k * s with s = c min(1/n, 1/c), n the global norm: written out, float64."""
    n = np.sqrt(sum(np.sum(g**2) for g in grads))
    s = c * min(1 / n, 1 / c)
    return [g * s for g in grads]


def ref_rmsprop(theta, g, v, lr=0.001, rho=0.9, eps=1e-7):
    v = rho * v + (1 - rho) * g**2
    theta = theta - lr * g / np.sqrt(v + eps)
    return theta, v


def ref_adam(theta, g, m, v, t, lr=0.001, beta_1=0.9, beta_2=0.999, eps=1e-7):
    alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    theta = theta - m * alpha / (np.sqrt(v) + eps)
    return theta, m, v


def random_problem(dtype=np.float64, steps=3, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    grads = [[(scale * rng.normal(size=s)).astype(dtype) for s in SHAPES] for _ in range(steps)]
    return params, grads


def test_rmsprop_keras_docstring_example():
    """Keras's RMSprop docstring: lr 0.1, var 10, loss var^2 / 2, one step gives 9.683772."""
    theta = np.array([10.0])
    optim.RMSprop(learning_rate=0.1).step([theta], [theta.copy()])
    assert theta[0] == pytest.approx(9.683772, abs=1e-6)
    assert theta[0] == pytest.approx(10 - 0.1 * 10 / np.sqrt(0.1 * 100 + 1e-7), rel=1e-15)


def test_adam_first_step_by_hand():
    """t = 1, g = 2: m = 0.2, v = 0.004, alpha = 0.001 sqrt(0.001) / 0.1."""
    theta = np.array([1.0])
    opt = optim.Adam()
    opt.step([theta], [np.array([2.0])])
    alpha = 0.001 * np.sqrt(0.001) / 0.1
    assert theta[0] == pytest.approx(1 - 0.2 * alpha / (np.sqrt(0.004) + 1e-7), rel=1e-15)
    assert opt.m[0][0] == pytest.approx(0.2, rel=1e-15)
    assert opt.v[0][0] == pytest.approx(0.004, rel=1e-15)
    assert opt.iterations == 1


@pytest.mark.parametrize("clip", [None, 0.5, 1e6])
def test_rmsprop_matches_reference(clip):
    params, grads = random_problem()
    ref = [p.copy() for p in params]
    v = [np.zeros_like(p) for p in params]
    opt = optim.RMSprop(learning_rate=0.01, rho=0.8, epsilon=1e-6, global_clipnorm=clip)
    for gs in grads:
        opt.step(params, gs)
        gs = gs if clip is None else ref_clip(gs, clip)
        for k, g in enumerate(gs):
            ref[k], v[k] = ref_rmsprop(ref[k], g, v[k], lr=0.01, rho=0.8, eps=1e-6)
            np.testing.assert_allclose(params[k], ref[k], rtol=1e-14, atol=1e-15)
            np.testing.assert_allclose(opt.v[k], v[k], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("clip", [None, 0.5, 1e6])
def test_adam_matches_reference(clip):
    params, grads = random_problem(steps=4)
    ref = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    opt = optim.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6, global_clipnorm=clip)
    for t, gs in enumerate(grads, start=1):
        opt.step(params, gs)
        gs = gs if clip is None else ref_clip(gs, clip)
        for k, g in enumerate(gs):
            ref[k], m[k], v[k] = ref_adam(ref[k], g, m[k], v[k], t, lr=0.01, beta_1=0.8, beta_2=0.99, eps=1e-6)
            np.testing.assert_allclose(params[k], ref[k], rtol=1e-14, atol=1e-15)
            np.testing.assert_allclose(opt.m[k], m[k], rtol=1e-14, atol=1e-15)
            np.testing.assert_allclose(opt.v[k], v[k], rtol=1e-14, atol=1e-15)
    assert opt.iterations == len(grads)


def test_clip_above_threshold_scales_to_the_norm():
    _, (grads,) = random_problem(steps=1)
    clipped = optim.clip_by_global_norm(grads, 0.5)
    assert optim.global_norm(grads) > 0.5
    assert optim.global_norm(clipped) == pytest.approx(0.5, rel=1e-14)
    s = 0.5 / optim.global_norm(grads)
    for g, c in zip(grads, clipped, strict=True):
        np.testing.assert_allclose(c, g * s, rtol=1e-14)


def test_clip_below_threshold_keeps_the_gradients():
    _, (grads,) = random_problem(steps=1)
    before = [g.copy() for g in grads]
    clipped = optim.clip_by_global_norm(grads, 1e3)
    for g, c, b in zip(grads, clipped, before, strict=True):
        assert c is not g  # a new array; the caller's gradient is left alone
        np.testing.assert_array_equal(g, b)
        np.testing.assert_allclose(c, g, rtol=1e-15, atol=0)


def test_clip_of_zero_and_non_finite_norms_as_keras():
    """n = 0: scale 1 (1/0 = inf), no warning; n = inf: scale NaN, the step writes NaN."""
    zeros = [np.zeros(3, np.float32)]
    np.testing.assert_array_equal(optim.clip_by_global_norm(zeros, 1.0)[0], zeros[0])
    (nan,) = optim.clip_by_global_norm([np.array([np.inf, 1.0])], 1.0)
    assert np.isnan(nan).all()


def test_float32_stays_float32():
    params, grads = random_problem(np.float32)
    for name in optim.OPTIMIZERS:
        ps = [p.copy() for p in params]
        opt = optim.make(name, learning_rate=0.01, global_clipnorm=1.0)
        for gs in grads:
            opt.step(ps, gs)
        slots = opt.v + (opt.m if name == "adam" else [])
        assert all(a.dtype == np.float32 for a in ps + slots)
        # Same numbers as float64, to float32 precision.
        ps64 = [p.astype(np.float64) for p in params]
        opt64 = optim.make(name, learning_rate=0.01, global_clipnorm=1.0)
        for gs in grads:
            opt64.step(ps64, [g.astype(np.float64) for g in gs])
        for p, p64 in zip(ps, ps64, strict=True):
            np.testing.assert_allclose(p, p64, rtol=1e-5, atol=1e-6)


def test_adam_alpha_in_the_params_dtype():
    assert optim.Adam().alpha(np.float32).dtype == np.float32
    assert optim.Adam().alpha(np.float64).dtype == np.float64


@pytest.mark.parametrize("name", optim.OPTIMIZERS)
def test_params_updated_in_place_and_grads_untouched(name):
    params, (grads,) = random_problem(steps=1)
    before = [p.copy() for p in params]
    grads_before = [g.copy() for g in grads]
    ids = [id(p) for p in params]
    opt = optim.make(name, global_clipnorm=0.5)
    assert opt.v == []  # slots are made on the first step
    opt.step(params, grads)
    assert [id(p) for p in params] == ids
    assert all(not np.array_equal(p, b) for p, b in zip(params, before, strict=True))
    for g, b in zip(grads, grads_before, strict=True):
        np.testing.assert_array_equal(g, b)
    assert [s.shape for s in opt.v] == [p.shape for p in params]


@pytest.mark.parametrize("name", optim.OPTIMIZERS)
def test_converges_on_a_quadratic(name):
    """f = sum a (theta - c)^2 / 2; with a constant step both end within lr of the minimum."""
    rng = np.random.default_rng(1)
    c, a = rng.normal(size=20), rng.uniform(0.5, 2.0, size=20)
    theta = np.zeros(20)

    def loss():
        return 0.5 * np.sum(a * (theta - c) ** 2)

    start = loss()
    opt = optim.make(name, learning_rate=0.01)
    for _ in range(1000):
        opt.step([theta], [a * (theta - c)])  # df/dtheta
    assert np.abs(theta - c).max() < 0.01
    assert loss() < 1e-4 * start


def test_make_defaults_are_keras3s():
    r, a = optim.make("rmsprop"), optim.make("adam")
    assert (r.learning_rate, r.rho, r.epsilon, r.global_clipnorm) == (0.001, 0.9, 1e-7, None)
    assert (a.learning_rate, a.beta_1, a.beta_2, a.epsilon, a.global_clipnorm) == (0.001, 0.9, 0.999, 1e-7, None)
    assert optim.make("adam", learning_rate=0.01, global_clipnorm=2.0).learning_rate == 0.01
    assert optim.OPTIMIZERS == ("rmsprop", "adam")


@pytest.mark.parametrize("name", ["sgd", "Adam", ""])
def test_bad_name_names_the_allowed_ones(name):
    with pytest.raises(ValueError, match="allowed: rmsprop, adam"):
        optim.make(name)


@pytest.mark.parametrize("clip", [0.0, -1.0])
def test_non_positive_clipnorm_refused(clip):
    with pytest.raises(ValueError, match="global_clipnorm"):
        optim.make("adam", global_clipnorm=clip)


def test_mismatched_grads_refused():
    p = np.zeros(3, np.float32)
    opt = optim.RMSprop()
    with pytest.raises(ValueError, match="one gradient per parameter"):
        opt.step([p], [])
    with pytest.raises(ValueError, match="gradient 0"):
        opt.step([p], [np.zeros(3)])  # float64 gradient for a float32 parameter: no silent cast
    with pytest.raises(ValueError, match="gradient 0"):
        opt.step([p], [np.zeros(4, np.float32)])
    with pytest.raises(TypeError, match="floating NumPy array"):
        opt.step([[0.0, 0.0, 0.0]], [np.zeros(3)])
    opt.step([p], [np.ones(3, np.float32)])
    with pytest.raises(ValueError, match="changed shape or dtype"):
        opt.step([np.zeros(4, np.float32)], [np.ones(4, np.float32)])
