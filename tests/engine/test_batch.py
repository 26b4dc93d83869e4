"""The batched forward and backward pass (app/engine/batch.py, bptt.py).

- The batched forward of one sequence, with the masks ``model.run`` drew, equals ``model.run``.
- Central-difference gradient checks in float64 for every parameter, under every preset and
  scheme: spatial and word embedding dropout, 1 to 3 layers, zoneout, candidate, weight-drop,
  per-step and per-gate masks, PyTorch's between-layer dropout, output dropout, the forum
  answer's masks on the four gate outputs, inference.
- Masks drawn for a batch follow the plan: each example its own, shared / per gate, per
  sequence / per step, as the single-sequence engine draws them.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.documents import run as app_run
from app.engine import batch, bptt
from app.engine.init import keras_weights
from app.link.state import parse

SMALL = "weights=random&emb=5&units=4&text=not really good but great"

SCHEMES = {
    "keras3 four masks": "preset=keras3",
    "keras3 one input mask": "preset=keras3&recurrent_dropout=0",
    "keras3-legacy two layers": "preset=keras3-legacy&layers=2",
    "tfkeras2 per step": "preset=tfkeras2&recurrent_dropout=0",
    "tfkeras2 implementation 1": "preset=tfkeras2",
    "tfkeras2-fit per gate per step": "preset=tfkeras2-fit",
    "pytorch stacked": "preset=pytorch&recurrent_dropout=0&layers=3&dropout=0.4",
    "gal-untied spatial": "preset=gal-untied&emb_mode=spatial",
    "zaremba output dropout": "preset=zaremba&recurrent_dropout=0&out_dropout=0.5",
    "semeniuta candidate": "preset=semeniuta&recurrent_dropout=0&candidate_dropout=0.3",
    "awd words and weight-drop": "preset=awd&recurrent_dropout=0&weight_drop=0.5&emb_mode=word&layers=2",
    "custom zoneout": "preset=custom&zoneout_c=0.3&zoneout_h=0.2&dropout=0&recurrent_dropout=0",
    "custom per-step per-gate": "preset=custom&in_share=gate&in_time=step&rec_share=gate&rec_time=step&layers=2",
    "custom everything": "preset=custom&in_share=gate&rec_time=step&candidate_dropout=0.2&zoneout_c=0.1"
    "&zoneout_h=0.2&weight_drop=0.3&out_dropout=0.3&emb_mode=word",
    "inference with zoneout": "preset=custom&zoneout_c=0.3&zoneout_h=0.2&phase=infer",
    "forum gate outputs": "preset=forum",
    "forum two layers without recurrent dropout": "preset=forum&recurrent_dropout=0&layers=2&emb_mode=spatial",
    "forum at inference": "preset=forum&phase=infer",
}


def params(w) -> list[tuple[str, np.ndarray]]:
    out = [("embedding", w.embedding)]
    for n, lw in enumerate(w.layers):
        out += [(f"layers[{n}].kernel", lw.kernel), (f"layers[{n}].recurrent_kernel", lw.recurrent_kernel)]
        out += [(f"layers[{n}].bias", lw.bias)]
    return [*out, ("dense_kernel", w.dense_kernel), ("dense_bias", w.dense_bias)]


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_batched_forward_of_one_sequence_equals_model_run(name):
    s = parse(f"{SMALL}&{SCHEMES[name]}&seed=7")
    tr = app_run.run(s)
    spec = app_run.spec_of(s)
    logits, cache = batch.forward(app_run.state_weights(s), tr.tokens[None], batch.stack_masks([tr.draw], spec))
    assert logits.dtype == np.float32
    for lc, lt in zip(cache.layers, tr.layers, strict=True):
        np.testing.assert_allclose(lc.h[1:, 0], lt.h, rtol=0, atol=2e-7)
        np.testing.assert_allclose(lc.c[1:, 0], lt.c, rtol=0, atol=2e-7)
    assert logits[0] == pytest.approx(tr.logit, abs=1e-6)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_gradients_match_central_differences_in_float64(name):
    s = parse(f"{SMALL}&{SCHEMES[name]}")
    w = batch.cast(app_run.state_weights(s), np.float64)
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 64, size=(3, 6))
    labels = np.array([1.0, 0.0, 1.0])
    masks = batch.draw_masks(rng, app_run.spec_of(s), tokens, w, np.float64)
    loss, grads, _ = batch.loss_and_grads(w, tokens, labels, masks)
    assert np.isfinite(loss)
    eps = 1e-6
    for (pname, p), (_, g) in zip(params(w), params(grads), strict=True):
        assert g.shape == p.shape and g.dtype == np.float64, pname
        idx = rng.choice(p.size, size=min(p.size, 12), replace=False)
        if pname == "embedding":  # rows the batch used: the others have zero gradient
            used = np.unique(tokens)
            idx = np.concatenate([idx, used[:4] * p.shape[1]])
            assert not g[np.setdiff1d(np.arange(64), used)].any()
        numeric = []
        for i in idx:
            old = p.flat[i]
            p.flat[i] = old + eps
            up = batch.loss_and_grads(w, tokens, labels, masks)[0]
            p.flat[i] = old - eps
            down = batch.loss_and_grads(w, tokens, labels, masks)[0]
            p.flat[i] = old
            numeric.append((up - down) / (2 * eps))
        np.testing.assert_allclose(g.flat[idx], numeric, rtol=1e-5, atol=1e-9, err_msg=pname)


def test_dropped_inputs_get_exactly_zero_gradient():
    """Masks block the backward pass too: an embedding element dropped at every step of every
    example where its word occurs has zero gradient in the embedding matrix."""
    s = parse("weights=random&emb=6&units=5&preset=keras3&emb_mode=word&emb_dropout=0.5")
    w = keras_weights(64, 6, 5, 1, 0)
    rng = np.random.default_rng(3)
    tokens = rng.integers(2, 64, size=(1, 8))
    masks = batch.draw_masks(rng, app_run.spec_of(s), tokens, w)
    _, grads, _ = batch.loss_and_grads(w, tokens, np.array([1.0], np.float32), masks)
    dropped = tokens[0][masks.embedding[:, 0, 0] == 0]
    kept = tokens[0][masks.embedding[:, 0, 0] != 0]
    assert len(dropped) and len(kept)
    assert not grads.embedding[np.setdiff1d(dropped, kept)].any()
    assert grads.embedding[kept].any()


def test_each_example_draws_its_own_masks_as_the_plan_says():
    s = parse("preset=tfkeras2-fit&emb=6&units=5&seed=1&weights=random")
    w = app_run.state_weights(s)
    tokens = np.random.default_rng(0).integers(0, 64, size=(4, 9))
    masks = batch.draw_masks(np.random.default_rng(1), app_run.spec_of(s), tokens, w)
    m = masks.layers[0]
    assert m.input.shape == (9, 4, 4, 6) and m.recurrent.shape == (9, 4, 4, 5)  # (T, G, B, D)
    assert len({m.input[0, 0, b].tobytes() for b in range(4)}) == 4  # per example
    assert len({m.input[0, k, 0].tobytes() for k in range(4)}) == 4  # per gate
    assert len({m.recurrent[t, 0, 0].tobytes() for t in range(9)}) > 1  # per step
    keras3 = batch.draw_masks(
        np.random.default_rng(1), app_run.spec_of(parse("emb=6&units=5&weights=random")), tokens, w
    )
    assert keras3.layers[0].input.shape == (1, 4, 4, 6)  # per sequence, per gate
    assert keras3.embedding.shape == (9, 4, 6)
    infer = batch.draw_masks(None, app_run.spec_of(parse("emb=6&units=5&phase=infer&weights=random")), tokens, w)
    assert infer.embedding is None and infer.layers[0].input is None and infer.output is None


def test_stacked_draws_reproduce_each_trace():
    """N draws as one batch (Monte Carlo): example k equals the trace of seed s + k."""
    s = parse(f"{SMALL}&layers=2&out_dropout=0.3&seed=11")
    spec = app_run.spec_of(s)
    traces = [app_run.run(parse(f"{SMALL}&layers=2&out_dropout=0.3&seed={11 + k}")) for k in range(5)]
    tokens = np.stack([tr.tokens for tr in traces])
    logits, cache = batch.forward(app_run.state_weights(s), tokens, batch.stack_masks([tr.draw for tr in traces], spec))
    np.testing.assert_allclose(logits, [tr.logit for tr in traces], atol=1e-6)
    for k, tr in enumerate(traces):
        np.testing.assert_allclose(cache.layers[1].h[1:, k], tr.layers[1].h, atol=2e-7)


def test_bce_is_keras_binary_crossentropy():
    p = np.array([0.0, 1e-9, 0.3, 1.0], dtype=np.float32)
    y = np.array([1.0, 1.0, 0.0, 1.0], dtype=np.float32)
    eps = 1e-7
    want = -np.mean([np.log(eps), np.log(eps), np.log(0.7), np.log(np.float32(1 - eps))])
    assert batch.bce(p, y) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("name", ["keras3 four masks", "custom everything", "pytorch stacked", "forum gate outputs"])
def test_a_second_thread_changes_no_bit(name):
    """threads=2 computes the projections and the parameter gradients of finished chunks beside
    the recurrence: the same sums in the same order, so the same bits (T > CHUNK here)."""
    s = parse(f"weights=random&emb=6&units=5&{SCHEMES[name]}")
    w = app_run.state_weights(s)
    rng = np.random.default_rng(5)
    tokens = rng.integers(0, 64, size=(3, 2 * bptt.CHUNK + 7))
    labels = np.array([1.0, 0.0, 1.0], dtype=np.float32)
    masks = batch.draw_masks(rng, app_run.spec_of(s), tokens, w)
    one = batch.loss_and_grads(w, tokens, labels, masks, threads=1)
    two = batch.loss_and_grads(w, tokens, labels, masks, threads=2)
    assert one[0] == two[0]
    for (pname, a), (_, b) in zip(params(one[1]), params(two[1]), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=pname)
