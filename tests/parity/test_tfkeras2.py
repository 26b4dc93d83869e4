"""Live parity with tf.keras 2 (TF 2.15.1), run in its own environment (.venv-tf).

What the tfkeras2 preset teaches, checked against TF itself: with recurrent_dropout = 0 the
layer asks for ONE mask over the whole (batch, time, features) input, a fresh one at every
step, and our engine then gives TF's numbers; with recurrent_dropout > 0 implementation 1 asks
for four masks of (batch, features) for x and four for h, and again our numbers are TF's.
"""

from __future__ import annotations

import numpy as np
import pytest

from app import trace as app_trace
from app.state import parse
from tests.parity.tf import TF_PYTHON, run_tf

pytestmark = pytest.mark.parity


@pytest.fixture(scope="module")
def tf_env():
    if not TF_PYTHON.exists():
        pytest.skip(f"no TF environment at {TF_PYTHON} (.ci/run makes it: tensorflow-cpu==2.15.1)")


def test_default_path_masks_every_step(tf_env):
    s = parse("preset=tfkeras2&recurrent_dropout=0&dropout=0.4&emb=8&units=6&seed=4&len=20")
    out = run_tf(s)
    tr = app_trace.run(s)
    assert str(out["tf_version"]).startswith("2.15")
    assert out["requests"].tolist() == [[3, 1, 20, 8]]  # one (batch, time, features) mask
    np.testing.assert_allclose(tr.layers[0].h, out["h"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(tr.layers[0].c[-1], out["c_last"], atol=1e-5, rtol=0)


def test_recurrent_dropout_takes_implementation_1_with_four_masks(tf_env):
    s = parse("preset=tfkeras2&dropout=0.3&recurrent_dropout=0.5&emb=8&units=6&seed=5")
    out = run_tf(s)
    tr = app_trace.run(s)
    assert int(out["implementation"]) == 1
    requests = {tuple(r) for r in out["requests"].tolist()}
    assert requests == {(2, 1, 8), (2, 1, 6)}  # per (batch, features): the same at every step
    np.testing.assert_allclose(tr.layers[0].h, out["h"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(tr.layers[0].c[-1], out["c_last"], atol=1e-5, rtol=0)


def test_seed_size(tf_env):
    s = parse("preset=tfkeras2&recurrent_dropout=0&len=200&seed=9")
    out = run_tf(s)
    np.testing.assert_allclose(app_trace.run(s).layers[0].h, out["h"], atol=1e-5, rtol=0)
