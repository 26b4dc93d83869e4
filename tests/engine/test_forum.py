"""Preset forum: the popular forum answer's picture, computed (a hypothetical scheme).

LSTM(dropout=d) as the answer describes it: no mask on x(t); each gate activation i, f, g, o
multiplied by its own Dropout(d/2) mask, fresh at every step, per gate and unit, scaled by
1/(1 - d/2); recurrent_dropout exactly as Keras 3.8+; nothing at inference. Checked here:

- the forward pass against the equations written out by hand in float64 NumPy on a tiny case;
- the masks: shape (T, 4, H), rate d/2, fresh at every step, independent between gates;
- the recurrent masks are keras3's, bit for bit; no mask on x(t);
- inference applies nothing; a new RNG stream leaves every other mask's bytes alone.
The gradient check is tests/engine/test_batch.py (schemes "forum ...").
"""

from __future__ import annotations

import numpy as np
import pytest

from app.documents import run as app_run
from app.engine import dropout as dp
from app.engine import model
from app.engine.init import keras_weights
from app.engine.semantics import PRESETS, Rates, resolve
from app.link.state import parse

TINY = "weights=random&vocab=8&emb=3&units=2&tokens=1,2,3,4&emb_dropout=0&preset=forum"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def by_hand(x, kernel, recurrent_kernel, bias, q, r):
    """The forum cell written out: z = x W + (h r^k) U^k + b; k' = k q^k; c = f' c + i' g'; h = o' tanh(c).
    q (T, 4, H) and r (4, H) are multipliers (keep * scale); float64."""
    x, W, U, b = (np.asarray(a, dtype=np.float64) for a in (x, kernel, recurrent_kernel, bias))
    steps, units = x.shape[0], U.shape[0]
    h, c = np.zeros(units), np.zeros(units)
    gates, cs, hs = [], [], []
    for t in range(steps):
        cols = [slice(k * units, (k + 1) * units) for k in range(4)]
        z = [x[t] @ W[:, cols[k]] + (h * r[k]) @ U[:, cols[k]] + b[cols[k]] for k in range(4)]
        i, f, g, o = sigmoid(z[0]), sigmoid(z[1]), np.tanh(z[2]), sigmoid(z[3])
        gates.append([i, f, g, o])
        i2, f2, g2, o2 = i * q[t, 0], f * q[t, 1], g * q[t, 2], o * q[t, 3]
        c = f2 * c + i2 * g2
        h = o2 * np.tanh(c)
        cs.append(c)
        hs.append(h)
    return np.array(gates), np.array(cs), np.array(hs)


@pytest.mark.parametrize("rd", [0.0, 0.4])
def test_forward_is_the_equations_by_hand(rd):
    s = parse(f"{TINY}&dropout=0.5&recurrent_dropout={rd}&seed=5")
    tr = app_run.run(s)
    w = app_run.state_weights(s)
    lt = tr.layers[0]
    go = lt.masks["gate_output"]
    assert go.keep.shape == (4, 4, 2) and go.scale == np.float32(1 / 0.75)
    q = go.keep.astype(np.float64) * go.scale
    rec = lt.masks["recurrent"]
    r = np.broadcast_to(rec.keep.astype(np.float64) * rec.scale, (1, 4, 2))[0]
    assert (go.keep == 0).any(), "a draw that drops something (else this test shows nothing)"
    gates, c, h = by_hand(lt.x, w.layers[0].kernel, w.layers[0].recurrent_kernel, w.layers[0].bias, q, r)
    np.testing.assert_allclose(lt.gates, gates, atol=2e-6)  # recorded: the activations before their masks
    np.testing.assert_allclose(lt.c, c, atol=2e-6)
    np.testing.assert_allclose(lt.h, h, atol=2e-6)
    assert not np.allclose(lt.h, by_hand(lt.x, w.layers[0].kernel, w.layers[0].recurrent_kernel,
                                          w.layers[0].bias, np.ones_like(q), r)[2], atol=1e-4)  # fmt: skip
    assert lt.masks["input"].keep.all()  # x(t) is not masked
    assert lt.masks["input"].scale == 1.0


