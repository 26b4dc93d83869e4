"""The whole model around the LSTM: the output dropout before Dense."""

from __future__ import annotations

import numpy as np
import pytest

from app.documents import run as app_run
from app.link.state import parse

Q = "emb=8&units=12&seed=4&weights=random"


def test_output_dropout_masks_the_last_h_before_dense():
    s = parse(f"{Q}&out_dropout=0.4")
    tr, w = app_run.run(s), app_run.state_weights(s)
    mask = tr.output_mask
    assert mask.keep.shape == (12,) and 0 < mask.keep.sum() < 12
    assert mask.scale == pytest.approx(1 / 0.6)
    h = tr.layers[-1].h[-1]
    logit = (h * mask.keep.astype(np.float32) * np.float32(mask.scale)) @ w.dense_kernel[:, 0] + w.dense_bias[0]
    assert tr.logit == pytest.approx(float(logit), abs=1e-6)
    plain = app_run.run(parse(Q))
    np.testing.assert_array_equal(plain.layers[-1].h, tr.layers[-1].h)  # nothing else moves
    for name, m in plain.layers[0].masks.items():
        np.testing.assert_array_equal(m.keep, tr.layers[0].masks[name].keep)
    assert tr.logit != plain.logit


def test_output_dropout_off_at_inference_and_at_rate_0():
    for q in (f"{Q}&out_dropout=0.4&phase=infer", Q):
        tr = app_run.run(parse(q))
        assert tr.output_mask.keep.all() and tr.output_mask.scale == 1.0


def test_output_mask_is_nested_across_rates():
    low = app_run.run(parse(f"{Q}&out_dropout=0.2")).output_mask.keep
    high = app_run.run(parse(f"{Q}&out_dropout=0.6")).output_mask.keep
    assert (high <= low).all()  # what is dropped at 0.2 is dropped at 0.6
