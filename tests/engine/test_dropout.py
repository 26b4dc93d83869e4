"""Statistics of the masks: kept fraction 1 - rate within a binomial bound, the scaled mean
preserved, nested draws, determinism from the seed alone, and one sampler for the batch."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.engine import batch
from app.engine import dropout as dp
from app.engine.init import keras_weights
from app.engine.model import RunSpec
from app.engine.semantics import Rates, resolve

Z = 5.0  # standard deviations: a false alarm about once in 3.5 million runs


def within_binomial(kept: int, n: int, p: float) -> bool:
    return abs(kept - n * p) <= Z * np.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("spec", [dp.MaskSpec(0, False, False), dp.MaskSpec(0, True, True)])
def test_kept_fraction_and_scaled_mean(rate, spec):
    spec = dp.MaskSpec(rate, spec.per_gate, spec.per_step)
    masks = [dp.gate_mask(dp.stream(seed, "input"), spec, 20, 16) for seed in range(300)]
    keep = np.stack([m.keep for m in masks])
    assert within_binomial(int(keep.sum()), keep.size, 1 - rate)
    mean = np.mean([m.multiplier.mean() for m in masks])
    sd = np.sqrt(rate / (1 - rate) / keep.size)  # sd of the mean multiplier
    assert abs(mean - 1.0) <= Z * sd


@pytest.mark.parametrize("mode", ["standard", "spatial", "word"])
def test_embedding_kept_fraction(mode):
    tokens = np.arange(2, 40)
    kept = n = 0
    for seed in range(300):
        m = dp.embedding_mask(dp.stream(seed, "embedding"), mode, 0.3, tokens, 8, 64)
        first = {"standard": m.keep, "spatial": m.keep[:1], "word": m.keep[:, :1]}[mode]
        kept, n = kept + int(first.sum()), n + first.size
    assert within_binomial(kept, n, 0.7)


def test_zoneout_and_weight_masks_fraction():
    z = np.stack([dp.zoneout_mask(dp.stream(s, "zoneout_c"), 0.2, 30, 10).keep for s in range(200)])
    assert within_binomial(int(z.sum()), z.size, 0.8)
    w = np.stack([dp.weight_mask(dp.stream(s, "weight_drop"), 0.6, (10, 40)).keep for s in range(50)])
    assert within_binomial(int(w.sum()), w.size, 0.4)


def test_inverted_scale_is_float32_reciprocal():
    assert dp.inverted_scale(0.5) == 2.0
    assert dp.inverted_scale(0.25) == pytest.approx(4 / 3, rel=1e-7)
    assert np.float32(dp.inverted_scale(0.3)) == np.float32(1) / np.float32(0.7)


def test_same_seed_same_mask_other_seed_other_mask():
    spec = dp.MaskSpec(0.5, True, True)
    a = dp.gate_mask(dp.stream(1, "input"), spec, 10, 8).keep
    b = dp.gate_mask(dp.stream(1, "input"), spec, 10, 8).keep
    c = dp.gate_mask(dp.stream(2, "input"), spec, 10, 8).keep
    d = dp.gate_mask(dp.stream(1, "recurrent"), spec, 10, 8).keep
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c) and not np.array_equal(a, d)


def test_draws_are_nested():
    """Shared = gate i of per-gate, per-sequence = step 0 of per-step, and raising the rate
    only drops more: a slider changes as little as possible."""
    full = dp.gate_mask(dp.stream(4, "input"), dp.MaskSpec(0.5, True, True), 10, 8).keep
    shared = dp.gate_mask(dp.stream(4, "input"), dp.MaskSpec(0.5, False, False), 10, 8).keep
    np.testing.assert_array_equal(shared[0, 0], full[0, 0])
    low = dp.gate_mask(dp.stream(4, "input"), dp.MaskSpec(0.3, True, True), 10, 8).keep
    assert (full <= low).all() and (full < low).any()


def test_inference_masks_keep_everything():
    assert (dp.gate_mask(None, dp.MaskSpec(0.5, True, True), 5, 3).keep == 1).all()
    assert dp.embedding_mask(None, "word", 0.5, np.arange(5), 4, 64).scale == 1.0


@pytest.mark.parametrize("mode", ["standard", "spatial", "word"])
@pytest.mark.parametrize("choices", [("gate", "step", "shared", "seq"), ("shared", "seq", "gate", "step")])
def test_batch_of_one_draws_what_the_sampler_draws(mode, choices):
    """``batch.draw_masks`` for B = 1 is the samplers of this module called on one sequence, in
    the batch's fixed order (embedding; per layer input, recurrent, candidate, zoneout c and h,
    weight, between; output) from one generator: the batch axis changes no bit."""
    plan = resolve("custom", Rates(0.3, 0.4, 0.25, 0.2, 0.15, 0.5, *choices), 2)
    plan = replace(plan, layers=(replace(plan.layers[0], between=0.35),) * 2)  # every mask there is
    spec = RunSpec(plan, emb_rate=0.3, emb_mode=mode, out_rate=0.45, seed=0)
    w = keras_weights(30, 5, 4, 2, 1)
    tokens = np.array([[3, 7, 3, 9, 12, 7]])
    got = batch.draw_masks(np.random.default_rng(8), spec, tokens, w)

    rng, (steps, (vocab, emb), units) = np.random.default_rng(8), (6, w.embedding.shape, 4)
    want = dp.embedding_mask(rng, mode, 0.3, tokens[0], emb, vocab)
    assert got.embedding[:, 0].shape == want.keep.shape
    np.testing.assert_array_equal(got.embedding[:, 0], want.multiplier)
    for n, (lp, cell) in enumerate(zip(plan.layers, got.layers, strict=True)):
        n_in = emb if n == 0 else units
        pairs = [
            (cell.input[:, :, 0], dp.gate_mask(rng, lp.input, steps, n_in)),
            (cell.recurrent[:, :, 0], dp.gate_mask(rng, lp.recurrent, steps, units)),
            (cell.candidate[:, 0], dp.step_mask(rng, lp.candidate.rate, steps, units)),
            (cell.zoneout_c[:, 0], dp.zoneout_mask(rng, lp.zoneout_c, steps, units)),
            (cell.zoneout_h[:, 0], dp.zoneout_mask(rng, lp.zoneout_h, steps, units)),
            (cell.weight, dp.weight_mask(rng, lp.weight_drop, (units, 4 * units))),
        ]
        if n == 0:  # PyTorch's between-layer dropout: not after the last layer
            pairs.append((got.between[n][:, 0], dp.step_mask(rng, lp.between, steps, units)))
        for a, b in pairs:
            assert a.shape == b.keep.shape
            np.testing.assert_array_equal(a, b.multiplier)
    assert got.between[1] is None
    np.testing.assert_array_equal(got.output[0], dp.output_mask(rng, 0.45, units).multiplier)