def test_the_masks_are_fresh_per_step_independent_per_gate_at_half_the_rate():
    w = keras_weights(10, 8, 64, 1, 0)
    tokens = np.arange(300, dtype=np.int64) % 10
    plan = resolve("forum", Rates(dropout=0.5), 1)
    assert plan.layers[0].input is None and plan.layers[0].recurrent is None
    assert plan.layers[0].gate_output == dp.MaskSpec(0.25, per_gate=True, per_step=True)
    tr = model.run(tokens, w, model.RunSpec(plan, seed=2))
    go = tr.layers[0].masks["gate_output"]
    keep = go.keep.astype(np.float64)  # (T, 4, H)
    assert keep.shape == (300, 4, 64)
    assert go.scale == pytest.approx(1 / 0.75, rel=1e-6)
    assert abs(1 - keep.mean() - 0.25) < 0.01  # rate d/2 (sd of the mean: 0.0016)
    for k in range(4):
        assert abs(1 - keep[:, k].mean() - 0.25) < 0.02
    # fresh at every step: consecutive steps differ, and agree no more than chance (0.75^2 + 0.25^2)
    same = (keep[1:] == keep[:-1]).mean()
    assert abs(same - 0.625) < 0.015
    # independent between gates: P(both dropped) = 0.25^2 for each pair
    for a in range(4):
        for b in range(a + 1, 4):
            both = ((1 - keep[:, a]) * (1 - keep[:, b])).mean()
            assert abs(both - 0.0625) < 0.01, (a, b, both)
    # and the other rates: dropout=0.3 -> 0.15
    other = model.run(tokens, w, model.RunSpec(resolve("forum", Rates(dropout=0.3), 1), seed=2))
    assert other.layers[0].masks["gate_output"].scale == np.float32(1) / np.float32(0.85)


def test_recurrent_dropout_is_keras3s_bit_for_bit():
    forum = app_run.run(parse("preset=forum&dropout=0.5&recurrent_dropout=0.5&seed=9&layers=2"))
    keras3 = app_run.run(parse("preset=keras3&dropout=0.5&recurrent_dropout=0.5&seed=9&layers=2"))
    for a, b in zip(forum.layers, keras3.layers, strict=True):
        assert a.masks["recurrent"].keep.shape == (1, 4, 100)  # four masks, once per sequence
        np.testing.assert_array_equal(a.masks["recurrent"].keep, b.masks["recurrent"].keep)
        assert a.masks["recurrent"].scale == b.masks["recurrent"].scale
    np.testing.assert_array_equal(forum.embedding_mask.keep, keras3.embedding_mask.keep)


def test_inference_applies_nothing():
    infer = app_run.run(parse("preset=forum&dropout=0.5&recurrent_dropout=0.5&phase=infer"))
    plain = app_run.run(parse("preset=forum&dropout=0&recurrent_dropout=0&emb_dropout=0&phase=train"))
    go = infer.layers[0].masks["gate_output"]
    assert go.keep.all() and go.scale == 1.0
    np.testing.assert_array_equal(infer.layers[0].h, plain.layers[0].h)
    assert infer.probability == plain.probability
    assert "gate_output" not in plain.layers[0].masks  # rate 0: no such mask at all


def test_a_new_stream_leaves_every_other_mask_alone():
    assert list(dp.STREAMS.items())[:9] == [
        ("embedding", 0), ("input", 1), ("recurrent", 2), ("candidate", 3), ("zoneout_c", 4),
        ("zoneout_h", 5), ("weight_drop", 6), ("between", 7), ("output", 8),
    ]  # fmt: skip
    assert dp.STREAMS["gate_output"] == 9
    assert len(set(dp.STREAMS.values())) == len(dp.STREAMS)
    assert "forum" in PRESETS and PRESETS["forum"].knobs == {"dropout", "recurrent_dropout"}
    for name in PRESETS:  # only forum draws on the gate outputs
        plan = resolve(name, Rates(*(0.5,) * 6), 2)
        assert (plan.layers[0].gate_output is not None) == (name == "forum"), name


def test_each_example_of_a_batch_draws_its_own_gate_masks():
    from app.engine import batch

    s = parse("preset=forum&emb=6&units=5&weights=random")
    w = app_run.state_weights(s)
    tokens = np.random.default_rng(0).integers(0, 64, size=(3, 7))
    masks = batch.draw_masks(np.random.default_rng(1), app_run.spec_of(s), tokens, w)
    q = masks.layers[0].gate_output
    assert q.shape == (7, 4, 3, 5)  # (T, 4, B, H)
    assert len({q[:, :, b].tobytes() for b in range(3)}) == 3  # each example its own (T, 4, H)
    assert masks.layers[0].input is None
    infer = batch.draw_masks(
        None, app_run.spec_of(parse("preset=forum&phase=infer&emb=6&units=5&weights=random")), tokens, w
    )
    assert infer.layers[0].gate_output is None
