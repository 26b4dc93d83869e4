"""Monte Carlo dropout: the N draws as one batch equal N single runs with the same masks."""

from __future__ import annotations

import numpy as np
import pytest

from app.documents.run import state_kernels, state_weights
from app.engine import mc
from app.link.state import parse


@pytest.mark.parametrize(
    "query",
    [
        "seed=3",
        "preset=tfkeras2-fit&layers=2&seed=9",
        "preset=pytorch&recurrent_dropout=0&layers=3&dropout=0.4&emb_mode=word",
        "preset=custom&zoneout_c=0.2&candidate_dropout=0.3&in_time=step&rec_share=gate&out_dropout=0.3",
        "preset=awd&recurrent_dropout=0&weight_drop=0.4",  # runs one by one: one weight mask per pass
        "phase=infer",
    ],
)
def test_batched_draws_equal_single_runs(query):
    s = parse(query)
    seq, w, k, spec = s.sequence(), state_weights(s), state_kernels(s), s.run_spec()
    got = mc.monte_carlo(seq, w, k, spec, 7)
    want = mc._one_by_one(seq, w, k, spec, mc.draw_seeds(s.seed, 7))
    assert got.seeds == want.seeds == tuple(range(s.seed, s.seed + 7))
    np.testing.assert_allclose(got.probability, want.probability, atol=1e-6)
    for a, b in zip(got.layers, want.layers, strict=True):
        np.testing.assert_allclose(a.h.mean, b.h.mean, atol=1e-6)
        np.testing.assert_allclose(a.h.std, b.h.std, atol=1e-6)
        for ga, gb in zip(a.gates, b.gates, strict=True):
            np.testing.assert_allclose(ga.mean, gb.mean, atol=1e-6)
            np.testing.assert_allclose(ga.std, gb.std, atol=1e-6)
    if s.phase == "infer":
        assert np.ptp(got.probability) == 0
    else:
        assert np.ptp(got.probability) > 0
