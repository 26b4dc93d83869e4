"""Keras default initialisation: bounds, orthogonality, unit forget bias, determinism."""

from __future__ import annotations

import numpy as np

from app.engine.init import keras_weights


def test_shapes_and_dtypes():
    w = keras_weights(64, 64, 100, 2, 0)
    assert w.embedding.shape == (64, 64)
    assert w.layers[0].kernel.shape == (64, 400) and w.layers[1].kernel.shape == (100, 400)
    assert w.layers[0].recurrent_kernel.shape == (100, 400) and w.layers[0].bias.shape == (400,)
    assert w.dense_kernel.shape == (100, 1) and w.dense_bias.shape == (1,)
    assert all(a.dtype == np.float32 for a in (w.embedding, w.layers[0].kernel, w.dense_kernel))


def test_keras_bounds_and_forget_bias():
    w = keras_weights(64, 64, 100, 1, 3)
    assert np.abs(w.embedding).max() <= 0.05
    limit = np.sqrt(6 / (64 + 400))
    k = w.layers[0].kernel
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.9 * limit
    b = w.layers[0].bias
    np.testing.assert_array_equal(b[100:200], 1.0)
    assert not b[:100].any() and not b[200:].any()
    assert not w.dense_bias.any()


def test_recurrent_kernel_rows_are_orthonormal():
    u = keras_weights(8, 8, 30, 1, 5).layers[0].recurrent_kernel.astype(np.float64)  # (H, 4H)
    np.testing.assert_allclose(u @ u.T, np.eye(30), atol=1e-5)


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = (keras_weights(64, 16, 8, 1, s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.layers[0].kernel, b.layers[0].kernel)
    assert not np.array_equal(a.layers[0].kernel, c.layers[0].kernel)


def test_layers_added_do_not_change_the_first():
    a, b = keras_weights(64, 16, 8, 1, 4), keras_weights(64, 16, 8, 3, 4)
    np.testing.assert_array_equal(a.layers[0].recurrent_kernel, b.layers[0].recurrent_kernel)
    np.testing.assert_array_equal(a.embedding, b.embedding)
